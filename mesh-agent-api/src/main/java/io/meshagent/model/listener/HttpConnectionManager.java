package io.meshagent.model.listener;

import io.meshagent.model.authz.JwtRequirement;
import io.meshagent.model.authz.RbacFilter;
import io.meshagent.model.route.FaultPolicy;
import io.meshagent.model.route.RouteConfiguration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * {@code envoy.filters.network.http_connection_manager}.
 *
 * @param name the filter name
 * @param statPrefix the stat prefix
 * @param rdsName the route configuration to fetch through RDS, or null when routes are inline
 * @param routeConfiguration the inline route configuration, or null when RDS is used
 * @param httpFilters the HTTP filter names in order
 * @param rbacFilters the {@code envoy.filters.http.rbac} filters in filter order (istiod: CUSTOM,
 *     DENY, ALLOW, AUDIT), applied one after the other
 * @param jwtProviders the providers of {@code envoy.filters.http.jwt_authn}, in order
 * @param jwtBypassCorsPreflight {@code jwt_authn}'s {@code bypass_cors_preflight}: CORS preflight
 *     requests pass without JWT verification (istiod sets it)
 * @param fault the {@code envoy.filters.http.fault} filter's own configuration, the default of
 *     routes without a {@code typed_per_filter_config} override ({@link FaultPolicy#NONE} when the
 *     filter has no inline configuration or is disabled); null when the connection manager has no
 *     fault filter, and then Envoy injects no faults at all
 */
public record HttpConnectionManager(
    String name,
    String statPrefix,
    @Nullable String rdsName,
    @Nullable RouteConfiguration routeConfiguration,
    List<String> httpFilters,
    List<RbacFilter> rbacFilters,
    List<JwtRequirement> jwtProviders,
    boolean jwtBypassCorsPreflight,
    @Nullable FaultPolicy fault)
    implements NetworkFilter {
  public HttpConnectionManager {
    httpFilters = List.copyOf(httpFilters);
    rbacFilters = List.copyOf(rbacFilters);
    jwtProviders = List.copyOf(jwtProviders);
  }

  /** An HTTP connection manager without a fault filter. */
  public HttpConnectionManager(
      String name,
      String statPrefix,
      @Nullable String rdsName,
      @Nullable RouteConfiguration routeConfiguration,
      List<String> httpFilters,
      List<RbacFilter> rbacFilters,
      List<JwtRequirement> jwtProviders) {
    this(
        name,
        statPrefix,
        rdsName,
        routeConfiguration,
        httpFilters,
        rbacFilters,
        jwtProviders,
        false,
        null);
  }

  /** An HTTP connection manager without authorization, JWT or fault filters. */
  public HttpConnectionManager(
      String name,
      String statPrefix,
      @Nullable String rdsName,
      @Nullable RouteConfiguration routeConfiguration,
      List<String> httpFilters) {
    this(name, statPrefix, rdsName, routeConfiguration, httpFilters, List.of(), List.of());
  }
}
