package io.meshagent.model.listener;

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
 */
public record HttpConnectionManager(
    String name,
    String statPrefix,
    @Nullable String rdsName,
    @Nullable RouteConfiguration routeConfiguration,
    List<String> httpFilters)
    implements NetworkFilter {
  public HttpConnectionManager {
    httpFilters = List.copyOf(httpFilters);
  }
}
