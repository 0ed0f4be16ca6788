package io.meshagent.core.internal.telemetry.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Istio's default access-log line. */
class IstioAccessLogFormatTest {

  @Test
  void anHttpRequest() {
    AccessLogEntry e =
        AccessLogEntry.builder(Instant.parse("2026-11-24T06:49:01.409123Z"))
            .request("GET", "/reviews/0", "HTTP/1.1")
            .response(200, "-", "via_upstream")
            .bytes(0, 358)
            .durationMillis(4L)
            .upstreamServiceTimeMillis(3L)
            .headers(null, "curl/8.5.0", "84961386-6d84-929d-98bd-c5aee93b5c88", "reviews:9080")
            .upstream(
                "10.244.1.17:9080",
                "outbound|9080||reviews.bookinfo.svc.cluster.local",
                "10.244.1.9:51870")
            .downstream("10.96.14.2:9080", "10.244.1.9:43120", null)
            .routeName("default")
            .build();
    assertThat(IstioAccessLogFormat.format(e))
        .isEqualTo(
            "[2026-11-24T06:49:01.409Z] \"GET /reviews/0 HTTP/1.1\" 200 - via_upstream - \"-\" 0"
                + " 358 4 3 \"-\" \"curl/8.5.0\" \"84961386-6d84-929d-98bd-c5aee93b5c88\""
                + " \"reviews:9080\" \"10.244.1.17:9080\""
                + " outbound|9080||reviews.bookinfo.svc.cluster.local 10.244.1.9:51870"
                + " 10.96.14.2:9080 10.244.1.9:43120 - default");
  }

  @Test
  void aFailedRequestWithFlagsAndTransportFailure() {
    AccessLogEntry e =
        AccessLogEntry.builder(Instant.parse("2026-01-02T03:04:05Z"))
            .request("POST", "/api", "HTTP/2")
            .response(503, "UF,URX", "upstream_reset_before_response_started{connection failure}")
            .upstreamTransportFailureReason(
                "TLS error: 268435581:SSL routines:CERTIFICATE_VERIFY_FAILED")
            .bytes(12, 91)
            .durationMillis(30L)
            .upstream("10.0.0.7:8443", "outbound|8443||api.example.com", null)
            .build();
    assertThat(IstioAccessLogFormat.format(e))
        .isEqualTo(
            "[2026-01-02T03:04:05.000Z] \"POST /api HTTP/2\" 503 UF,URX"
                + " upstream_reset_before_response_started{connection_failure} -"
                + " \"TLS error: 268435581:SSL routines:CERTIFICATE_VERIFY_FAILED\" 12 91 30 -"
                + " \"-\" \"-\" \"-\" \"-\" \"10.0.0.7:8443\" outbound|8443||api.example.com - - - -"
                + " -");
  }

  @Test
  void aTcpConnectionHasNoRequestLine() {
    AccessLogEntry e =
        AccessLogEntry.builder(Instant.parse("2026-01-02T03:04:05.5Z"))
            .bytes(1024, 2048)
            .durationMillis(1500L)
            .upstream("10.0.0.8:5432", "outbound|5432||db.data.svc.cluster.local", "10.0.0.9:40000")
            .downstream(
                "10.0.0.8:5432", "10.0.0.9:39999", "outbound_.5432_._.db.data.svc.cluster.local")
            .build();
    assertThat(IstioAccessLogFormat.format(e))
        .isEqualTo(
            "[2026-01-02T03:04:05.500Z] \"- - -\" 0 - - - \"-\" 1024 2048 1500 - \"-\" \"-\" \"-\""
                + " \"-\" \"10.0.0.8:5432\" outbound|5432||db.data.svc.cluster.local 10.0.0.9:40000"
                + " 10.0.0.8:5432 10.0.0.9:39999 outbound_.5432_._.db.data.svc.cluster.local -");
  }

  @Test
  void controlCharactersCannotStartAnotherLine() {
    AccessLogEntry e =
        AccessLogEntry.builder(Instant.EPOCH)
            .request("GET", "/", "HTTP/1.1")
            .headers(null, "evil\r\n[1970-01-01T00:00:00.000Z] \"GET /forged", null, null)
            .build();
    assertThat(IstioAccessLogFormat.format(e)).doesNotContain("\n").doesNotContain("\r");
  }
}
