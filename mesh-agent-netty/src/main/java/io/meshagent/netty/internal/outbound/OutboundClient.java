package io.meshagent.netty.internal.outbound;

import io.meshagent.MeshAgent;
import io.meshagent.core.internal.circuitbreaker.Admission;
import io.meshagent.core.internal.circuitbreaker.CircuitBreakers;
import io.meshagent.core.internal.outlier.Result;
import io.meshagent.core.internal.routing.Cors;
import io.meshagent.core.internal.routing.RequestHash;
import io.meshagent.core.internal.routing.RequestHeaders;
import io.meshagent.core.internal.routing.RouteDecision;
import io.meshagent.core.internal.telemetry.accesslog.ResponseCodeDetails;
import io.meshagent.core.internal.traffic.ClusterManager;
import io.meshagent.core.internal.traffic.Destination;
import io.meshagent.core.internal.traffic.HeaderEdits;
import io.meshagent.core.internal.traffic.HttpPlan;
import io.meshagent.core.internal.traffic.NoUpstreamException;
import io.meshagent.core.internal.traffic.OutboundPlanner;
import io.meshagent.core.internal.traffic.RetryPolicies;
import io.meshagent.core.internal.traffic.RetryPolicies.Outcome;
import io.meshagent.core.internal.traffic.Upstream;
import io.meshagent.model.cluster.RoutingPriority;
import io.meshagent.model.listener.HttpConnectionManager;
import io.meshagent.model.route.HeaderOps;
import io.meshagent.model.route.RetryPolicy;
import io.meshagent.netty.internal.observe.OutboundTelemetry;
import io.meshagent.netty.internal.observe.Telemetry;
import io.meshagent.snapshot.MeshSnapshot;
import io.meshagent.traffic.HttpHeader;
import io.meshagent.traffic.HttpProtocol;
import io.meshagent.traffic.MeshClient;
import io.meshagent.traffic.MeshHttpRequest;
import io.meshagent.traffic.MeshHttpResponse;
import io.meshagent.traffic.MeshSocket;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbound side: plans each request against the current snapshot, then executes the route
 * decision as Envoy's router does — fault injection, header operations and rewrites, mirrors, the
 * route timeout over all tries, per-try timeouts, retries with jittered back-off and retry circuit
 * breakers, endpoint picks with results fed back to outlier detection and least-request weighting.
 * The agent's own answers carry Envoy's status and response flag.
 */
public final class OutboundClient implements MeshClient, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OutboundClient.class);

  private final MeshAgent agent;
  private final ClusterManager clusters;
  private final HttpUpstreamPool pool;
  private final TcpConnector tcp;
  private final EventLoopGroup group;
  private final Telemetry telemetry;

  public OutboundClient(
      MeshAgent agent,
      ClusterManager clusters,
      UpstreamConnector connector,
      EventLoopGroup group,
      int maxBody,
      Telemetry telemetry) {
    this.agent = agent;
    this.clusters = clusters;
    this.pool = new HttpUpstreamPool(connector, maxBody, telemetry::ownFields);
    this.tcp = new TcpConnector(agent, clusters, connector, telemetry);
    this.group = group;
    this.telemetry = telemetry;
  }

  @Override
  public CompletableFuture<MeshSocket> connect(String host, int port) {
    return tcp.connect(new Destination(host, port));
  }

  @Override
  public CompletableFuture<MeshHttpResponse> send(MeshHttpRequest request) {
    Destination d;
    try {
      d = Destination.parse(request.authority());
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    OutboundTelemetry t = telemetry.outbound(request, "");
    return route(t, d).thenApply(t::finish);
  }

  private CompletableFuture<MeshHttpResponse> route(OutboundTelemetry t, Destination d) {
    MeshHttpRequest request = t.request();
    MeshSnapshot snapshot = agent.snapshot();
    RequestHeaders headers = HttpMessages.requestHeaders(request);
    long draw = ThreadLocalRandom.current().nextLong(1_000_000);
    HttpPlan plan =
        OutboundPlanner.planHttp(
            snapshot, d, headers, request.protocol() == HttpProtocol.HTTP_2, draw);
    if (plan instanceof HttpPlan.Unroutable u) {
      t.details(ResponseCodeDetails.ROUTE_NOT_FOUND);
      return local(503, "NR", u.reason(), List.of());
    }
    if (plan instanceof HttpPlan.Tcp tcp) {
      return new Call(snapshot, d, t, headers, tcp.cluster(), null).start();
    }
    RouteDecision decision = ((HttpPlan.Routed) plan).decision();
    if (decision instanceof RouteDecision.NoRoute n) {
      t.details(ResponseCodeDetails.noRoute(n.reason().responseFlag()));
      return local(
          n.reason().status(), n.reason().responseFlag(), "no route: " + n.reason(), List.of());
    }
    if (decision instanceof RouteDecision.DirectResponse dr) {
      t.details(ResponseCodeDetails.DIRECT_RESPONSE);
      return CompletableFuture.completedFuture(
          new MeshHttpResponse(
              dr.status(), HeaderEdits.response(List.of(), dr.headerOps()), utf8(dr.body())));
    }
    if (decision instanceof RouteDecision.Redirect r) {
      t.details(ResponseCodeDetails.DIRECT_RESPONSE);
      List<HttpHeader> h = new ArrayList<>();
      h.add(new HttpHeader("location", r.location()));
      return CompletableFuture.completedFuture(
          new MeshHttpResponse(r.code(), HeaderEdits.response(h, r.headerOps()), new byte[0]));
    }
    RouteDecision.Forward f = (RouteDecision.Forward) decision;
    HttpConnectionManager hcm = ((HttpPlan.Routed) plan).hcm();
    Cors.Outcome cors =
        hcm.httpFilters().contains(CORS_FILTER) ? Cors.evaluate(f.cors(), headers, draw) : NO_CORS;
    if (cors instanceof Cors.Outcome.Preflight p) {
      t.details(ResponseCodeDetails.CORS_RESPONSE);
      return CompletableFuture.completedFuture(
          new MeshHttpResponse(200, corsHeaders(List.of(), p.headers()), new byte[0]));
    }
    CompletableFuture<MeshHttpResponse> response =
        new Call(snapshot, d, t, headers, f.cluster(), f).start();
    if (cors instanceof Cors.Outcome.ResponseHeaders rh) {
      return response.thenApply(r -> r.withHeaders(corsHeaders(r.headers(), rh.headers())));
    }
    return response;
  }

  private static final String CORS_FILTER = "envoy.filters.http.cors";
  private static final Cors.Outcome NO_CORS = new Cors.Outcome.None();

  /** {@code headers} with the CORS filter's headers set (replacing any upstream value). */
  private static List<HttpHeader> corsHeaders(List<HttpHeader> headers, List<Cors.Header> set) {
    List<HttpHeader> out = new ArrayList<>(headers.size() + set.size());
    for (HttpHeader h : headers) {
      if (set.stream().noneMatch(c -> c.name().equals(h.name()))) {
        out.add(h);
      }
    }
    for (Cors.Header c : set) {
      out.add(new HttpHeader(c.name(), c.value()));
    }
    return out;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  static CompletableFuture<MeshHttpResponse> local(
      int status, String flag, String detail, List<HttpHeader> headers) {
    return CompletableFuture.completedFuture(localResponse(status, flag, detail, headers));
  }

  private static MeshHttpResponse localResponse(
      int status, String flag, String detail, List<HttpHeader> headers) {
    List<HttpHeader> h = new ArrayList<>(headers);
    h.add(new HttpHeader("content-type", "text/plain"));
    return new MeshHttpResponse(status, h, utf8(detail)).withUpstream(null, "", "", 0, flag);
  }

  /** One request: its decision, tries and timers. */
  private final class Call {
    private final MeshSnapshot snapshot;
    private final Destination destination;
    private final MeshHttpRequest original;
    private final OutboundTelemetry telemetry;
    private final RequestHeaders headers;
    private final String cluster;
    private final RouteDecision.@org.jspecify.annotations.Nullable Forward forward;
    private final CompletableFuture<MeshHttpResponse> result = new CompletableFuture<>();
    private final java.util.concurrent.atomic.AtomicBoolean answered =
        new java.util.concurrent.atomic.AtomicBoolean();
    private final long deadlineNanos;
    private MeshHttpRequest upstreamRequest;
    private volatile int attempts; // read by the route timer too
    private volatile @org.jspecify.annotations.Nullable String previousHost;
    private volatile @org.jspecify.annotations.Nullable Exchange inFlight;
    private volatile io.netty.util.concurrent.@org.jspecify.annotations.Nullable ScheduledFuture<?>
        routeTimer;

    Call(
        MeshSnapshot snapshot,
        Destination destination,
        OutboundTelemetry telemetry,
        RequestHeaders headers,
        String cluster,
        RouteDecision.@org.jspecify.annotations.Nullable Forward forward) {
      this.snapshot = snapshot;
      this.destination = destination;
      this.telemetry = telemetry;
      this.original = telemetry.request();
      this.headers = headers;
      this.cluster = cluster;
      this.forward = forward;
      this.upstreamRequest = original;
      Duration timeout = forward == null ? Duration.ZERO : forward.timeout();
      this.deadlineNanos = timeout.isZero() ? 0 : System.nanoTime() + timeout.toNanos();
    }

    CompletableFuture<MeshHttpResponse> start() {
      RouteDecision.Forward f = forward;
      if (f != null) {
        upstreamRequest = rewrite(original, f);
        for (String mirror : f.mirrorClusters()) {
          mirror(mirror);
        }
        if (deadlineNanos != 0) {
          routeTimer =
              group.schedule(
                  () -> timeout("UT", "route timeout " + f.timeout() + " reached"),
                  deadlineNanos - System.nanoTime(),
                  TimeUnit.NANOSECONDS);
        }
        RouteDecision.Fault fault = f.fault();
        if (fault != null && fault.delay() != null) {
          group.schedule(() -> afterDelay(fault), fault.delay().toNanos(), TimeUnit.NANOSECONDS);
          return result;
        }
        if (fault != null) {
          afterDelay(fault);
          return result;
        }
      }
      attempt();
      return result;
    }

    private void afterDelay(RouteDecision.Fault fault) {
      if (fault.abort() != null) {
        int status = fault.abort().httpStatus() > 0 ? fault.abort().httpStatus() : 503;
        // The route chose the cluster: telemetry labels the service from it, as Envoy does.
        finish(
            localResponse(status, "FI", "fault filter abort", List.of())
                .withUpstream(null, cluster, "", 0, "FI"),
            ResponseCodeDetails.FAULT_FILTER_ABORT);
        return;
      }
      attempt();
    }

    private void timeout(String flag, String why) {
      Exchange e = inFlight;
      String host = previousHost;
      // The route chose the cluster and the host being waited on: the access log and the labels
      // name them, as Envoy's do.
      MeshHttpResponse r =
          localResponse(504, flag, why, List.of())
              .withUpstream(null, cluster, host == null ? "" : host, attempts, flag);
      if (finish(r, ResponseCodeDetails.RESPONSE_TIMEOUT) && e != null) {
        e.cancel();
      }
    }

    private boolean finish(MeshHttpResponse r, String details) {
      return finish(r, details, null);
    }

    /**
     * Answers the request with {@code r}, once: a route timeout and a late response may race.
     *
     * @param details why {@code r} has its status, for the access log ({@link ResponseCodeDetails})
     * @param upstream the exchange that brought {@code r}, or null (a local answer): what its
     *     reader noted for telemetry is handed over only with the answer that wins, never a retried
     *     one's
     */
    private boolean finish(MeshHttpResponse r, String details, @Nullable Exchange upstream) {
      if (!answered.compareAndSet(false, true)) {
        return false;
      }
      // Before the result completes, which orders them for finish.
      if (upstream != null) {
        telemetry.upstream(upstream.noted, upstream.tunnelBaggage, upstream.localAddress());
      }
      telemetry.details(details);
      RouteDecision.Forward f = forward;
      MeshHttpResponse out =
          f == null || r.responseFlags().equals("FI")
              ? r
              : r.withHeaders(HeaderEdits.response(r.headers(), f.headerOps()));
      boolean done = result.complete(out);
      io.netty.util.concurrent.ScheduledFuture<?> timer = routeTimer;
      if (done && timer != null) {
        timer.cancel(false); // else each finished request's timer waits out the route timeout
      }
      return done;
    }

    private void attempt() {
      if (result.isDone()) {
        return;
      }
      attempts++;
      Upstream u;
      try {
        u = pick();
      } catch (NoUpstreamException e) {
        finish(
            localResponse(503, e.responseFlag(), e.getMessage(), List.of()),
            ResponseCodeDetails.noUpstream(e.responseFlag()));
        return;
      }
      CircuitBreakers.Resources cb =
          u.state().circuitBreakers().forPriority(RoutingPriority.DEFAULT);
      Admission request = cb.tryAcquireRequest();
      if (!(request instanceof Admission.Permit permit)) {
        finish(
            localResponse(503, "UO", "upstream overflow: " + request, List.of()),
            ResponseCodeDetails.ofReset("UO"));
        return;
      }
      previousHost = u.key();
      u.started();
      Exchange e = pool.send(u, upstreamRequest);
      inFlight = e;
      RetryPolicy retry = forward == null ? null : forward.retryPolicy();
      if (retry != null && retry.perTryTimeout() != null && !retry.perTryTimeout().isZero()) {
        var timer =
            group.schedule(
                () -> {
                  if (!e.response.isDone()) {
                    e.response.completeExceptionally(new PerTryTimeout());
                    e.cancel();
                  }
                },
                retry.perTryTimeout().toNanos(),
                TimeUnit.NANOSECONDS);
        // Cancelled when the try ends, so the timer does not hold the exchange until it fires.
        e.response.whenComplete((resp, err) -> timer.cancel(false));
      }
      e.response.whenComplete(
          (resp, err) -> {
            permit.close();
            onAttemptDone(u, resp, err, e);
          });
    }

    private Upstream pick() throws NoUpstreamException {
      RouteDecision.Forward f = forward;
      OptionalLong hash =
          f == null ? OptionalLong.empty() : RequestHash.of(f.hashPolicies(), headers);
      long value = hash.isPresent() ? hash.getAsLong() : ThreadLocalRandom.current().nextLong();
      Upstream u = clusters.pick(snapshot, cluster, value, destination);
      RetryPolicy retry = f == null ? null : f.retryPolicy();
      // previous_hosts predicate: re-pick (a bounded number of times) to avoid the last host.
      if (retry != null
          && previousHost != null
          && retry.retryHostPredicates().contains("envoy.retry_host_predicates.previous_hosts")) {
        for (long i = 0;
            i < Math.max(1, retry.hostSelectionRetryMaxAttempts()) && u.key().equals(previousHost);
            i++) {
          u = clusters.pick(snapshot, cluster, ThreadLocalRandom.current().nextLong(), destination);
        }
      }
      return u;
    }

    private void onAttemptDone(
        Upstream u,
        @org.jspecify.annotations.Nullable MeshHttpResponse resp,
        @org.jspecify.annotations.Nullable Throwable err,
        Exchange e) {
      Throwable cause =
          err instanceof CompletionException c && c.getCause() != null ? c.getCause() : err;
      Outcome outcome;
      int status;
      String flag;
      if (cause == null && resp != null) {
        outcome = Outcome.RESPONSE;
        status = resp.status();
        flag = "";
        u.finished(Result.httpStatus(status));
      } else if (cause instanceof UpstreamConnectException) {
        outcome = Outcome.CONNECT_FAILURE;
        status = 503;
        flag = "UF";
        u.finished(Result.LocalOrigin.CONNECT_FAILED);
      } else if (cause instanceof PerTryTimeout) {
        outcome = Outcome.PER_TRY_TIMEOUT;
        status = 504;
        flag = "UT";
        u.finished(Result.LocalOrigin.TIMEOUT);
      } else if (cause instanceof java.util.concurrent.CancellationException) {
        return; // the route timeout answered already
      } else {
        outcome = Outcome.RESET;
        status = 503;
        flag = cause instanceof UpstreamResetException r ? r.flag() : "UR";
        u.finished(Result.LocalOrigin.RESET);
      }
      if (result.isDone()) {
        return;
      }
      RetryPolicy retry = forward == null ? null : forward.retryPolicy();
      // As Envoy's RetryStateImpl::shouldRetry: a retriable outcome with no retries left is URX
      // (upstream retry limit exceeded), one the retry circuit breaker refuses is UO (overflow).
      boolean retriable = retry != null && RetryPolicies.retriable(retry, outcome, status);
      if (retriable && attempts > retry.numRetries()) {
        flag = flag.isEmpty() ? "URX" : flag + ",URX";
      } else if (retriable) {
        Admission permit =
            u.state().circuitBreakers().forPriority(RoutingPriority.DEFAULT).tryAcquireRetry();
        if (permit instanceof Admission.Permit p) {
          long wait = RetryPolicies.backoff(retry, attempts).toNanos();
          if (deadlineNanos == 0 || System.nanoTime() + wait < deadlineNanos) {
            group.schedule(
                () -> {
                  p.close();
                  attempt();
                },
                wait,
                TimeUnit.NANOSECONDS);
            return;
          }
          p.close();
        } else {
          flag = flag.isEmpty() ? "UO" : flag + ",UO";
        }
      }
      if (resp != null) {
        finish(
            resp.withUpstream(resp.peer(), u.cluster().name(), u.key(), attempts, flag),
            ResponseCodeDetails.VIA_UPSTREAM,
            e);
      } else {
        String detail = cause == null ? "upstream failed" : cause.getMessage();
        finish(
            localResponse(status, flag, detail, List.of())
                .withUpstream(null, u.cluster().name(), u.key(), attempts, flag),
            outcome == Outcome.PER_TRY_TIMEOUT
                ? ResponseCodeDetails.UPSTREAM_PER_TRY_TIMEOUT
                : ResponseCodeDetails.ofReset(flag));
      }
    }

    private void mirror(String mirrorCluster) {
      // Envoy's shadow: fire and forget, host suffixed with -shadow, never affects the response.
      try {
        Upstream u =
            clusters.pick(
                snapshot, mirrorCluster, ThreadLocalRandom.current().nextLong(), destination);
        String host = upstreamRequest.authority();
        int colon = host.lastIndexOf(':');
        String shadow =
            colon > 0
                ? host.substring(0, colon) + "-shadow" + host.substring(colon)
                : host + "-shadow";
        pool.send(u, upstreamRequest.toBuilder().authority(shadow).build())
            .response
            .whenComplete(
                (r, e) ->
                    u.finished(
                        e == null ? Result.httpStatus(r.status()) : Result.LocalOrigin.RESET));
      } catch (NoUpstreamException e) {
        log.debug("mirror to {} skipped: {}", mirrorCluster, e.getMessage());
      }
    }
  }

  private static MeshHttpRequest rewrite(MeshHttpRequest r, RouteDecision.Forward f) {
    List<HeaderOps> ops = f.headerOps();
    if (ops.isEmpty() && f.pathRewrite() == null && f.hostRewrite() == null) {
      return r;
    }
    MeshHttpRequest.Builder b = r.toBuilder().headers(HeaderEdits.request(r.headers(), ops));
    if (f.pathRewrite() != null) {
      b.path(f.pathRewrite());
    }
    if (f.hostRewrite() != null) {
      b.authority(f.hostRewrite()); // the Host header only: the cluster is already chosen
    }
    return b.build();
  }

  /** The per-try timeout fired. */
  private static final class PerTryTimeout extends Exception {
    private static final long serialVersionUID = 1L;

    PerTryTimeout() {
      super("per-try timeout", null, false, false);
    }
  }

  @Override
  public void close() {
    pool.close();
  }
}
