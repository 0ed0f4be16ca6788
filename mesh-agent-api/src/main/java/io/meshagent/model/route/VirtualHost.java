package io.meshagent.model.route;

import java.util.List;

/**
 * A virtual host: the authorities it serves and its routes.
 *
 * @param name the virtual host's name
 * @param domains exact names, {@code *.suffix}, {@code prefix.*} or {@code *}, with or without port
 * @param routes tried in order; the first match wins
 */
public record VirtualHost(String name, List<String> domains, List<Route> routes) {
  public VirtualHost {
    domains = List.copyOf(domains);
    routes = List.copyOf(routes);
  }
}
