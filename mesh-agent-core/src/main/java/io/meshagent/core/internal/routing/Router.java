package io.meshagent.core.internal.routing;

import io.meshagent.model.route.CorsPolicy;
import io.meshagent.model.route.FaultPolicy;
import io.meshagent.model.route.HeaderMatcher;
import io.meshagent.model.route.RequestMirrorPolicy;
import io.meshagent.model.route.RouteAction;
import io.meshagent.model.route.RouteConfiguration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Envoy's HTTP routing as a pure function: {@code (configuration, request, random draw) →} {@link
 * RouteDecision}. Lock-free; a decision allocates only what it returns (plus a regex matcher for
 * regex routes and the lazily parsed query when a route matches on it).
 *
 * <p>The draw plays the part of Envoy's per-request random value: runtime fractions compare {@code
 * draw mod 10^6} with their share in parts per million, a weighted split picks by {@code draw mod
 * total weight} as Envoy does. Mirror sampling and fault percentages, which Envoy rolls separately,
 * use independent values derived from the draw ({@link #derive}).
 */
public final class Router {
  private static final long MILLION = 1_000_000;
  private static final long SALT_DELAY = 0x5DEECE66DL;
  private static final long SALT_ABORT = 0xB5297A4DL;
  private static final long SALT_MIRROR = 0x68E31DA4L;

  private Router() {}

  /**
   * Routes a request.
   *
   * @param randomDraw a uniform random value in [0, 1,000,000)
   */
  public static RouteDecision route(
      RouteConfiguration config, RequestHeaders request, long randomDraw) {
    return route(RouteTable.of(config), request, randomDraw);
  }

  /** Routes a request with a table the caller holds. */
  public static RouteDecision route(RouteTable table, RequestHeaders request, long randomDraw) {
    CompiledVirtualHost vh = table.findVirtualHost(request.authority());
    if (vh == null) {
      return new RouteDecision.NoRoute(RouteDecision.NoRoute.Reason.NO_VIRTUAL_HOST);
    }
    for (CompiledRoute r : vh.routes) {
      if (r.matches(request, randomDraw)) {
        return decide(r, request, randomDraw);
      }
    }
    return new RouteDecision.NoRoute(RouteDecision.NoRoute.Reason.NO_MATCHING_ROUTE);
  }

  private static RouteDecision decide(CompiledRoute r, RequestHeaders request, long draw) {
    RouteAction action = r.route.action();
    if (action instanceof RouteAction.Forward f) {
      return forward(r, f, request, draw);
    }
    if (action instanceof RouteAction.Redirect redirect) {
      return new RouteDecision.Redirect(
          Redirects.location(redirect, request), redirect.responseCode(), r.headerOps);
    }
    if (action instanceof RouteAction.DirectResponse d) {
      return new RouteDecision.DirectResponse(d.status(), d.body(), r.headerOps);
    }
    return new RouteDecision.NoRoute(RouteDecision.NoRoute.Reason.NON_FORWARDING);
  }

  private static RouteDecision forward(
      CompiledRoute r, RouteAction.Forward f, RequestHeaders request, long draw) {
    String cluster = f.cluster();
    var headerOps = r.headerOps;
    FaultPolicy fault = r.fault;
    CorsPolicy cors = r.cors;
    if (r.totalWeight > 0) {
      // Envoy: random % total weight, then the first cluster whose running sum exceeds it.
      long pick = Long.remainderUnsigned(draw, r.totalWeight);
      int i = 0;
      while (pick >= r.cumulative[i]) {
        i++;
      }
      cluster = f.weightedClusters().get(i).name();
      headerOps = r.clusterHeaderOps.get(i);
      fault = r.clusterFaults.get(i);
      cors = r.clusterCors.get(i);
    } else if (!f.clusterHeader().isEmpty()) {
      String value = request.header(f.clusterHeader());
      if (value == null || value.isEmpty()) {
        return new RouteDecision.NoRoute(RouteDecision.NoRoute.Reason.CLUSTER_HEADER_ABSENT);
      }
      cluster = value;
    }
    return new RouteDecision.Forward(
        cluster,
        r.route.name(),
        timeout(f, request),
        f.maxStreamDuration(),
        r.retry,
        f.hashPolicies(),
        headerOps,
        r.rewritePath(request.path(), f),
        f.hostRewrite(),
        mirrors(r, f, draw),
        fault(fault, cluster, request, draw),
        cors);
  }

  /**
   * Envoy's router timeout: for a gRPC request on a route with {@code grpc_timeout_header_max}, the
   * {@code grpc-timeout} header (none: infinite) capped by that maximum (zero: no cap); otherwise
   * the route's timeout.
   */
  static Duration timeout(RouteAction.Forward f, RequestHeaders request) {
    Duration max = f.grpcTimeoutHeaderMax();
    if (max == null || !request.isGrpc()) {
      return f.timeout();
    }
    Duration header = GrpcTimeout.parse(request.header("grpc-timeout"));
    Duration timeout = header == null ? Duration.ZERO : header;
    if (!max.isZero() && (timeout.isZero() || timeout.compareTo(max) > 0)) {
      timeout = max;
    }
    return timeout;
  }

  private static List<String> mirrors(CompiledRoute r, RouteAction.Forward f, long draw) {
    if (r.allMirrors != null) {
      return r.allMirrors;
    }
    List<String> out = new ArrayList<>(f.mirrors().size());
    long salt = SALT_MIRROR;
    for (RequestMirrorPolicy m : f.mirrors()) {
      if (derive(draw, salt++) < m.runtimeFractionPerMillion()) {
        out.add(m.cluster());
      }
    }
    return List.copyOf(out);
  }

  /**
   * Envoy's fault filter: faults apply to requests bound to {@code upstream_cluster} (the picked
   * cluster), from one of {@code downstream_nodes} ({@code x-envoy-downstream-service-node}) and
   * matching every header matcher; then the delay and the abort each fire with their percentage. A
   * delay under a millisecond is none, as Envoy's timer counts milliseconds.
   */
  private static RouteDecision.@Nullable Fault fault(
      @Nullable FaultPolicy fault, String cluster, RequestHeaders request, long draw) {
    if (fault == null || !fault.injects()) {
      return null;
    }
    if (!fault.upstreamCluster().isEmpty() && !fault.upstreamCluster().equals(cluster)) {
      return null;
    }
    if (!fault.downstreamNodes().isEmpty()) {
      String node = request.header("x-envoy-downstream-service-node");
      if (node == null || !fault.downstreamNodes().contains(node)) {
        return null;
      }
    }
    for (HeaderMatcher h : fault.headers()) {
      if (!HeaderMatching.matches(h, request.header(h.name()))) {
        return null;
      }
    }
    Duration delay =
        fault.delay() != null
                && fault.delay().fixed().toMillis() > 0
                && derive(draw, SALT_DELAY) < fault.delay().perMillion()
            ? fault.delay().fixed()
            : null;
    FaultPolicy.Abort abort =
        fault.abort() != null && derive(draw, SALT_ABORT) < fault.abort().perMillion()
            ? fault.abort()
            : null;
    return delay == null && abort == null
        ? null
        : new RouteDecision.Fault(delay, abort, fault.maxActiveFaults());
  }

  /**
   * A value in [0, 10^6) derived from the draw and a salt (SplitMix64's finalizer), so that a
   * mirror's or a fault's percentage is sampled independently of the route's and the split's.
   */
  static long derive(long draw, long salt) {
    long z = draw + salt * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z = z ^ (z >>> 31);
    return Long.remainderUnsigned(z, MILLION);
  }
}
