package io.meshagent.core.internal.routing;

import io.meshagent.model.route.HeaderOps;
import io.meshagent.model.route.Route;
import io.meshagent.model.route.VirtualHost;

/** A virtual host with its routes compiled, in order. */
final class CompiledVirtualHost {
  final VirtualHost vh;
  final CompiledRoute[] routes;

  CompiledVirtualHost(VirtualHost vh, HeaderOps configOps) {
    this.vh = vh;
    this.routes = new CompiledRoute[vh.routes().size()];
    int i = 0;
    for (Route r : vh.routes()) {
      routes[i++] = new CompiledRoute(r, vh, configOps);
    }
  }
}
