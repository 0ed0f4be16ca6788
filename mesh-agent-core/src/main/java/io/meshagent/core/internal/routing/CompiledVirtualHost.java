package io.meshagent.core.internal.routing;

import io.meshagent.model.route.FaultPolicy;
import io.meshagent.model.route.Route;
import io.meshagent.model.route.RouteConfiguration;
import io.meshagent.model.route.VirtualHost;
import org.jspecify.annotations.Nullable;

/** A virtual host with its routes compiled, in order. */
final class CompiledVirtualHost {
  final VirtualHost vh;
  final CompiledRoute[] routes;

  CompiledVirtualHost(
      VirtualHost vh, RouteConfiguration config, @Nullable FaultPolicy faultFilter) {
    this.vh = vh;
    this.routes = new CompiledRoute[vh.routes().size()];
    int i = 0;
    for (Route r : vh.routes()) {
      routes[i++] = new CompiledRoute(r, vh, config, faultFilter);
    }
  }
}
