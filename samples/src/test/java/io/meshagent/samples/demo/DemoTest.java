package io.meshagent.samples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshagent.core.testing.NonBlockingThreads;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The demo's main path, run once in process — the services on the checked-in files and the dev CA,
 * a small load — and the facts of its report, one per test. Binds only loopback addresses;
 * everything it starts is closed before {@link Demo#run} returns.
 */
class DemoTest {
  static final String PRODUCTPAGE = "spiffe://cluster.local/ns/default/sa/bookinfo-productpage";
  static final String DETAILS = "spiffe://cluster.local/ns/default/sa/bookinfo-details";
  static final String REVIEWS = "spiffe://cluster.local/ns/default/sa/bookinfo-reviews";
  static final String RATINGS = "spiffe://cluster.local/ns/default/sa/bookinfo-ratings";

  static DemoReport report;
  static String text;

  @BeforeAll
  @Timeout(60)
  static void runTheDemo() {
    NonBlockingThreads.install();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8)) {
      // 150 requests: ~135 calls to ratings, so that the 10 % abort fires at all is 1 - 1e-6 sure.
      report = Demo.run(DemoOptions.defaults(Path.of("demo")).withRequests(150), print, print);
    }
    text = out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void everyCheckHeld() {
    assertThat(report.failures()).as(text).isEmpty();
    assertThat(report.exitCode()).isZero();
    assertThat(report.pages()).isEqualTo(150);
    assertThat(text).contains("OK: every check held");
  }

  @Test
  void theSplitFollowsTheConfiguredWeights() {
    assertThat(report.split())
        .extracting(s -> s.workload().name() + " " + Math.round(s.configured()))
        .containsExactly("reviews-v1 10", "reviews-v2 40", "reviews-v3 50");
    assertThat(report.split())
        .allSatisfy(
            s -> {
              assertThat(s.count()).isPositive();
              assertThat(Math.abs(s.observed() - s.configured()))
                  .isLessThanOrEqualTo(s.tolerance());
            });
  }

  @Test
  void bothEndsOfEveryHopVerifiedTheOther() {
    assertThat(report.hops()).hasSize(7).allSatisfy(h -> assertThat(h.ok()).as("%s", h).isTrue());
    assertHop("productpage-v1", "details-v1", DETAILS, PRODUCTPAGE, "mtls");
    assertHop("productpage-v1", "reviews-v1", REVIEWS, PRODUCTPAGE, "mtls");
    assertHop("productpage-v1", "reviews-v2", REVIEWS, PRODUCTPAGE, "mtls");
    assertHop("productpage-v1", "reviews-v3", REVIEWS, PRODUCTPAGE, "hbone");
    assertHop("reviews-v2", "ratings-v1", RATINGS, REVIEWS, "mtls");
    assertHop("reviews-v3", "ratings-v1", RATINGS, REVIEWS, "mtls");
    assertHop("load generator", "productpage-v1", "-", "none", "plaintext");
  }

  static void assertHop(String from, String to, String client, String server, String transport) {
    assertThat(report.hops())
        .filteredOn(h -> h.from().equals(from) && h.to().name().equals(to))
        .singleElement()
        .satisfies(
            h -> {
              assertThat(h.clientVerified()).isEqualTo(Set.of(client));
              assertThat(h.serverSaw()).isEqualTo(Set.of(server));
              assertThat(h.transports()).isEqualTo(Set.of(transport));
            });
  }

  @Test
  void authorizationPolicyAnswered403AndStrictClosedPlaintext() {
    assertThat(report.denials())
        .filteredOn(d -> d.policy().startsWith("AuthorizationPolicy"))
        .hasSize(4)
        .allSatisfy(
            d -> {
              assertThat(d.refused()).isTrue();
              assertThat(d.outcome()).isEqualTo("403 RBAC: access denied");
            });
    assertThat(report.denials())
        .filteredOn(d -> d.policy().startsWith("PeerAuthentication"))
        .singleElement()
        .satisfies(d -> assertThat(d.outcome()).isEqualTo("connection closed, no answer"));
  }

  @Test
  void faultsWereInjectedAndRetriesAbsorbedEveryFailure() {
    DemoReport.Resilience r = report.resilience();
    assertThat(r).isNotNull();
    assertThat(r.faults()).isPositive();
    assertThat(r.appFailures()).isPositive();
    assertThat(r.retries()).isEqualTo(r.appFailures());
    assertThat(r.retriedAndSucceeded()).isPositive();
    assertThat(report.unexpected()).isEmpty();
  }

  @Test
  void istioMetricsCountWhatTheAppsSaw() {
    assertThat(text)
        .contains(
            "istio_requests_total{reporter=\"destination\",source_workload=\"productpage-v1\","
                + "source_principal=\""
                + PRODUCTPAGE
                + "\",destination_workload=\"ratings-v1\",destination_principal=\""
                + RATINGS
                + "\",response_code=\"403\"} 3");
    for (DemoReport.Share s : report.split()) {
      assertThat(text)
          .contains(
              "istio_requests_total{reporter=\"source\",source_workload=\"productpage-v1\","
                  + "source_principal=\""
                  + PRODUCTPAGE
                  + "\",destination_workload=\""
                  + s.workload().name()
                  + "\",destination_principal=\""
                  + REVIEWS
                  + "\",response_code=\"200\"} "
                  + s.count());
    }
  }

  @Test
  void nothingBlockedAnEventLoop() {
    // TLS contexts (the Istio ALPN client contexts included) are built off the event loops.
    assertThat(NonBlockingThreads.violations()).isEmpty();
  }
}
