package io.meshagent.samples.demo;

import io.meshagent.traffic.InboundContext;
import io.meshagent.traffic.MeshClient;
import io.meshagent.traffic.MeshHttpHandler;
import io.meshagent.traffic.MeshHttpRequest;
import io.meshagent.traffic.MeshHttpResponse;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The apps behind the agents, shaped like Istio's bookinfo: productpage asks details and reviews;
 * reviews v2 and v3 ask ratings (v1 shows no stars); ratings answers 503 to a fraction of requests.
 * Each app calls the others only through its own agent's {@link MeshClient}, by service name, and
 * never blocks: handlers run on the data plane's event loop and return futures.
 */
final class BookinfoApps {
  /** The share of requests the ratings app fails with 503. */
  static final double RATINGS_FAILURE_RATE = 0.2;

  /** The ratings app never fails more often than this in a row: a transient failure. */
  static final int RATINGS_MAX_FAILURES_IN_A_ROW = 2;

  private final Observations seen;
  private final Function<Workload, MeshClient> clients;
  private final Random ratingsRandom;
  private int failuresInARow;
  private int ratingsFailures;

  /**
   * @param clients each workload's mesh client
   * @param seed the seed of the ratings app's failures
   */
  BookinfoApps(Observations seen, Function<Workload, MeshClient> clients, long seed) {
    this.seen = seen;
    this.clients = clients;
    this.ratingsRandom = new Random(seed);
  }

  /** The app of {@code w}. */
  MeshHttpHandler handler(Workload w) {
    return (request, ctx) -> {
      seen.served(w, ctx);
      return switch (w.app()) {
        case "productpage" -> productpage(w);
        case "details" -> text(200, "{\"id\":0,\"author\":\"William Shakespeare\",\"year\":1595}");
        case "reviews" -> reviews(w);
        case "ratings" -> ratings(request, ctx);
        default -> text(404, "no app " + w.app());
      };
    };
  }

  /** How many requests the ratings app answered with 503 so far. */
  synchronized int ratingsFailures() {
    return ratingsFailures;
  }

  private CompletableFuture<MeshHttpResponse> productpage(Workload self) {
    CompletableFuture<MeshHttpResponse> details = call(self, "details", "/details/0");
    CompletableFuture<MeshHttpResponse> reviews = call(self, "reviews", "/reviews/0");
    return details.thenCombine(
        reviews,
        (d, r) ->
            MeshHttpResponse.of(
                200,
                "The Comedy of Errors\n"
                    + (d.status() == 200 ? d.bodyText() : "Error fetching product details")
                    + "\n"
                    + (r.status() == 200 ? r.bodyText() : "Error fetching product reviews")
                    + "\n"));
  }

  private CompletableFuture<MeshHttpResponse> reviews(Workload self) {
    String reviews = self.name() + ": Reviewer1 'An extremely entertaining play'";
    if (self.version().equals("v1")) {
      return text(200, reviews + " (no ratings in v1)");
    }
    String color = self.version().equals("v2") ? "black" : "red";
    return call(self, "ratings", "/ratings/0")
        .thenApply(
            r ->
                MeshHttpResponse.of(
                    200,
                    reviews
                        + (r.status() == 200
                            ? " ★★★★★ (" + color + " stars)"
                            : " (ratings service is currently unavailable)")));
  }

  private CompletableFuture<MeshHttpResponse> ratings(MeshHttpRequest request, InboundContext ctx) {
    if (failNext()) {
      return text(503, "ratings: temporarily unavailable");
    }
    return text(200, "{\"id\":0,\"ratings\":{\"Reviewer1\":5},\"caller\":\"" + ctx.peer() + "\"}");
  }

  /** Seeded, so a run is repeatable; capped in a row, so a retry policy can absorb every one. */
  private synchronized boolean failNext() {
    boolean fail =
        ratingsRandom.nextDouble() < RATINGS_FAILURE_RATE
            && failuresInARow < RATINGS_MAX_FAILURES_IN_A_ROW;
    failuresInARow = fail ? failuresInARow + 1 : 0;
    if (fail) {
      ratingsFailures++;
    }
    return fail;
  }

  /** A GET to {@code service:9080}, through {@code self}'s agent, recorded. */
  private CompletableFuture<MeshHttpResponse> call(Workload self, String service, String path) {
    long start = System.nanoTime();
    return clients
        .apply(self)
        .send(MeshHttpRequest.get(service + ":" + Workload.SERVICE_PORT, path))
        .handle(
            (r, e) -> {
              MeshHttpResponse response = r != null ? r : MeshHttpResponse.of(599, e.toString());
              seen.call(Observations.Call.of(self, service, response, System.nanoTime() - start));
              return response;
            });
  }

  private static CompletableFuture<MeshHttpResponse> text(int status, String body) {
    return CompletableFuture.completedFuture(MeshHttpResponse.of(status, body));
  }
}
