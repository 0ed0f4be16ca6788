package io.meshagent.core.internal.routing;

import static io.meshagent.core.internal.routing.RouteProtos.action;
import static io.meshagent.core.internal.routing.RouteProtos.config;
import static io.meshagent.core.internal.routing.RouteProtos.parse;
import static io.meshagent.core.internal.routing.RouteProtos.prefix;
import static io.meshagent.core.internal.routing.RouteProtos.vhost;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.route.v3.FilterConfig;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultDelay;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.meshagent.core.internal.xds.resource.ListenerType;
import io.meshagent.core.xds.ResourceInvalidException;
import io.meshagent.model.listener.HttpConnectionManager;
import io.meshagent.model.route.FaultPolicy;
import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fault injection as Envoy's {@code envoy.filters.http.fault} applies it: the most specific {@code
 * typed_per_filter_config} override, else the filter's own configuration in the connection manager,
 * and only for requests that meet its conditions.
 */
class FaultInjectionTest {
  private static final String FAULT = "envoy.filters.http.fault";

  private static FractionalPercent percent(int p) {
    return FractionalPercent.newBuilder().setNumerator(p).build();
  }

  private static HTTPFault.Builder abort(int status) {
    return HTTPFault.newBuilder()
        .setAbort(FaultAbort.newBuilder().setHttpStatus(status).setPercentage(percent(100)));
  }

  private static Any any(HTTPFault.Builder f) {
    return Any.pack(f.build());
  }

  /** The connection manager's fault filter, parsed from a listener as the agent receives it. */
  private static @Nullable FaultPolicy hcmFault(@Nullable Message faultFilterConfig) {
    var hcm =
        io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3
            .HttpConnectionManager.newBuilder()
            .setStatPrefix("outbound_0.0.0.0_80")
            .setRds(Rds.newBuilder().setRouteConfigName("80"));
    if (faultFilterConfig != null) {
      hcm.addHttpFilters(
          HttpFilter.newBuilder().setName(FAULT).setTypedConfig(Any.pack(faultFilterConfig)));
    }
    hcm.addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.router"));
    var listener =
        io.envoyproxy.envoy.config.listener.v3.Listener.newBuilder()
            .setName("0.0.0.0_80")
            .addFilterChains(
                FilterChain.newBuilder()
                    .addFilters(
                        Filter.newBuilder()
                            .setName("envoy.filters.network.http_connection_manager")
                            .setTypedConfig(Any.pack(hcm.build()))))
            .build();
    try {
      return ((HttpConnectionManager)
              ListenerType.INSTANCE
                  .parse(Any.pack(listener))
                  .value()
                  .filterChains()
                  .get(0)
                  .filters()
                  .get(0))
          .fault();
    } catch (ResourceInvalidException e) {
      throw new AssertionError(e);
    }
  }

  private static Route.Builder to(String prefix, String cluster) {
    return action(prefix(prefix), RouteAction.newBuilder().setCluster(cluster)).setName(prefix);
  }

  private static final UnaryOperator<RequestHeaders.Builder> NONE = b -> b;

  private static Arguments row(
      String description,
      RouteConfiguration.Builder routes,
      @Nullable Message faultFilter,
      String path,
      UnaryOperator<RequestHeaders.Builder> request,
      RouteDecision.@Nullable Fault expected) {
    return Arguments.of(description, routes, faultFilter, path, request, expected);
  }

  private static RouteDecision.Fault aborts(int status) {
    return new RouteDecision.Fault(null, new FaultPolicy.Abort(status, -1, 1_000_000));
  }

  static Stream<Arguments> rows() {
    HTTPFault filterAbort = abort(500).build();
    VirtualHost.Builder overrides =
        vhost("vh", "*")
            .putTypedPerFilterConfig(FAULT, any(abort(502)))
            .addRoutes(to("/route", "c").putTypedPerFilterConfig(FAULT, any(abort(503))))
            .addRoutes(
                to("/disabled", "c")
                    .putTypedPerFilterConfig(
                        FAULT, Any.pack(FilterConfig.newBuilder().setDisabled(true).build())))
            .addRoutes(
                to("/empty", "c").putTypedPerFilterConfig(FAULT, any(HTTPFault.newBuilder())))
            .addRoutes(to("/", "c"));
    RouteConfiguration.Builder noOverrides = config(vhost("vh", "*").addRoutes(to("/", "c")));
    RouteConfiguration.Builder configLevel =
        config(vhost("vh", "*").addRoutes(to("/", "c")))
            .putTypedPerFilterConfig(FAULT, any(abort(504)));
    RouteConfiguration.Builder split =
        config(
            vhost("vh", "*")
                .addRoutes(
                    action(
                        prefix("/"),
                        RouteAction.newBuilder()
                            .setWeightedClusters(
                                WeightedCluster.newBuilder()
                                    .addClusters(
                                        WeightedCluster.ClusterWeight.newBuilder()
                                            .setName("a")
                                            .setWeight(UInt32Value.of(1)))
                                    .addClusters(
                                        WeightedCluster.ClusterWeight.newBuilder()
                                            .setName("b")
                                            .setWeight(UInt32Value.of(1)))))));
    HTTPFault onlyForA = abort(503).setUpstreamCluster("a").build();
    HTTPFault onlyWithHeader =
        abort(503)
            .addHeaders(HeaderMatcher.newBuilder().setName("x-chaos").setExactMatch("on"))
            .build();
    HTTPFault onlyFromNode = abort(503).addDownstreamNodes("sleep.default").build();
    HTTPFault limited = abort(503).setMaxActiveFaults(UInt32Value.of(2)).build();
    HTTPFault noDelay =
        HTTPFault.newBuilder()
            .setDelay(
                FaultDelay.newBuilder()
                    .setFixedDelay(com.google.protobuf.Duration.getDefaultInstance())
                    .setPercentage(percent(100)))
            .build();
    HTTPFault delay =
        HTTPFault.newBuilder()
            .setDelay(
                FaultDelay.newBuilder()
                    .setFixedDelay(com.google.protobuf.Duration.newBuilder().setSeconds(2))
                    .setPercentage(percent(100)))
            .build();
    return Stream.of(
        row(
            "the filter's own configuration applies without overrides",
            noOverrides,
            filterAbort,
            "/",
            NONE,
            aborts(500)),
        row(
            "istiod's empty filter configuration injects nothing",
            noOverrides,
            HTTPFault.getDefaultInstance(),
            "/",
            NONE,
            null),
        row(
            "without a fault filter, overrides inject nothing either",
            config(overrides.clone()),
            null,
            "/route",
            NONE,
            null),
        row(
            "a route override beats the filter's configuration",
            config(overrides.clone()),
            filterAbort,
            "/route",
            NONE,
            aborts(503)),
        row(
            "a virtual host override beats the filter's configuration",
            config(overrides.clone()),
            filterAbort,
            "/",
            NONE,
            aborts(502)),
        row(
            "a route configuration override beats the filter's configuration",
            configLevel,
            filterAbort,
            "/",
            NONE,
            aborts(504)),
        row(
            "a disabled FilterConfig on the route turns faults off",
            config(overrides.clone()),
            filterAbort,
            "/disabled",
            NONE,
            null),
        row(
            "an empty per-route HTTPFault overrides with nothing",
            config(overrides.clone()),
            filterAbort,
            "/empty",
            NONE,
            null),
        row(
            "upstream_cluster: the picked cluster matches",
            split,
            onlyForA,
            "/",
            NONE, // draw 0 picks a
            aborts(503)),
        row(
            "header matchers: all match",
            noOverrides,
            onlyWithHeader,
            "/",
            b -> b.add("x-chaos", "on"),
            aborts(503)),
        row(
            "header matchers: one does not",
            noOverrides,
            onlyWithHeader,
            "/",
            b -> b.add("x-chaos", "off"),
            null),
        row(
            "downstream_nodes: the request's node is listed",
            noOverrides,
            onlyFromNode,
            "/",
            b -> b.add("x-envoy-downstream-service-node", "sleep.default"),
            aborts(503)),
        row(
            "downstream_nodes: a request without the header gets none",
            noOverrides,
            onlyFromNode,
            "/",
            NONE,
            null),
        row(
            "max_active_faults is carried for the caller to enforce",
            noOverrides,
            limited,
            "/",
            NONE,
            new RouteDecision.Fault(null, new FaultPolicy.Abort(503, -1, 1_000_000), 2L)),
        row("a zero delay is no delay", noOverrides, noDelay, "/", NONE, null),
        row(
            "a fixed delay",
            noOverrides,
            delay,
            "/",
            NONE,
            new RouteDecision.Fault(Duration.ofSeconds(2), null)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void injects(
      String description,
      RouteConfiguration.Builder routes,
      @Nullable Message faultFilter,
      String path,
      UnaryOperator<RequestHeaders.Builder> request,
      RouteDecision.@Nullable Fault expected) {
    RouteTable table = RouteTable.of(parse(routes), hcmFault(faultFilter));
    RouteDecision d =
        Router.route(table, request.apply(RequestHeaders.builder("example.com", path)).build(), 0);
    assertThat(d).isInstanceOf(RouteDecision.Forward.class);
    assertThat(((RouteDecision.Forward) d).fault()).isEqualTo(expected);
  }

  @org.junit.jupiter.api.Test
  void upstreamClusterExcludesTheOtherClusterOfASplit() {
    var routes =
        parse(
            config(
                vhost("vh", "*")
                    .addRoutes(
                        action(
                            prefix("/"),
                            RouteAction.newBuilder()
                                .setWeightedClusters(
                                    WeightedCluster.newBuilder()
                                        .addClusters(
                                            WeightedCluster.ClusterWeight.newBuilder()
                                                .setName("a")
                                                .setWeight(UInt32Value.of(1)))
                                        .addClusters(
                                            WeightedCluster.ClusterWeight.newBuilder()
                                                .setName("b")
                                                .setWeight(UInt32Value.of(1))))))));
    RouteTable table = RouteTable.of(routes, hcmFault(abort(503).setUpstreamCluster("a").build()));
    var toB = (RouteDecision.Forward) Router.route(table, RouteProtos.get("h", "/"), 1);
    assertThat(toB.cluster()).isEqualTo("b");
    assertThat(toB.fault()).isNull();
  }
}
