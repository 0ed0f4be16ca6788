package io.meshagent.samples.demo;

import static io.meshagent.samples.demo.Demo.pad;

import io.meshagent.model.route.RetryPolicy;
import io.meshagent.samples.demo.DemoReport.Hop;
import io.meshagent.samples.demo.DemoReport.Resilience;
import io.meshagent.samples.demo.DemoReport.Share;
import io.meshagent.samples.demo.Observations.Call;
import io.meshagent.samples.demo.Observations.Page;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** The report's text, section by section, for a person reading it once. */
final class ReportText {
  private static final String OK = "ok";
  private static final String NOT_OK = "NOT OK";

  private final StringBuilder b = new StringBuilder();

  private ReportText line(String s) {
    b.append(s).append('\n');
    return this;
  }

  private void section(String title) {
    line("").line("== " + title);
  }

  void split(Configured configured, List<Share> split, int pages, long trafficNanos) {
    line(
        String.format(
            "  %d productpage requests in %.1f s (%.0f/s)",
            pages, trafficNanos / 1e9, pages / Math.max(1e-9, trafficNanos / 1e9)));
    String weights =
        configured.split().entrySet().stream()
            .map(e -> e.getKey().version() + " " + Math.round(e.getValue()))
            .collect(Collectors.joining(" / "));
    section("routing: VirtualService reviews splits " + weights + " (productpage's agent picks)");
    int n = split.stream().mapToInt(Share::count).sum();
    for (Share s : split) {
      line(
          String.format(
              "  %-12s %5d  %5.1f %%   configured %3.0f %% ± %4.1f %%   %s",
              s.workload().name(),
              s.count(),
              s.observed(),
              s.configured(),
              s.tolerance(),
              s.ok() ? OK : NOT_OK));
    }
    line(
        String.format(
            "  (each count is binomial; the tolerance is %.0fσ = %.0f·√(p(1−p)/n) with n = %d, so"
                + " a correct split misses it about 6 times in 100,000%s)",
            Stats.SIGMAS, Stats.SIGMAS, n, n < 100 ? "; with so few requests it says little" : ""));
  }

  void identities(List<Hop> hops) {
    section("identities: what each end of a hop verified (SPIFFE ids of the peer certificates)");
    line(
        "  "
            + pad("hop", 33)
            + pad("client's agent verified", 34)
            + pad("server's app was told", 37)
            + "over");
    for (Hop h : hops) {
      line(
          "  "
              + pad(h.from() + " → " + h.to().name(), 33)
              + pad(shortIds(h.clientVerified()), 34)
              + pad(shortIds(h.serverSaw()), 37)
              + pad(String.join(",", h.transports()), 10)
              + (h.ok() ? OK : NOT_OK + " (expected " + h.expected() + ")"));
    }
    line("  (spiffe://cluster.local/ns/default/sa/… shortened to sa/…; the client side is");
    line("   MeshHttpResponse.peer(), the server side InboundContext.peer())");
  }

  private static String shortIds(java.util.Set<String> ids) {
    List<String> out = new ArrayList<>();
    for (String id : ids) {
      out.add(id.replace("spiffe://cluster.local/ns/default/", ""));
    }
    return String.join(",", out);
  }

  void denials(List<Traffic.Denial> denials) {
    section("policy: calls the mesh must refuse");
    String policy = "";
    for (Traffic.Denial d : denials) {
      if (!d.policy().equals(policy)) {
        policy = d.policy();
        line("  " + policy + ":");
      }
      line(
          "    "
              + pad(d.from() + ": " + d.request(), 58)
              + pad(d.outcome(), 32)
              + (d.refused() ? OK : NOT_OK + " (expected " + d.expected() + ")"));
    }
  }

  void resilience(Configured c, Resilience r, List<String> unexpected) {
    RetryPolicy retry = c.ratingsRetry();
    section(
        String.format(
            "resilience: VirtualService ratings, for reviews: abort %.0f %% with %d, %s",
            c.faultPerMillion() / 1e4,
            c.faultStatus(),
            retry == null
                ? "no retries"
                : retry.numRetries() + " retries on " + String.join(",", retry.retryOn())));
    line(
        String.format(
            "  reviews called ratings %d times; faults injected (FI, answered by reviews' agent,"
                + " never retried): %d (%.1f %%)",
            r.calls(), r.faults(), r.calls() == 0 ? 0 : 100.0 * r.faults() / r.calls()));
    line(
        String.format(
            "  the ratings app answered 503 %d times (%.0f %% of requests, seeded, at most %d in a"
                + " row)",
            r.appFailures(),
            100 * BookinfoApps.RATINGS_FAILURE_RATE,
            BookinfoApps.RATINGS_MAX_FAILURES_IN_A_ROW));
    line(
        String.format(
            "  reviews' agents retried %d times: %d calls needed a retry and ended 200 %s",
            r.retries(),
            r.retriedAndSucceeded(),
            r.retries() == r.appFailures() ? "(every 503 absorbed)" : "(NOT every 503 retried)"));
    line(
        "  unexpected failures: "
            + (unexpected.isEmpty() ? "none" : "\n    " + String.join("\n    ", unexpected)));
  }

  void latency(List<Page> pages, List<Call> calls) {
    section("latency in ms (as the caller measured it)");
    line("  " + pad("", 29) + "    n     p50     p90     p99     max");
    latencyRow("load generator → productpage", pages.stream().map(Page::nanos).toList());
    latencyRow("productpage → reviews", nanos(calls, c -> c.service().equals("reviews")));
    latencyRow(
        "reviews → ratings",
        nanos(calls, c -> c.service().equals("ratings") && !c.injectedFault()));
    line("  (a retried call waits Envoy's jittered back-off, 25 ms base, before its next try)");
  }

  private static List<Long> nanos(List<Call> calls, Predicate<Call> which) {
    return calls.stream().filter(which).map(Call::nanos).toList();
  }

  private void latencyRow(String name, List<Long> values) {
    List<Long> sorted = values.stream().sorted().toList();
    line(
        String.format(
            "  %-29s %5d %7.2f %7.2f %7.2f %7.2f",
            name,
            sorted.size(),
            Stats.percentileMillis(sorted, 50),
            Stats.percentileMillis(sorted, 90),
            Stats.percentileMillis(sorted, 99),
            Stats.percentileMillis(sorted, 100)));
  }

  void metrics(Map<Workload, String> metrics, List<String> adminNotReady) {
    section(
        "metrics: Istio's standard metrics, from each data plane's prometheusText() (abridged)");
    List<String> labels =
        List.of(
            "reporter",
            "source_workload",
            "source_principal",
            "destination_workload",
            "destination_principal",
            "response_code");
    sample(metrics.get(Workload.PRODUCTPAGE), "source", labels);
    sample(metrics.get(Workload.RATINGS), "destination", labels);
    String any = Workload.PRODUCTPAGE.ip();
    line(
        "  While it runs, each workload's agent serves them at "
            + Workload.PRODUCTPAGE.metricsUrl().replace(any, "<its address>")
            + ", and its admin the config dump at "
            + Workload.PRODUCTPAGE.configDumpUrl().replace(any, "<its address>")
            + (adminNotReady.isEmpty()
                ? " (every admin answered /ready)"
                : " (NOT every admin answered /ready)")
            + "; --keep-running keeps them up.");
  }

  private void sample(String text, String reporter, List<String> labels) {
    List<MetricLines.Sample> samples =
        new ArrayList<>(
            MetricLines.of(text == null ? "" : text, "istio_requests_total").stream()
                .filter(s -> s.label("reporter").equals(reporter))
                .toList());
    samples.sort(
        Comparator.comparing((MetricLines.Sample s) -> s.label("destination_workload"))
            .thenComparing(s -> s.label("source_workload"))
            .thenComparing(s -> s.label("response_code")));
    for (MetricLines.Sample s : samples) {
      line("  " + s.abridged("istio_requests_total", labels));
    }
  }

  void verdict(List<String> failures, long totalNanos) {
    line("");
    if (failures.isEmpty()) {
      line(
          String.format(
              "OK: every check held (split, identities, policy, faults and retries, admin ready, no unexpected"
                  + " failures) in %.1f s.",
              totalNanos / 1e9));
    } else {
      line("FAILED: " + failures.size() + " check(s) did not hold:");
      for (String f : failures) {
        line("  - " + f);
      }
    }
  }

  @Override
  public String toString() {
    return b.toString();
  }
}
