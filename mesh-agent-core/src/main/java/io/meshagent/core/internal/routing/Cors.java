package io.meshagent.core.internal.routing;

import static java.util.Objects.requireNonNull;

import io.meshagent.model.StringMatcher;
import io.meshagent.model.route.CorsPolicy;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Envoy's CORS filter ({@code envoy.filters.http.cors}, {@code cors_filter.cc}) as pure functions:
 * {@link #merge} combines the levels of a route as the filter does, {@link #evaluate} decides what
 * the filter does to one request.
 */
public final class Cors {
  private static final int MILLION = 1_000_000;
  private static final long SALT_ENABLED = 0x2545F491L;

  private static final Outcome NONE = new Outcome.None();

  private Cors() {}

  /** What the CORS filter does to a request. */
  public sealed interface Outcome {
    /** Nothing: forward the request and leave the response alone. */
    record None() implements Outcome {}

    /**
     * A preflight the proxy answers itself: respond {@code 200} with these headers and no body, and
     * do not forward the request.
     *
     * @param headers the response headers to set
     */
    record Preflight(List<Header> headers) implements Outcome {
      public Preflight {
        headers = List.copyOf(headers);
      }
    }

    /**
     * A request from an allowed origin: forward it, then set these headers on its response.
     *
     * @param headers the response headers to set, replacing any upstream value
     */
    record ResponseHeaders(List<Header> headers) implements Outcome {
      public ResponseHeaders {
        headers = List.copyOf(headers);
      }
    }
  }

  /**
   * A header to set.
   *
   * @param name the lower-case name
   * @param value the value
   */
  public record Header(String name, String value) {
    public Header {
      requireNonNull(name, "name");
      requireNonNull(value, "value");
    }
  }

  /**
   * The policy Envoy's CORS filter applies, from the levels of a route, most specific first
   * (weighted cluster, route, virtual host, route configuration); null levels are skipped.
   *
   * <p>Envoy collects the {@code typed_per_filter_config} policies and reads the deprecated inline
   * ones only when there are none. Each field then comes from the most specific policy that sets
   * it, except whether the filter is enabled (and shadow-enabled), which only the most specific
   * policy decides.
   *
   * @return the merged policy, or null when no level has one
   */
  static @Nullable CorsPolicy merge(@Nullable CorsPolicy... mostSpecificFirst) {
    List<CorsPolicy> typed = new ArrayList<>(mostSpecificFirst.length);
    List<CorsPolicy> inline = new ArrayList<>(2);
    for (CorsPolicy p : mostSpecificFirst) {
      if (p != null) {
        (p.legacyInline() ? inline : typed).add(p);
      }
    }
    List<CorsPolicy> policies = typed.isEmpty() ? inline : typed;
    if (policies.isEmpty()) {
      return null;
    }
    if (policies.size() == 1) {
      return policies.get(0);
    }
    List<StringMatcher> origins = List.of();
    String methods = "";
    String headers = "";
    String expose = "";
    String maxAge = "";
    Boolean credentials = null;
    Boolean privateNetwork = null;
    Boolean forwardNotMatching = null;
    for (CorsPolicy p : policies) {
      origins = origins.isEmpty() ? p.allowOrigins() : origins;
      methods = methods.isEmpty() ? p.allowMethods() : methods;
      headers = headers.isEmpty() ? p.allowHeaders() : headers;
      expose = expose.isEmpty() ? p.exposeHeaders() : expose;
      maxAge = maxAge.isEmpty() ? p.maxAge() : maxAge;
      credentials = credentials == null ? p.allowCredentials() : credentials;
      privateNetwork = privateNetwork == null ? p.allowPrivateNetworkAccess() : privateNetwork;
      forwardNotMatching =
          forwardNotMatching == null ? p.forwardNotMatchingPreflights() : forwardNotMatching;
    }
    CorsPolicy first = policies.get(0);
    return new CorsPolicy(
        origins,
        methods,
        headers,
        expose,
        maxAge,
        credentials,
        privateNetwork,
        forwardNotMatching,
        first.filterEnabledPerMillion(),
        first.shadowEnabledPerMillion(),
        false);
  }

  /**
   * What Envoy's CORS filter does to {@code request} under {@code policy} ({@link
   * RouteDecision.Forward#cors()}).
   *
   * <ul>
   *   <li>No policy, the filter disabled (or only shadow-enabled, which Envoy merely counts), or no
   *       {@code origin}: nothing.
   *   <li>A preflight ({@code OPTIONS} with {@code origin} and {@code
   *       access-control-request-method}) is answered with {@code 200}: {@code
   *       access-control-allow-origin} when the origin is allowed, then {@code
   *       access-control-allow-credentials}, {@code -allow-methods}, {@code -allow-headers} ({@code
   *       *} echoes the request's {@code access-control-request-*}), {@code -max-age} and {@code
   *       -allow-private-network} as configured. A preflight from an origin that is not allowed is
   *       forwarded untouched unless {@code forward_not_matching_preflights} is false.
   *   <li>Any other request from an allowed origin gets {@code access-control-allow-origin}, {@code
   *       -allow-credentials} and {@code -expose-headers} on its response.
   * </ul>
   *
   * @param randomDraw a uniform random value in [0, 1,000,000), as for {@link Router#route}; a
   *     fractional {@code filter_enabled} samples a value derived from it
   */
  public static Outcome evaluate(
      @Nullable CorsPolicy policy, RequestHeaders request, long randomDraw) {
    if (policy == null) {
      return NONE;
    }
    if (!sampled(policy.filterEnabledPerMillion(), randomDraw)) {
      // Shadow mode (shadow_enabled without filter_enabled) only counts origins in Envoy's stats.
      return NONE;
    }
    String origin = request.header("origin");
    if (origin == null || origin.isEmpty()) {
      return NONE;
    }
    boolean allowed = originAllowed(policy.allowOrigins(), origin);
    String requestMethod = request.header("access-control-request-method");
    boolean preflight =
        request.method().equals("OPTIONS") && requestMethod != null && !requestMethod.isEmpty();
    if (!preflight) {
      return allowed ? new Outcome.ResponseHeaders(simpleHeaders(policy, origin)) : NONE;
    }
    if (!allowed && !Boolean.FALSE.equals(policy.forwardNotMatchingPreflights())) {
      return NONE;
    }
    List<Header> headers = new ArrayList<>(7);
    if (allowed) {
      headers.add(new Header("access-control-allow-origin", origin));
    }
    if (Boolean.TRUE.equals(policy.allowCredentials())) {
      headers.add(new Header("access-control-allow-credentials", "true"));
    }
    if (!policy.allowMethods().isEmpty()) {
      headers.add(
          new Header(
              "access-control-allow-methods",
              policy.allowMethods().equals("*") ? requestMethod : policy.allowMethods()));
    }
    if (!policy.allowHeaders().isEmpty()) {
      String requested = request.header("access-control-request-headers");
      headers.add(
          new Header(
              "access-control-allow-headers",
              policy.allowHeaders().equals("*")
                  ? (requested == null ? "" : requested)
                  : policy.allowHeaders()));
    }
    if (!policy.maxAge().isEmpty()) {
      headers.add(new Header("access-control-max-age", policy.maxAge()));
    }
    if (Boolean.TRUE.equals(policy.allowPrivateNetworkAccess())
        && "true".equals(request.header("access-control-request-private-network"))) {
      headers.add(new Header("access-control-allow-private-network", "true"));
    }
    // Envoy's local reply passes back through the CORS filter's encodeHeaders, which adds the
    // simple-request headers (and so expose-headers) for an allowed origin.
    if (allowed && !policy.exposeHeaders().isEmpty()) {
      headers.add(new Header("access-control-expose-headers", policy.exposeHeaders()));
    }
    return new Outcome.Preflight(headers);
  }

  private static List<Header> simpleHeaders(CorsPolicy policy, String origin) {
    List<Header> headers = new ArrayList<>(3);
    headers.add(new Header("access-control-allow-origin", origin));
    if (Boolean.TRUE.equals(policy.allowCredentials())) {
      headers.add(new Header("access-control-allow-credentials", "true"));
    }
    if (!policy.exposeHeaders().isEmpty()) {
      headers.add(new Header("access-control-expose-headers", policy.exposeHeaders()));
    }
    return headers;
  }

  /** Envoy's {@code isOriginAllowed}: a matcher that accepts {@code *} allows every origin. */
  private static boolean originAllowed(List<StringMatcher> allowed, String origin) {
    for (StringMatcher m : allowed) {
      if (m.matches("*") || m.matches(origin)) {
        return true;
      }
    }
    return false;
  }

  private static boolean sampled(int perMillion, long draw) {
    if (perMillion >= MILLION) {
      return true;
    }
    return perMillion > 0 && Router.derive(draw, SALT_ENABLED) < perMillion;
  }
}
