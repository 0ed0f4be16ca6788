package io.meshagent.samples.demo;

import io.meshagent.identity.SpiffeId;
import io.meshagent.traffic.InboundContext;
import io.meshagent.traffic.MeshHttpResponse;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jspecify.annotations.Nullable;

/**
 * What the demo's apps and load generator saw, as they saw it through the public API: every call
 * one service made to another (the response's verified peer, cluster, attempts and flags), every
 * request a service was handed (the caller's verified identity and transport), and every page the
 * load generator got. Thread-safe: written from the data planes' threads, read for the report.
 */
final class Observations {

  /**
   * One call from {@code from} to a service, as the caller's agent answered it.
   *
   * @param from the calling workload
   * @param service the service called ({@code reviews})
   * @param answeredBy the workload whose endpoint answered, or null when the agent answered itself
   *     before sending (an injected fault, no route)
   * @param status the status the app got
   * @param flags Envoy's response flags, empty when none
   * @param attempts the tries made (1 + retries); 0 when nothing was sent upstream
   * @param peer the upstream identity the caller's agent verified, or null
   * @param nanos how long the call took, as the app saw it
   */
  record Call(
      Workload from,
      String service,
      @Nullable Workload answeredBy,
      int status,
      String flags,
      int attempts,
      @Nullable SpiffeId peer,
      long nanos) {

    static Call of(Workload from, String service, MeshHttpResponse r, long nanos) {
      return new Call(
          from,
          service,
          r.upstreamHost().isEmpty() ? null : Workload.at(r.upstreamHost()),
          r.status(),
          r.responseFlags(),
          r.attempts(),
          r.peer(),
          nanos);
    }

    boolean injectedFault() {
      return flags.contains("FI");
    }
  }

  /**
   * A request a workload's app was handed by its agent.
   *
   * @param workload the serving workload
   * @param caller the caller's identity from its verified certificate, or null over plaintext
   * @param transport {@code mtls}, {@code hbone} or {@code plaintext}
   */
  record Served(Workload workload, @Nullable SpiffeId caller, String transport) {}

  /**
   * One productpage request of the load generator.
   *
   * @param status the HTTP status, or 0 when the request failed without one
   * @param nanos the round trip
   * @param error why it failed without a status, or empty
   */
  record Page(int status, long nanos, String error) {}

  private final Queue<Call> calls = new ConcurrentLinkedQueue<>();
  private final Queue<Served> served = new ConcurrentLinkedQueue<>();
  private final Queue<Page> pages = new ConcurrentLinkedQueue<>();

  void call(Call c) {
    calls.add(c);
  }

  void served(Workload w, InboundContext ctx) {
    served.add(new Served(w, ctx.peer(), ctx.transport()));
  }

  void page(Page p) {
    pages.add(p);
  }

  List<Call> calls() {
    return List.copyOf(calls);
  }

  List<Served> served() {
    return List.copyOf(served);
  }

  List<Page> pages() {
    return List.copyOf(pages);
  }
}
