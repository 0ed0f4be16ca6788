package io.meshagent.samples.demo;

import io.meshagent.traffic.MeshHttpRequest;
import io.meshagent.traffic.MeshHttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The demo's traffic: a bounded loop of productpage requests, as a browser behind an ingress would
 * send them (plaintext, to the PERMISSIVE edge), then a few calls the mesh's policy must refuse.
 */
final class Traffic {
  /** The page the load generator asks for. */
  static final URI PRODUCTPAGE =
      URI.create("http://" + Workload.PRODUCTPAGE.serviceAddress() + "/productpage");

  /**
   * A call the policy must refuse, and how it was answered.
   *
   * @param policy the Istio resource that refuses it
   * @param from who called
   * @param request what was asked
   * @param expected what the policy answers
   * @param outcome what came back
   * @param refused whether it was refused as expected
   */
  record Denial(
      String policy,
      String from,
      String request,
      String expected,
      String outcome,
      boolean refused) {}

  private Traffic() {}

  /**
   * Sends up to {@code requests} productpage requests, one at a time, until {@code maxDuration}
   * passes.
   *
   * @return why it stopped early, or empty
   */
  static String load(int requests, Duration maxDuration, Observations seen, Progress progress)
      throws InterruptedException {
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    HttpRequest page = HttpRequest.newBuilder(PRODUCTPAGE).timeout(Duration.ofSeconds(10)).build();
    long deadline = System.nanoTime() + maxDuration.toNanos();
    for (int i = 0; i < requests; i++) {
      if (System.nanoTime() > deadline) {
        return "stopped after " + maxDuration.toSeconds() + " s (--duration): " + i + " sent";
      }
      long start = System.nanoTime();
      Observations.Page p;
      try {
        HttpResponse<String> r = http.send(page, HttpResponse.BodyHandlers.ofString());
        p = new Observations.Page(r.statusCode(), System.nanoTime() - start, "");
      } catch (IOException e) {
        p = new Observations.Page(0, System.nanoTime() - start, String.valueOf(e));
      }
      seen.page(p);
      progress.tick(p.status() == 200);
    }
    return "";
  }

  /**
   * Asks each workload's admin whether its agent is ready.
   *
   * @return the workloads whose admin did not answer 200, with what it answered
   */
  static List<String> adminNotReady(List<Workload> workloads) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    List<String> out = new ArrayList<>();
    for (Workload w : workloads) {
      URI ready = URI.create("http://" + w.ip() + ":" + Workload.ADMIN_PORT + "/ready");
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
          out.add(w.name() + " " + ready + ": " + r.statusCode() + " " + r.body().strip());
        }
      } catch (IOException e) {
        out.add(w.name() + " " + ready + ": " + e);
      }
    }
    return out;
  }

  /**
   * Calls that PeerAuthentication and AuthorizationPolicy must refuse: productpage and a POST from
   * reviews to ratings (only reviews may read ratings), and plaintext to ratings' STRICT port.
   */
  static List<Denial> probes(Function<Workload, Member> members) throws InterruptedException {
    List<Denial> out = new ArrayList<>();
    String rbac = "AuthorizationPolicy ratings-viewer";
    for (int i = 0; i < 3; i++) {
      out.add(
          meshCall(
              rbac,
              members.apply(Workload.PRODUCTPAGE),
              MeshHttpRequest.get("ratings:9080", "/ratings/" + i)));
    }
    out.add(
        meshCall(
            rbac,
            members.apply(Workload.REVIEWS_V2),
            MeshHttpRequest.builder("POST", "ratings:9080", "/ratings/0")
                .body("{\"stars\":1}")
                .build()));
    out.add(plaintext(Workload.RATINGS));
    return out;
  }

  private static Denial meshCall(String policy, Member from, MeshHttpRequest request)
      throws InterruptedException {
    String what = request.method() + " " + request.authority() + request.path();
    MeshHttpResponse r = null;
    try {
      // The ratings route from reviews aborts 10 % of requests before any policy sees them (FI):
      // such a request never reached ratings, so it is sent again.
      for (int i = 0; i < 10 && (r == null || r.responseFlags().contains("FI")); i++) {
        r = from.client().send(request).get(10, TimeUnit.SECONDS);
      }
    } catch (ExecutionException | TimeoutException e) {
      return new Denial(
          policy, from.workload.name(), what, "403 RBAC: access denied", "failed: " + e, false);
    }
    if (r == null) {
      throw new IllegalStateException("no attempt");
    }
    String outcome =
        r.status()
            + " "
            + r.bodyText()
            + (r.responseFlags().isEmpty() ? "" : " " + r.responseFlags());
    return new Denial(
        policy,
        from.workload.name(),
        what,
        "403 RBAC: access denied",
        outcome,
        r.status() == 403 && r.bodyText().equals("RBAC: access denied"));
  }

  /** Plaintext HTTP straight to a STRICT port: no filter chain matches, the agent closes. */
  private static Denial plaintext(Workload to) {
    String what = "plaintext GET " + to.serviceAddress() + "/ratings/0";
    String outcome;
    boolean refused;
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(to.ip(), Workload.SERVICE_PORT), 5_000);
      s.setSoTimeout(10_000);
      s.getOutputStream()
          .write(
              ("GET /ratings/0 HTTP/1.1\r\nhost: ratings\r\nconnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      byte[] answer = in.readAllBytes();
      refused = answer.length == 0;
      outcome =
          refused
              ? "connection closed, no answer"
              : "answered: "
                  + new String(answer, 0, Math.min(answer.length, 40), StandardCharsets.US_ASCII)
                      .lines()
                      .findFirst()
                      .orElse("");
    } catch (IOException e) {
      // A reset is a refusal too; a connect failure is not (nothing listened).
      refused = !(e instanceof java.net.ConnectException);
      outcome = (refused ? "connection reset: " : "not reachable: ") + e.getMessage();
    }
    return new Denial(
        "PeerAuthentication STRICT", "load generator", what, "connection closed", outcome, refused);
  }
}
