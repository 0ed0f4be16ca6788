package io.meshagent.core.internal.routing;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.meshagent.core.internal.xds.resource.RouteConfigurationType;
import io.meshagent.core.xds.ResourceInvalidException;

/** Builds Envoy route protos and converts them through the RDS parser, as the agent does. */
final class RouteProtos {
  private RouteProtos() {}

  static io.meshagent.model.route.RouteConfiguration parse(RouteConfiguration.Builder proto) {
    try {
      return RouteConfigurationType.INSTANCE.parse(Any.pack(proto.setName("test").build())).value();
    } catch (ResourceInvalidException e) {
      throw new AssertionError(e);
    }
  }

  static VirtualHost.Builder vhost(String name, String... domains) {
    VirtualHost.Builder vh = VirtualHost.newBuilder().setName(name);
    for (String d : domains) {
      vh.addDomains(d);
    }
    return vh;
  }

  /** A virtual host whose one route sends everything to a cluster named after it. */
  static VirtualHost.Builder vhostTo(String name, String... domains) {
    return vhost(name, domains).addRoutes(to(RouteMatch.newBuilder().setPrefix("/"), name));
  }

  static Route.Builder to(RouteMatch.Builder match, String cluster) {
    return Route.newBuilder()
        .setName(cluster)
        .setMatch(match)
        .setRoute(RouteAction.newBuilder().setCluster(cluster));
  }

  static Route.Builder action(RouteMatch.Builder match, RouteAction.Builder action) {
    return Route.newBuilder().setName("r").setMatch(match).setRoute(action);
  }

  static RouteMatch.Builder prefix(String prefix) {
    return RouteMatch.newBuilder().setPrefix(prefix);
  }

  static RouteConfiguration.Builder config(VirtualHost.Builder... vhosts) {
    RouteConfiguration.Builder c = RouteConfiguration.newBuilder();
    for (VirtualHost.Builder vh : vhosts) {
      c.addVirtualHosts(vh);
    }
    return c;
  }

  static RequestHeaders get(String authority, String path) {
    return RequestHeaders.builder(authority, path).build();
  }
}
