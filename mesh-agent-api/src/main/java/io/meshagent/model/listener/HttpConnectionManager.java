package io.meshagent.model.listener;

import io.meshagent.model.authz.JwtRequirement;
import io.meshagent.model.authz.RbacFilter;
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
 */
public record HttpConnectionManager(
    String name,
    String statPrefix,
    @Nullable String rdsName,
    @Nullable RouteConfiguration routeConfiguration,
    List<String> httpFilters,
    List<RbacFilter> rbacFilters,
    List<JwtRequirement> jwtProviders)
    implements NetworkFilter {
  public HttpConnectionManager {
    httpFilters = List.copyOf(httpFilters);
    rbacFilters = List.copyOf(rbacFilters);
    jwtProviders = List.copyOf(jwtProviders);
  }

  /** An HTTP connection manager without authorization or JWT filters. */
  public HttpConnectionManager(
      String name,
      String statPrefix,
      @Nullable String rdsName,
      @Nullable RouteConfiguration routeConfiguration,
      List<String> httpFilters) {
    this(name, statPrefix, rdsName, routeConfiguration, httpFilters, List.of(), List.of());
  }
}
