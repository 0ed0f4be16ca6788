package io.meshagent.model.route;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A virtual host: the authorities it serves and its routes.
 *
 * @param name the virtual host's name
 * @param domains exact names, {@code *.suffix}, {@code prefix.*} or {@code *}, with or without port
 * @param routes tried in order; the first match wins
 * @param headerOps the virtual-host-level header changes
 * @param retryPolicy the retry policy of routes that set none, or null
 * @param fault the fault injection override of routes that set none, or null
 * @param cors the virtual host's CORS policy, or null
 */
public record VirtualHost(
    String name,
    List<String> domains,
    List<Route> routes,
    HeaderOps headerOps,
    @Nullable RetryPolicy retryPolicy,
    @Nullable FaultPolicy fault,
    @Nullable CorsPolicy cors) {
  public VirtualHost {
    domains = List.copyOf(domains);
    routes = List.copyOf(routes);
  }

  /** A virtual host without a CORS policy. */
  public VirtualHost(
      String name,
      List<String> domains,
      List<Route> routes,
      HeaderOps headerOps,
      @Nullable RetryPolicy retryPolicy,
      @Nullable FaultPolicy fault) {
    this(name, domains, routes, headerOps, retryPolicy, fault, null);
  }
}
