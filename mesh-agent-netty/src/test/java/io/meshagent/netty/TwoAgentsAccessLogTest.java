package io.meshagent.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshagent.core.internal.telemetry.accesslog.AccessLog;
import io.meshagent.core.testing.LogLines;
import io.meshagent.traffic.MeshHttpRequest;
import io.meshagent.traffic.MeshHttpResponse;
import io.meshagent.traffic.MeshSocket;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The access log between the two agents of {@link TwoAgents}, both with it on: a line per request
 * on each side and a line per TCP connection, in Istio's default format, with Envoy's response
 * flags and response code details for every kind of answer.
 */
class TwoAgentsAccessLogTest extends TwoAgents {
  // [start] "METHOD PATH PROTOCOL" CODE FLAGS DETAILS TERMINATION "FAILURE" RECEIVED SENT DURATION
  // UPSTREAM-TIME "XFF" "UA" "REQUEST-ID" "AUTHORITY" "UPSTREAM-HOST" CLUSTER UPSTREAM-LOCAL
  // DOWNSTREAM-LOCAL DOWNSTREAM-REMOTE SNI ROUTE
  private static final Pattern LINE =
      Pattern.compile(
          "\\[(\\S+)] \"(\\S+) (\\S+) (\\S+)\" (\\d+) (\\S+) (\\S+) (\\S+) \"([^\"]*)\" (\\d+)"
              + " (\\d+) (\\S+) (\\S+) \"([^\"]*)\" \"([^\"]*)\" \"([^\"]*)\" \"([^\"]*)\""
              + " \"([^\"]*)\" (\\S+) (\\S+) (\\S+) (\\S+) (\\S+) (\\S+)$");

  @BeforeAll
  static void start() throws Exception {
    start(DataPlaneOptions.defaults().withEventLoopThreads(2).withAccessLog(true));
  }

  /** The fields of the access-log line that holds {@code marker} and {@code cluster}. */
  private static Matcher line(LogLines logs, String marker, String cluster) {
    String l = logs.awaitLineWith(marker, " " + cluster + " ");
    // After slf4j-simple's thread, level and logger.
    String prefix = AccessLog.LOGGER_NAME + " - ";
    String fields = l.substring(l.indexOf(prefix) + prefix.length());
    Matcher m = LINE.matcher(fields);
    assertThat(m.matches()).as("an access-log line in Istio's format: %s", fields).isTrue();
    return m;
  }

  private static MeshHttpResponse get(String host, String path, String requestId) throws Exception {
    return send(
        MeshHttpRequest.builder("GET", host, path).header("x-request-id", requestId).build());
  }

  @Test
  void aRequestIsLoggedByBothSidesAsCameViaUpstream() throws Exception {
    for (String host : List.of("reviews:9080", "reviews-hbone:9080")) {
      String id = UUID.randomUUID().toString();
      try (LogLines logs = LogLines.capture()) {
        MeshHttpResponse r = get(host, "/logged", id);
        assertThat(r.status()).isEqualTo(200);
        String cluster = host.startsWith("reviews-hbone") ? REVIEWS_HBONE : REVIEWS;
        Matcher source = line(logs, id, cluster);
        assertThat(source.group(2) + " " + source.group(3) + " " + source.group(4))
            .isEqualTo("GET /logged HTTP/1.1");
        assertThat(source.group(5) + " " + source.group(6) + " " + source.group(7))
            .isEqualTo("200 - via_upstream");
        assertThat(Long.parseLong(source.group(11))).isEqualTo(r.bodyLength());
        assertThat(source.group(17)).isEqualTo(host);
        assertThat(source.group(18)).startsWith(REVIEWS_IP + ":");

        Matcher destination = line(logs, id, "inbound|9080||");
        assertThat(destination.group(5) + " " + destination.group(6) + " " + destination.group(7))
            .isEqualTo("200 - via_upstream");
        assertThat(Long.parseLong(destination.group(11))).isEqualTo(r.bodyLength());
        // The caller's address, as the server saw the connection (or the tunnel) come in.
        assertThat(destination.group(22)).matches("127\\.0\\.0\\.1:\\d+");
        // The address it came in to: the server's (for HBONE, the tunnel's target).
        assertThat(destination.group(21))
            .startsWith(REVIEWS_IP + ":")
            .isNotEqualTo(REVIEWS_IP + ":0");
        assertThat(source.group(21)).isEqualTo("-"); // the app called in process: no connection
        // The local end of the connection the request went over (for HBONE, the tunnel's).
        assertThat(source.group(20)).matches("127\\.0\\.0\\.1:\\d+");
        // The server's app is in process: no upstream connection.
        assertThat(destination.group(18) + " " + destination.group(20)).isEqualTo("- -");
      }
    }
  }

  @Test
  void aForwardedRequestNamesTheAppAndTheConnectionToIt() throws Exception {
    for (String host : List.of("details:9081", "details-hbone:9081")) {
      String id = UUID.randomUUID().toString();
      try (LogLines logs = LogLines.capture()) {
        assertThat(get(host, "/forwarded", id).status()).isEqualTo(200);
        String cluster = host.startsWith("details-hbone") ? DETAILS_HBONE : DETAILS;
        Matcher source = line(logs, id, cluster);
        assertThat(source.group(18)).startsWith(REVIEWS_IP + ":");
        assertThat(source.group(20)).matches("127\\.0\\.0\\.1:\\d+");

        Matcher destination = line(logs, id, "inbound|9081||");
        assertThat(destination.group(5) + " " + destination.group(7)).isEqualTo("200 via_upstream");
        // As Envoy's inbound line: the app forwarded to, and the local end of that connection.
        assertThat(destination.group(18)).isEqualTo("127.0.0.1:" + details.getAddress().getPort());
        assertThat(destination.group(20))
            .matches("127\\.0\\.0\\.1:\\d+")
            .isNotEqualTo(destination.group(18));
      }
    }
  }

  @Test
  void localAnswersNameTheirCauseAsEnvoyDoes() throws Exception {
    String fault = UUID.randomUUID().toString();
    String noRoute = UUID.randomUUID().toString();
    String timeout = UUID.randomUUID().toString();
    try (LogLines logs = LogLines.capture()) {
      assertThat(get("teapot:9080", "/", fault).status()).isEqualTo(418);
      assertThat(get("nowhere:9080", "/", noRoute).status()).isEqualTo(404);
      assertThat(get("slow:9080", "/slow", timeout).status()).isEqualTo(504);

      Matcher f = line(logs, fault, REVIEWS);
      assertThat(f.group(5) + " " + f.group(6) + " " + f.group(7))
          .isEqualTo("418 FI fault_filter_abort");
      String nr = logs.awaitLineWith(noRoute, "\"nowhere:9080\"");
      assertThat(nr).contains("\" 404 NR route_not_found - ");
      Matcher t = line(logs, timeout, SLOW);
      assertThat(t.group(5) + " " + t.group(6) + " " + t.group(7))
          .isEqualTo("504 UT response_timeout");
    }
  }

  @Test
  void refusalsNameTheFilterThatRefused() throws Exception {
    String denied = UUID.randomUUID().toString();
    String badToken = UUID.randomUUID().toString();
    try (LogLines logs = LogLines.capture()) {
      assertThat(get("reviews:9080", "/admin/x", denied).status()).isEqualTo(403);
      assertThat(
              send(MeshHttpRequest.builder("GET", "reviews:9080", "/")
                      .header("x-request-id", badToken)
                      .header("authorization", "Bearer not.a.jwt")
                      .build())
                  .status())
          .isEqualTo(401);

      // No ALLOW policy matched: Envoy's RBAC filter names none.
      Matcher rbac = line(logs, denied, "inbound|9080||");
      assertThat(rbac.group(5) + " " + rbac.group(6) + " " + rbac.group(7))
          .isEqualTo("403 - rbac_access_denied_matched_policy[none]");
      // The caller's side passed the answer on as it came.
      Matcher passedOn = line(logs, denied, REVIEWS);
      assertThat(passedOn.group(5) + " " + passedOn.group(7)).isEqualTo("403 via_upstream");

      Matcher jwt = line(logs, badToken, "inbound|9080||");
      assertThat(jwt.group(5)).isEqualTo("401");
      // One token: the reason's spaces became underscores.
      assertThat(jwt.group(7)).startsWith("jwt_authn_access_denied{").doesNotContain(" ");
    }
  }

  @Test
  void aTcpConnectionIsLoggedByBothSidesWhenItCloses() throws Exception {
    for (String host :
        List.of("echo.default.svc.cluster.local", "echo-hbone.default.svc.cluster.local")) {
      int size = 300_000;
      try (LogLines logs = LogLines.capture()) {
        try (MeshSocket s = client.connect(host, 9000).get(20, TimeUnit.SECONDS)) {
          assertThat(roundTrip(s, size, 7)).isTrue();
        }
        String cluster = host.startsWith("echo-hbone") ? ECHO_HBONE : ECHO;
        Matcher source = line(logs, "\"- - -\" 0 ", cluster);
        assertThat(source.group(6) + " " + source.group(7)).isEqualTo("- -");
        // Received from the app and sent back to it, as the tcp_proxy's downstream counts them.
        assertThat(source.group(10) + " " + source.group(11)).isEqualTo(size + " " + size);
        assertThat(source.group(18)).startsWith(REVIEWS_IP + ":");
        // The local end of the connection (or, through HBONE, of the tunnel's connection).
        assertThat(source.group(20)).matches("127\\.0\\.0\\.1:\\d+");

        Matcher destination = line(logs, "\"- - -\" 0 ", "inbound|9000||");
        assertThat(destination.group(10) + " " + destination.group(11))
            .isEqualTo(size + " " + size);
        // The upstream is the app the server agent forwards to.
        assertThat(destination.group(18)).isEqualTo("127.0.0.1:" + echo.address().getPort());
        assertThat(destination.group(22)).matches("127\\.0\\.0\\.1:\\d+");
      }
    }
  }
}
