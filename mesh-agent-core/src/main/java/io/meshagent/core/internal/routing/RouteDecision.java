package io.meshagent.core.internal.routing;

import io.meshagent.model.route.CorsPolicy;
import io.meshagent.model.route.FaultPolicy;
import io.meshagent.model.route.HashPolicy;
import io.meshagent.model.route.HeaderOps;
import io.meshagent.model.route.RetryPolicy;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** What to do with a request, as {@link Router#route} decides it. */
public sealed interface RouteDecision {

  /**
   * Send the request upstream.
   *
   * @param cluster the cluster picked (for a weighted split, the one the draw fell on; for a
   *     cluster header, the header's value)
   * @param routeName the matched route's name
   * @param timeout the request's timeout; zero means none (gRPC: the {@code grpc-timeout} header
   *     capped by {@code grpc_timeout_header_max} when that is set)
   * @param maxStreamDuration the stream's maximum duration, or null
   * @param retryPolicy the route's retry policy, else the virtual host's, or null
   * @param hashPolicies the hash policies for ring hash and maglev ({@link RequestHash})
   * @param headerOps the header changes in the order Envoy applies them (weighted cluster, route,
   *     virtual host, route configuration; so the least specific wins a conflict)
   * @param pathRewrite the new {@code :path} after {@code prefix_rewrite}, or null to keep it
   * @param hostRewrite the new {@code :authority}, or null to keep it
   * @param mirrorClusters the clusters a copy of this request goes to
   * @param fault the fault to inject, or null
   * @param cors the CORS policy of {@code envoy.filters.http.cors}, its levels (weighted cluster,
   *     route, virtual host, route configuration) merged as Envoy merges them, or null when no
   *     level sets one; {@link Cors#evaluate} applies it when the connection manager has that
   *     filter. Only forwarding routes carry one: Envoy's CORS filter skips redirects and direct
   *     responses, which have no route entry
   */
  record Forward(
      String cluster,
      String routeName,
      Duration timeout,
      @Nullable Duration maxStreamDuration,
      @Nullable RetryPolicy retryPolicy,
      List<HashPolicy> hashPolicies,
      List<HeaderOps> headerOps,
      @Nullable String pathRewrite,
      @Nullable String hostRewrite,
      List<String> mirrorClusters,
      @Nullable Fault fault,
      @Nullable CorsPolicy cors)
      implements RouteDecision {}

  /**
   * Answer with a redirect.
   *
   * @param location the {@code location} header
   * @param code 301, 302, 303, 307 or 308
   * @param headerOps the header changes, in the order Envoy applies them
   */
  record Redirect(String location, int code, List<HeaderOps> headerOps) implements RouteDecision {}

  /**
   * Answer directly.
   *
   * @param status the HTTP status
   * @param body the body, possibly empty
   * @param headerOps the header changes, in the order Envoy applies them
   */
  record DirectResponse(int status, String body, List<HeaderOps> headerOps)
      implements RouteDecision {}

  /**
   * No upstream: Envoy answers with {@code reason.status()} and response flag {@code
   * reason.responseFlag()}.
   *
   * @param reason why
   */
  record NoRoute(Reason reason) implements RouteDecision {
    /** Why a request is not routed. */
    public enum Reason {
      /** No virtual host matches the authority: 404, {@code NR}. */
      NO_VIRTUAL_HOST(404, "NR"),
      /** No route of the virtual host matches: 404, {@code NR}. */
      NO_MATCHING_ROUTE(404, "NR"),
      /** The matched route is a {@code non_forwarding_action}: 404, {@code NR}. */
      NON_FORWARDING(404, "NR"),
      /** The route's {@code cluster_header} is absent: 503, {@code NC}. */
      CLUSTER_HEADER_ABSENT(503, "NC");

      private final int status;
      private final String responseFlag;

      Reason(int status, String responseFlag) {
        this.status = status;
        this.responseFlag = responseFlag;
      }

      /** The HTTP status Envoy answers with. */
      public int status() {
        return status;
      }

      /** Envoy's response flag in access logs. */
      public String responseFlag() {
        return responseFlag;
      }
    }
  }

  /**
   * A fault that fired for this request: wait {@code delay}, then answer with {@code abort}.
   *
   * <p>Envoy injects it only while fewer than {@code maxActiveFaults} requests have an active fault
   * (its {@code fault.active_faults} gauge); the caller keeps that count, so that this decision
   * stays a pure function.
   *
   * @param delay the delay, or null
   * @param abort the abort, or null
   * @param maxActiveFaults the most requests with an active fault at a time, or null for no limit
   */
  record Fault(
      @Nullable Duration delay, FaultPolicy.@Nullable Abort abort, @Nullable Long maxActiveFaults) {

    /** A fault without a limit on active faults. */
    public Fault(@Nullable Duration delay, FaultPolicy.@Nullable Abort abort) {
      this(delay, abort, null);
    }
  }
}
