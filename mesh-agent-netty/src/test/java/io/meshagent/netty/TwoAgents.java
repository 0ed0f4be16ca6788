package io.meshagent.netty;

import static io.meshagent.netty.MeshYaml.inboundHttpChain;
import static io.meshagent.netty.MeshYaml.inboundTcpChain;
import static io.meshagent.netty.MeshYaml.route;
import static io.meshagent.netty.MeshYaml.vhost;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.meshagent.MeshAgent;
import io.meshagent.identity.IdentityProvider;
import io.meshagent.identity.SpiffeId;
import io.meshagent.traffic.HttpHeader;
import io.meshagent.traffic.MeshClient;
import io.meshagent.traffic.MeshHttpRequest;
import io.meshagent.traffic.MeshHttpResponse;
import io.meshagent.traffic.MeshSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fixture of the two-agent tests: two agents, each with its data plane, on the embedded default
 * (a {@code file:} source with the resources istiod would send, and the dev CA): productpage calls
 * reviews over Istio mTLS and over HBONE, HTTP and TCP, through the public API only. The server's
 * inbound chain is STRICT with istiod's RBAC for an AuthorizationPolicy allowing productpage on all
 * paths but {@code /admin}. Each test class that extends it starts a pair of its own.
 */
abstract class TwoAgents {
  static final String REVIEWS_IP = "127.0.0.2";
  static final String PRODUCTPAGE_ID = "cluster.local/ns/default/sa/bookinfo-productpage";
  static final SpiffeId REVIEWS_ID =
      SpiffeId.parse("spiffe://cluster.local/ns/default/sa/bookinfo-reviews");
  static final String REVIEWS = "outbound|9080||reviews.default.svc.cluster.local";
  static final String REVIEWS_HBONE = "outbound|9080||reviews-hbone.default.svc.cluster.local";
  static final String RETRYING = "outbound|9080||flaky.default.svc.cluster.local";
  static final String SLOW = "outbound|9080||slow.default.svc.cluster.local";
  static final String NO_RETRIES = "outbound|9080||overflow.default.svc.cluster.local";
  static final String ECHO = "outbound|9000||echo.default.svc.cluster.local";
  static final String ECHO_HBONE = "outbound|9000||echo-hbone.default.svc.cluster.local";
  static final String UNSERVED = "outbound|7777||unserved.default.svc.cluster.local";
  static final String DETAILS = "outbound|9081||details.default.svc.cluster.local";
  static final String DETAILS_HBONE = "outbound|9081||details-hbone.default.svc.cluster.local";

  static final String ISSUER = "https://issuer.test";
  static final java.security.KeyPair JWT_KEY = Tokens.rsaKey();

  @TempDir static Path dir;
  static EchoServer echo;
  // An HTTP app of its own behind reviews' port 9081, which the server agent forwards to.
  static HttpServer details;
  static MeshAgent reviewsAgent;
  static MeshAgent productpageAgent;
  static MeshDataPlane reviews;
  static MeshDataPlane productpage;
  static MeshClient client;
  // Started and stopped with each class's pair: one class's stop must not leave the next without.
  static ScheduledExecutorService later;

  @BeforeAll
  static void start() throws Exception {
    start(DataPlaneOptions.defaults().withEventLoopThreads(2));
  }

  /**
   * Starts the pair with {@code options}: a test class that wants others declares its own {@code
   * start()}, which hides this class's.
   */
  static void start(DataPlaneOptions options) throws Exception {
    later = Executors.newSingleThreadScheduledExecutor();
    failedOnce.set(false);
    Path ca = dir.resolve("ca");
    echo = new EchoServer();
    details = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    details.createContext("/", TwoAgents::details);
    details.start();
    Path reviewsYaml = dir.resolve("reviews.json");
    Files.writeString(
        reviewsYaml,
        new MeshYaml()
            .virtualInbound(
                inboundHttpChain(
                    9080, true, PRODUCTPAGE_ID, MeshYaml.jwtAuthn(ISSUER, Tokens.jwks(JWT_KEY))),
                inboundTcpChain(9000, true),
                inboundHttpChain(9081, true, PRODUCTPAGE_ID))
            .render());
    reviewsAgent = agent(reviewsYaml, "reviews-v1", "bookinfo-reviews", ca);
    reviews = MeshDataPlane.start(reviewsAgent, options);
    InetSocketAddress http =
        reviews.serveHttp(new InetSocketAddress(REVIEWS_IP, 0), 9080, TwoAgents::serve);
    InetSocketAddress tcp =
        reviews.forward(new InetSocketAddress(REVIEWS_IP, 0), 9000, echo.address());
    InetSocketAddress app =
        reviews.forward(new InetSocketAddress(REVIEWS_IP, 0), 9081, details.getAddress());
    InetSocketAddress hbone = reviews.startHbone(new InetSocketAddress(REVIEWS_IP, 0));

    String mtls = "\"tlsMode\": \"istio\"";
    String san = "spiffe://" + REVIEWS_ID.toString().substring("spiffe://".length());
    String retry =
        ", \"retry_policy\": { \"retry_on\": \"connect-failure,5xx\", \"num_retries\": 2,"
            + " \"retry_host_predicate\": [{ \"name\": \"envoy.retry_host_predicates.previous_hosts\","
            + " \"typed_config\": { \"@type\":"
            + " \"type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate\""
            + " } }], \"host_selection_retry_max_attempts\": \"5\" }";
    String abort =
        ", \"typed_per_filter_config\": { \"envoy.filters.http.fault\": { \"@type\":"
            + " \"type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault\", \"abort\":"
            + " { \"http_status\": 418, \"percentage\": { \"numerator\": 100, \"denominator\":"
            + " \"HUNDRED\" } } } }";
    Path productpageYaml = dir.resolve("productpage.json");
    Files.writeString(
        productpageYaml,
        new MeshYaml()
            .cluster(REVIEWS, san, "")
            .endpoints(REVIEWS, mtls, REVIEWS_IP + ":" + http.getPort())
            .cluster(REVIEWS_HBONE, san, "")
            .hboneEndpoint(REVIEWS_HBONE, REVIEWS_IP + ":9080", REVIEWS_IP + ":" + hbone.getPort())
            .cluster(RETRYING, san, "")
            // 127.0.0.3:1 refuses connections: the retry goes to the other host.
            .endpoints(RETRYING, mtls, "127.0.0.3:1", REVIEWS_IP + ":" + http.getPort())
            .cluster(SLOW, san, "")
            .endpoints(SLOW, mtls, REVIEWS_IP + ":" + http.getPort())
            // No retry may be in flight: the retry circuit breaker refuses every one.
            .cluster(
                NO_RETRIES,
                san,
                ", \"circuit_breakers\": { \"thresholds\": [{ \"max_retries\": 0 }] }")
            .endpoints(NO_RETRIES, mtls, REVIEWS_IP + ":" + http.getPort())
            .cluster(ECHO, san, "")
            .endpoints(ECHO, mtls, REVIEWS_IP + ":" + tcp.getPort())
            .cluster(ECHO_HBONE, san, "")
            .hboneEndpoint(ECHO_HBONE, REVIEWS_IP + ":9000", REVIEWS_IP + ":" + hbone.getPort())
            .cluster(DETAILS, san, "")
            .endpoints(DETAILS, mtls, REVIEWS_IP + ":" + app.getPort())
            .cluster(DETAILS_HBONE, san, "")
            .hboneEndpoint(DETAILS_HBONE, REVIEWS_IP + ":9081", REVIEWS_IP + ":" + hbone.getPort())
            .httpListener(9081)
            .routes(
                9081,
                vhost("details", List.of("details:9081"), route("/", cluster(DETAILS), "")),
                vhost(
                    "details-hbone",
                    List.of("details-hbone:9081"),
                    route("/", cluster(DETAILS_HBONE), "")))
            .cluster(UNSERVED, san, "")
            .hboneEndpoint(UNSERVED, REVIEWS_IP + ":7777", REVIEWS_IP + ":" + hbone.getPort())
            .httpListener(9080)
            .routes(
                9080,
                vhost(
                    "reviews",
                    List.of("reviews", "reviews:9080"),
                    route("/", "\"cluster\": \"" + REVIEWS + "\", \"timeout\": \"0s\"", "")),
                vhost(
                    "reviews-hbone",
                    List.of("reviews-hbone:9080"),
                    route("/", "\"cluster\": \"" + REVIEWS_HBONE + "\", \"timeout\": \"0s\"", "")),
                vhost(
                    "flaky",
                    List.of("flaky:9080"),
                    route("/", "\"cluster\": \"" + RETRYING + "\"" + retry, "")),
                vhost(
                    "slow",
                    List.of("slow:9080"),
                    route("/", "\"cluster\": \"" + SLOW + "\", \"timeout\": \"0.3s\"", "")),
                vhost(
                    "stale",
                    List.of("stale:9080"),
                    route(
                        "/",
                        "\"cluster\": \""
                            + SLOW
                            + "\", \"timeout\": \"1s\","
                            + " \"retry_policy\": { \"retry_on\": \"5xx\", \"num_retries\": 1 }",
                        "")),
                vhost(
                    "overflow",
                    List.of("overflow:9080"),
                    route(
                        "/",
                        "\"cluster\": \""
                            + NO_RETRIES
                            + "\", \"retry_policy\": { \"retry_on\": \"5xx\", \"num_retries\": 2 }",
                        "")),
                vhost(
                    "teapot",
                    List.of("teapot:9080"),
                    route("/", "\"cluster\": \"" + REVIEWS + "\"", abort)))
            .render());
    productpageAgent = agent(productpageYaml, "productpage-v1", "bookinfo-productpage", ca);
    // No HBONE port option: every tunnel's next hop comes from istiod's endpoint metadata (the
    // pod's or its waypoint's address), as it does for Envoy.
    productpage = MeshDataPlane.start(productpageAgent, options);
    client = productpage.client();
  }

  static MeshAgent agent(Path yaml, String pod, String sa, Path ca) throws Exception {
    MeshAgent a =
        MeshAgent.builder()
            .xdsFile(yaml)
            .podName(pod)
            .namespace("default")
            .serviceAccount(sa)
            .identityProvider(IdentityProvider.DEV)
            .devCaDir(ca)
            // Bookinfo's labels: Istio's metrics label both sides with app and version.
            .label("app", pod.substring(0, pod.lastIndexOf('-')))
            .label("version", pod.substring(pod.lastIndexOf('-') + 1))
            .build();
    a.awaitInitialConfig(Duration.ofSeconds(20));
    a.awaitIdentity(Duration.ofSeconds(20));
    return a;
  }

  private static String cluster(String name) {
    return "\"cluster\": \"" + name + "\"";
  }

  /**
   * The app behind reviews' port 9081, reached over loopback HTTP/1.1: echoes what it was sent,
   * with the method and path it saw in a header.
   */
  private static void details(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = exchange.getRequestBody().readAllBytes();
      exchange
          .getResponseHeaders()
          .add("x-details-saw", exchange.getRequestMethod() + " " + exchange.getRequestURI());
      exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
      exchange.getResponseBody().write(body);
    }
  }

  /** The app behind reviews: echoes /echo, stalls /slow, says who called otherwise. */
  static CompletableFuture<MeshHttpResponse> serve(
      MeshHttpRequest request, io.meshagent.traffic.InboundContext context) {
    if (request.path().startsWith("/echo")) {
      return CompletableFuture.completedFuture(
          new MeshHttpResponse(200, List.of(), request.body()));
    }
    if (request.path().startsWith("/headers")) {
      StringBuilder names = new StringBuilder();
      for (HttpHeader h : request.headers()) {
        names.append(h.name()).append('\n');
      }
      // The app's own (forged) exchange field: the server agent sends its own instead.
      return CompletableFuture.completedFuture(
          MeshHttpResponse.of(200, names.toString())
              .withHeaders(List.of(new HttpHeader("x-envoy-peer-metadata", "forged-response"))));
    }
    if (request.path().startsWith("/grpc.Echo/")) {
      // gRPC's shape: the status in trailers; /grpc.Echo/Missing answers NOT_FOUND, and
      // /grpc.Echo/Down a 503 with no gRPC status at all.
      if (request.path().endsWith("/Down")) {
        return CompletableFuture.completedFuture(MeshHttpResponse.of(503, "down"));
      }
      String status = request.path().endsWith("/Missing") ? "5" : "0";
      return CompletableFuture.completedFuture(
          new MeshHttpResponse(
                  200, List.of(new HttpHeader("content-type", "application/grpc")), request.body())
              .withTrailers(
                  List.of(
                      new HttpHeader("grpc-status", status),
                      new HttpHeader("grpc-message", status.equals("0") ? "" : "missing"))));
    }
    if (request.path().startsWith("/unavailable")) {
      return CompletableFuture.completedFuture(MeshHttpResponse.of(503, "always"));
    }
    if (request.path().startsWith("/fail-once") && !failedOnce.getAndSet(true)) {
      return CompletableFuture.completedFuture(MeshHttpResponse.of(503, "once"));
    }
    if (request.path().startsWith("/slow") || request.path().startsWith("/fail-once")) {
      CompletableFuture<MeshHttpResponse> f = new CompletableFuture<>();
      later.schedule(() -> f.complete(MeshHttpResponse.of(200, "late")), 3, TimeUnit.SECONDS);
      return f;
    }
    return CompletableFuture.completedFuture(
        MeshHttpResponse.of(200, "reviews saw " + context.peer() + " via " + context.transport()));
  }

  @AfterAll
  static void stop() throws Exception {
    productpage.close();
    reviews.close();
    productpageAgent.close();
    reviewsAgent.close();
    echo.close();
    details.stop(0);
    later.shutdownNow();
  }

  static MeshHttpResponse send(MeshHttpRequest r) throws Exception {
    return client.send(r).get(20, TimeUnit.SECONDS);
  }

  static final java.util.concurrent.atomic.AtomicBoolean failedOnce =
      new java.util.concurrent.atomic.AtomicBoolean();

  static Map<String, String> with(Map<String, String> base, String... more) {
    Map<String, String> m = new java.util.HashMap<>(base);
    for (int i = 0; i < more.length; i += 2) {
      m.put(more[i], more[i + 1]);
    }
    return m;
  }

  /** Writes {@code size} random bytes, half-closes, reads the echo to EOF; true if identical. */
  static boolean roundTrip(MeshSocket s, int size, long seed) throws Exception {
    MessageDigest sent = MessageDigest.getInstance("SHA-256");
    CompletableFuture<Void> writer =
        CompletableFuture.runAsync(
            () -> {
              try (OutputStream out = s.output()) {
                Random random = new Random(seed);
                byte[] chunk = new byte[64 * 1024];
                for (int left = size; left > 0; left -= chunk.length) {
                  random.nextBytes(chunk);
                  int n = Math.min(left, chunk.length);
                  out.write(chunk, 0, n);
                  sent.update(chunk, 0, n);
                }
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            });
    MessageDigest received = MessageDigest.getInstance("SHA-256");
    InputStream in = s.input();
    byte[] buf = new byte[64 * 1024];
    long total = 0;
    for (int n; (n = in.read(buf)) >= 0; ) {
      received.update(buf, 0, n);
      total += n;
    }
    writer.get(60, TimeUnit.SECONDS);
    return total == size && MessageDigest.isEqual(sent.digest(), received.digest());
  }

  static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }
}
