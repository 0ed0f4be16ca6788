package io.meshagent.samples.demo;

import io.meshagent.identity.SpiffeId;
import io.meshagent.samples.demo.Observations.Call;
import io.meshagent.samples.demo.Observations.Page;
import io.meshagent.samples.demo.Observations.Served;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The demo's findings and the checks on them, and their text. Immutable. {@link #exitCode()} is 0
 * when every check held; {@link #failures()} says which did not, and why.
 */
public final class DemoReport {

  /**
   * The requests one reviews workload got, against its configured weight (percentages).
   *
   * @param tolerance the allowed distance from {@code configured}, see {@link Stats#tolerance}
   */
  record Share(Workload workload, int count, double observed, double configured, double tolerance) {
    boolean ok() {
      return Math.abs(observed - configured) <= tolerance;
    }
  }

  /**
   * The identities of one hop as both ends verified them.
   *
   * @param clientVerified the upstream identities the caller's agent verified ({@code peer()})
   * @param serverSaw the callers' identities the callee's agent handed its app ({@code
   *     InboundContext.peer()}, {@code none} over plaintext)
   * @param transports how the callee's requests arrived
   * @param expected what should have been seen, for the report
   */
  record Hop(
      String from,
      Workload to,
      Set<String> clientVerified,
      Set<String> serverSaw,
      Set<String> transports,
      String expected,
      boolean ok) {}

  /**
   * Resilience on reviews' calls to ratings.
   *
   * @param calls the calls made
   * @param faults those the route aborted (FI)
   * @param appFailures the 503s the ratings app answered
   * @param retries the retries the agents made
   * @param retriedAndSucceeded the calls that needed a retry and ended 200
   */
  record Resilience(int calls, int faults, int appFailures, int retries, int retriedAndSucceeded) {}

  private final List<String> failures;
  private final String text;
  private final List<Share> split;
  private final List<Hop> hops;
  private final List<Traffic.Denial> denials;
  private final @Nullable Resilience resilience;
  private final List<String> unexpected;
  private final int pages;

  private DemoReport(
      List<String> failures,
      String text,
      List<Share> split,
      List<Hop> hops,
      List<Traffic.Denial> denials,
      @Nullable Resilience resilience,
      List<String> unexpected,
      int pages) {
    this.failures = List.copyOf(failures);
    this.text = text;
    this.split = List.copyOf(split);
    this.hops = List.copyOf(hops);
    this.denials = List.copyOf(denials);
    this.resilience = resilience;
    this.unexpected = List.copyOf(unexpected);
    this.pages = pages;
  }

  /** The demo could not run. */
  static DemoReport failed(String why) {
    return new DemoReport(
        List.of(why), "FAILED: " + why + "\n", List.of(), List.of(), List.of(), null, List.of(), 0);
  }

  /** The findings of a run, checked. */
  static DemoReport of(
      DemoOptions options,
      Configured configured,
      Observations seen,
      List<Traffic.Denial> denials,
      int ratingsAppFailures,
      Map<Workload, String> metrics,
      List<String> adminNotReady,
      long trafficNanos,
      long totalNanos) {
    List<String> failures = new ArrayList<>();
    List<Call> calls = seen.calls();
    List<Page> pageList = seen.pages();
    ReportText out = new ReportText();

    List<Share> split = split(configured, calls, failures);
    out.split(configured, split, pageList.size(), trafficNanos);
    List<Hop> hops = hops(calls, seen.served(), options.istiod() != null, failures);
    out.identities(hops);
    for (Traffic.Denial d : denials) {
      if (!d.refused()) {
        failures.add(
            "policy: "
                + d.from()
                + " "
                + d.request()
                + " should be refused ("
                + d.expected()
                + ") but was: "
                + d.outcome());
      }
    }
    out.denials(denials);
    Resilience resilience = resilience(configured, calls, ratingsAppFailures, failures);
    List<String> unexpected = unexpected(calls, pageList);
    if (!unexpected.isEmpty()) {
      failures.add("unexpected failures: " + String.join("; ", unexpected));
    }
    out.resilience(configured, resilience, unexpected);
    out.latency(pageList, calls);
    out.metrics(metrics, adminNotReady);
    for (String a : adminNotReady) {
      failures.add("admin: " + a);
    }
    out.verdict(failures, totalNanos);
    return new DemoReport(
        failures, out.toString(), split, hops, denials, resilience, unexpected, pageList.size());
  }

  private static List<Share> split(Configured configured, List<Call> calls, List<String> failures) {
    Map<String, Integer> counts = new TreeMap<>();
    int n = 0;
    for (Call c : calls) {
      if (c.from().equals(Workload.PRODUCTPAGE)
          && c.service().equals("reviews")
          && c.answeredBy() != null) {
        counts.merge(c.answeredBy().name(), 1, Integer::sum);
        n++;
      }
    }
    List<Share> out = new ArrayList<>();
    if (configured.split().isEmpty()) {
      failures.add("routing: productpage's route to reviews has no weighted split");
      return out;
    }
    for (Map.Entry<Workload, Double> e : configured.split().entrySet()) {
      int count = counts.getOrDefault(e.getKey().name(), 0);
      double p = e.getValue() / 100;
      Share s =
          new Share(
              e.getKey(),
              count,
              n == 0 ? 0 : 100.0 * count / n,
              e.getValue(),
              100 * Stats.tolerance(p, n));
      out.add(s);
      if (n == 0 || !s.ok()) {
        failures.add(
            String.format(
                "routing: %s got %.1f %% of %d reviews requests, configured %.0f %% ± %.1f %%",
                s.workload().name(), s.observed(), n, s.configured(), s.tolerance()));
      }
    }
    return out;
  }

  private static List<Hop> hops(
      List<Call> calls, List<Served> served, boolean istiod, List<String> failures) {
    record Edge(Workload from, Workload to, String transport) {}
    List<Edge> expected =
        List.of(
            new Edge(Workload.PRODUCTPAGE, Workload.DETAILS, "mtls"),
            new Edge(Workload.PRODUCTPAGE, Workload.REVIEWS_V1, "mtls"),
            new Edge(Workload.PRODUCTPAGE, Workload.REVIEWS_V2, "mtls"),
            new Edge(Workload.PRODUCTPAGE, Workload.REVIEWS_V3, "hbone"),
            new Edge(Workload.REVIEWS_V2, Workload.RATINGS, "mtls"),
            new Edge(Workload.REVIEWS_V3, Workload.RATINGS, "mtls"));
    List<Hop> out = new ArrayList<>();
    // The edge: the load generator is outside the mesh, productpage is PERMISSIVE.
    Set<String> edgeSaw = callers(served, Workload.PRODUCTPAGE);
    Set<String> edgeTransports = transports(served, Workload.PRODUCTPAGE);
    boolean edgeOk = edgeSaw.equals(Set.of("none")) && edgeTransports.equals(Set.of("plaintext"));
    out.add(
        new Hop(
            "load generator",
            Workload.PRODUCTPAGE,
            Set.of("-"),
            edgeSaw,
            edgeTransports,
            "none, plaintext",
            edgeOk));
    if (!edgeOk) {
      failures.add("identity: productpage saw " + edgeSaw + " over " + edgeTransports);
    }
    for (Edge e : expected) {
      Set<String> client = new TreeSet<>();
      for (Call c : calls) {
        if (c.from().equals(e.from) && e.to.equals(c.answeredBy()) && !c.injectedFault()) {
          client.add(name(c.peer()));
        }
      }
      if (client.isEmpty()) {
        failures.add(
            "identity: no call from "
                + e.from.name()
                + " reached "
                + e.to.name()
                + " (too few requests for every version to get one?)");
        continue;
      }
      Set<String> server = callers(served, e.to);
      Set<String> transports = transports(served, e.to);
      // With istiod, the cluster decides which workloads are reached over HBONE.
      Set<String> allowed = istiod ? Set.of("mtls", "hbone") : Set.of(e.transport);
      boolean ok =
          client.equals(Set.of(e.to.spiffeId().toString()))
              && server.equals(Set.of(e.from.spiffeId().toString()))
              && allowed.containsAll(transports);
      String expectation =
          e.to.spiffeId().serviceAccount()
              + " / "
              + e.from.spiffeId().serviceAccount()
              + ", "
              + String.join(" or ", new TreeSet<>(allowed));
      out.add(new Hop(e.from.name(), e.to, client, server, transports, expectation, ok));
      if (!ok) {
        failures.add(
            "identity: "
                + e.from.name()
                + " → "
                + e.to.name()
                + ": the client verified "
                + client
                + ", the server saw "
                + server
                + " over "
                + transports
                + "; expected "
                + expectation);
      }
    }
    return out;
  }

  private static Set<String> callers(List<Served> served, Workload w) {
    Set<String> out = new TreeSet<>();
    for (Served s : served) {
      if (s.workload().equals(w)) {
        out.add(name(s.caller()));
      }
    }
    return out;
  }

  private static Set<String> transports(List<Served> served, Workload w) {
    Set<String> out = new TreeSet<>();
    for (Served s : served) {
      if (s.workload().equals(w)) {
        out.add(s.transport());
      }
    }
    return out;
  }

  private static String name(@Nullable SpiffeId id) {
    return id == null ? "none" : id.toString();
  }

  private static Resilience resilience(
      Configured configured, List<Call> calls, int appFailures, List<String> failures) {
    int n = 0;
    int faults = 0;
    int retries = 0;
    int retriedOk = 0;
    for (Call c : calls) {
      if (!c.service().equals("ratings") || !c.from().app().equals("reviews")) {
        continue;
      }
      n++;
      if (c.injectedFault()) {
        faults++;
      }
      retries += Math.max(0, c.attempts() - 1);
      if (c.attempts() > 1 && c.status() == 200) {
        retriedOk++;
      }
    }
    Resilience r = new Resilience(n, faults, appFailures, retries, retriedOk);
    double p = configured.faultPerMillion() / 1e6;
    double tolerance = Stats.tolerance(p, n);
    if (n > 0 && Math.abs((double) faults / n - p) > tolerance) {
      failures.add(
          String.format(
              "faults: %d of %d calls to ratings aborted (%.1f %%), configured %.1f %% ± %.1f %%",
              faults, n, 100.0 * faults / n, 100 * p, 100 * tolerance));
    }
    if (appFailures > 0 && configured.ratingsRetry() == null) {
      failures.add("retries: reviews' route to ratings has no retry policy");
    } else if (retries != appFailures) {
      failures.add(
          "retries: the ratings app failed "
              + appFailures
              + " times but the agents retried "
              + retries
              + " times");
    }
    return r;
  }

  /** Every answer that neither the configuration nor the policy explains, counted. */
  private static List<String> unexpected(List<Call> calls, List<Page> pages) {
    Map<String, Integer> counts = new TreeMap<>();
    for (Page p : pages) {
      if (p.status() != 200) {
        counts.merge(
            "load generator → productpage: "
                + (p.status() == 0 ? p.error() : Integer.toString(p.status())),
            1,
            Integer::sum);
      }
    }
    for (Call c : calls) {
      if (c.status() != 200 && !c.injectedFault()) {
        counts.merge(
            c.from().name()
                + " → "
                + c.service()
                + ": "
                + c.status()
                + (c.flags().isEmpty() ? "" : " " + c.flags())
                + " after "
                + c.attempts()
                + " attempts",
            1,
            Integer::sum);
      }
    }
    List<String> out = new ArrayList<>();
    counts.forEach((what, n) -> out.add(what + (n > 1 ? " (" + n + " times)" : "")));
    return out;
  }

  /** 0 when every check held, else 1. */
  public int exitCode() {
    return failures.isEmpty() ? 0 : 1;
  }

  /** The checks that did not hold, each with its reason; empty when all held. */
  public List<String> failures() {
    return failures;
  }

  /** The report as printed. */
  public String text() {
    return text;
  }

  List<Share> split() {
    return split;
  }

  List<Hop> hops() {
    return hops;
  }

  List<Traffic.Denial> denials() {
    return denials;
  }

  @Nullable Resilience resilience() {
    return resilience;
  }

  List<String> unexpected() {
    return unexpected;
  }

  /** How many productpage requests the load generator sent. */
  int pages() {
    return pages;
  }
}
