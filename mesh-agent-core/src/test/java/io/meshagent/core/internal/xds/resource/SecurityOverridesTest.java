package io.meshagent.core.internal.xds.resource;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBACPerRoute;
import io.meshagent.core.xds.ResourceInvalidException;
import org.junit.jupiter.api.Test;

/** Per-route overrides of authorization filters are refused, never silently ignored. */
class SecurityOverridesTest {
  @Test
  void aPerRouteRbacOverrideIsNacked() {
    RouteConfiguration rc =
        RouteConfiguration.newBuilder()
            .setName("9080")
            .addVirtualHosts(
                VirtualHost.newBuilder()
                    .setName("reviews")
                    .addDomains("reviews")
                    .addRoutes(
                        Route.newBuilder()
                            .setName("r")
                            .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                            .setRoute(RouteAction.newBuilder().setCluster("c"))
                            .putTypedPerFilterConfig(
                                "envoy.filters.http.rbac",
                                Any.pack(RBACPerRoute.getDefaultInstance()))))
            .build();
    assertThatThrownBy(() -> RouteConfigurationType.INSTANCE.parse(Any.pack(rc)))
        .isInstanceOf(ResourceInvalidException.class)
        .hasMessageContaining("typed_per_filter_config[envoy.filters.http.rbac]")
        .hasMessageContaining("per-route overrides of envoy.filters.http.rbac are not supported");
  }
}
