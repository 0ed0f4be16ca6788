package io.meshagent.core.internal.telemetry.accesslog;

import org.jspecify.annotations.Nullable;

/**
 * Envoy's {@code %RESPONSE_CODE_DETAILS%} values for the answers the agent gives or passes on
 * (Envoy's {@code ResponseCodeDetailValues} in {@code stream_info.h}, and the RBAC, JWT and CORS
 * filters' own), so that an operator greps an agent's access log for the words a sidecar's uses.
 */
public final class ResponseCodeDetails {
  /** The upstream (or the in-process app) sent the response. */
  public static final String VIA_UPSTREAM = "via_upstream";

  /** A route's direct response or redirect. */
  public static final String DIRECT_RESPONSE = "direct_response";

  /** No virtual host or route matched, or the route forwards nowhere. */
  public static final String ROUTE_NOT_FOUND = "route_not_found";

  /** The route names a cluster the agent does not have. */
  public static final String CLUSTER_NOT_FOUND = "cluster_not_found";

  /** The cluster had no healthy endpoint. */
  public static final String NO_HEALTHY_UPSTREAM = "no_healthy_upstream";

  /** The route's timeout passed before the response came. */
  public static final String RESPONSE_TIMEOUT = "response_timeout";

  /** The last try's per-try timeout passed. */
  public static final String UPSTREAM_PER_TRY_TIMEOUT = "upstream_per_try_timeout";

  /** The fault filter aborted the request. */
  public static final String FAULT_FILTER_ABORT = "fault_filter_abort";

  /** The caller went away before its answer could be sent. */
  public static final String DOWNSTREAM_REMOTE_DISCONNECT = "downstream_remote_disconnect";

  /** The CORS filter answered a preflight request. */
  public static final String CORS_RESPONSE = "cors_response";

  private ResponseCodeDetails() {}

  /**
   * No response came from the upstream because of {@code why} ({@code remote_connection_failure},
   * {@code connection_termination}, {@code remote_reset}, {@code overflow}), as Envoy's router
   * words an early reset.
   */
  private static String resetBeforeResponse(String why) {
    return "upstream_reset_before_response_started{" + why + "}";
  }

  /**
   * No response came because of Envoy's reset flag {@code flags} (its first flag counts): {@code
   * UF} the connect failed, {@code UC} the connection ended under the request, {@code UO} a circuit
   * breaker overflowed, {@code UR} (or anything else) the stream was reset.
   */
  public static String ofReset(String flags) {
    int comma = flags.indexOf(',');
    String first = comma < 0 ? flags : flags.substring(0, comma);
    return resetBeforeResponse(
        switch (first) {
          case "UF" -> "remote_connection_failure";
          case "UC" -> "connection_termination";
          case "UO" -> "overflow";
          default -> "remote_reset";
        });
  }

  /** The router found no route: {@code NC} when the route's cluster header was absent. */
  public static String noRoute(String flag) {
    return flag.equals("NC") ? CLUSTER_NOT_FOUND : ROUTE_NOT_FOUND;
  }

  /** The RBAC filter denied the request; {@code policy} matched (a DENY), or null when none did. */
  public static String rbacDenied(@Nullable String policy) {
    return "rbac_access_denied_matched_policy["
        + (policy == null || policy.isEmpty() ? "none" : policy)
        + "]";
  }

  /** The JWT filter refused the request's token for {@code reason}. */
  public static String jwtDenied(String reason) {
    return "jwt_authn_access_denied{" + reason + "}";
  }

  /** The router found no endpoint: {@code NC} (no cluster) or {@code UH} (none healthy). */
  public static String noUpstream(String flag) {
    return flag.equals("NC") ? CLUSTER_NOT_FOUND : NO_HEALTHY_UPSTREAM;
  }
}
