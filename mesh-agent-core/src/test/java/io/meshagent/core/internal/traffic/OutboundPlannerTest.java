package io.meshagent.core.internal.traffic;

import static io.meshagent.core.internal.traffic.Xds.bound;
import static io.meshagent.core.internal.traffic.Xds.chain;
import static io.meshagent.core.internal.traffic.Xds.hcmInline;
import static io.meshagent.core.internal.traffic.Xds.hcmRds;
import static io.meshagent.core.internal.traffic.Xds.snapshot;
import static io.meshagent.core.internal.traffic.Xds.tcp;
import static io.meshagent.core.internal.traffic.Xds.tcpSplit;
import static io.meshagent.core.internal.traffic.Xds.virtualOutbound;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.meshagent.core.internal.routing.RequestHeaders;
import io.meshagent.core.internal.routing.RouteDecision;
import io.meshagent.core.testing.EnvoyResources;
import io.meshagent.snapshot.MeshSnapshot;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Where outbound traffic goes, one row per rule, over a sidecar configuration shaped as istiod
 * emits it (listeners per port and VIP, RDS, TCP proxies, virtualOutbound) and converted by the
 * real parsers.
 */
class OutboundPlannerTest {
  private static final String REVIEWS = "reviews.default.svc.cluster.local";
  private static final String REVIEWS_CLUSTER = "outbound|9080||" + REVIEWS;
  private static final String RATINGS = "ratings.default.svc.cluster.local";
  private static final String RATINGS_VIP = "10.96.0.30";
  private static final String MYSQL = "mysql.default.svc.cluster.local";
  private static final String MYSQL_VIP = "10.96.0.20";
  private static final String MYSQL_CLUSTER = "outbound|3306||" + MYSQL;
  private static final String REDIS = "redis.default.svc.cluster.local";
  private static final String REDIS_CLUSTER = "outbound|6379||" + REDIS;
  private static final String SNIFFED = "sniffed.default.svc.cluster.local";
  private static final String SNIFFED_VIP = "10.96.0.50";

  /** A virtual host for a service, with the domains istiod lists for it. */
  private static VirtualHost vhost(String host, String vip, int port, String cluster) {
    String shortName = host.substring(0, host.indexOf('.'));
    return VirtualHost.newBuilder()
        .setName(host + ":" + port)
        .addDomains(host)
        .addDomains(host + ":" + port)
        .addDomains(shortName)
        .addDomains(shortName + ":" + port)
        .addDomains(vip)
        .addDomains(vip + ":" + port)
        .addRoutes(
            Route.newBuilder()
                .setName("default")
                .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                .setRoute(RouteAction.newBuilder().setCluster(cluster)))
        .build();
  }

  private static FilterChainMatch.Builder alpn(String... protocols) {
    FilterChainMatch.Builder m = FilterChainMatch.newBuilder();
    for (String p : protocols) {
      m.addApplicationProtocols(p);
    }
    return m;
  }

  /** The sidecar profile: what istiod sends a sidecar with these services in its mesh. */
  private static final MeshSnapshot SIDECAR =
      snapshot()
          .listener(virtualOutbound())
          // HTTP services share the wildcard listener of their port, routed by :authority.
          .listener(EnvoyResources.httpListener(9080, "9080").toBuilder())
          .routes(
              RouteConfiguration.newBuilder()
                  .setName("9080")
                  .addVirtualHosts(vhost(REVIEWS, "10.96.0.10", 9080, REVIEWS_CLUSTER))
                  .build())
          // A listener bound to one VIP wins over the wildcard of the same port.
          .listener(
              bound(
                  RATINGS_VIP,
                  9080,
                  chain(
                      "ratings",
                      hcmInline(
                          RouteConfiguration.newBuilder()
                              .setName("ratings-inline")
                              .addVirtualHosts(
                                  VirtualHost.newBuilder()
                                      .setName("any")
                                      .addDomains("*")
                                      .addRoutes(
                                          Route.newBuilder()
                                              .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                                              .setRoute(
                                                  RouteAction.newBuilder()
                                                      .setCluster("outbound|9080||" + RATINGS))))
                              .build()))))
          // TCP services get a listener bound to their VIP.
          .listener(bound(MYSQL_VIP, 3306, chain("mysql", tcp(MYSQL_CLUSTER))))
          .cluster(EnvoyResources.edsCluster(MYSQL_CLUSTER))
          // A TCP service without a VIP (headless, ServiceEntry): a wildcard TCP listener.
          .listener(bound("0.0.0.0", 6379, chain("redis", tcp(REDIS_CLUSTER))))
          .cluster(EnvoyResources.edsCluster(REDIS_CLUSTER))
          // Protocol sniffing: HTTP by ALPN, the rest as TCP.
          .listener(
              bound(
                  SNIFFED_VIP,
                  8080,
                  chain("sniffed-http", alpn("http/1.1", "h2c"), hcmRds("sniffed-8080")),
                  chain("sniffed-tcp", tcp("outbound|8080||" + SNIFFED))))
          .routes(
              RouteConfiguration.newBuilder()
                  .setName("sniffed-8080")
                  .addVirtualHosts(
                      vhost(SNIFFED, SNIFFED_VIP, 8080, "outbound|8080||" + SNIFFED + "-http"))
                  .build())
          // A port whose only chain is for TLS: plaintext finds no chain.
          .listener(
              bound(
                  "0.0.0.0",
                  8443,
                  chain(
                      "tls-only",
                      FilterChainMatch.newBuilder()
                          .setTransportProtocol("tls")
                          .addServerNames("secure.example.com"),
                      tcp("outbound|8443||secure.example.com"))))
          // An HTTP listener whose routes have not arrived.
          .listener(EnvoyResources.httpListener(9999, "9999").toBuilder())
          // A canary split of a TCP service.
          .listener(
              bound(
                  "10.96.0.40", 5000, chain("split", tcpSplit(Map.of("tcp-v1", 80, "tcp-v2", 20)))))
          .build();

  /** The same services without virtualOutbound: nothing catches unknown destinations. */
  private static final MeshSnapshot NO_CATCH_ALL =
      snapshot()
          .listener(EnvoyResources.httpListener(9080, "9080").toBuilder())
          .routes(
              RouteConfiguration.newBuilder()
                  .setName("9080")
                  .addVirtualHosts(vhost(REVIEWS, "10.96.0.10", 9080, REVIEWS_CLUSTER))
                  .build())
          .cluster(EnvoyResources.edsCluster(MYSQL_CLUSTER))
          .build();

  /** The grpc profile: api listeners named {@code host:port}. */
  private static final MeshSnapshot GRPC =
      snapshot()
          .listener(
              Listener.newBuilder()
                  .setName(REVIEWS + ":9080")
                  .setApiListener(
                      ApiListener.newBuilder()
                          .setApiListener(
                              Any.pack(
                                  Xds.hcm("grpc")
                                      .setRds(
                                          Rds.newBuilder()
                                              .setRouteConfigName(REVIEWS + ":9080")
                                              .setConfigSource(
                                                  io.envoyproxy.envoy.config.core.v3.ConfigSource
                                                      .newBuilder()
                                                      .setAds(
                                                          io.envoyproxy.envoy.config.core.v3
                                                              .AggregatedConfigSource
                                                              .getDefaultInstance())))
                                      .build()))))
          .routes(
              RouteConfiguration.newBuilder()
                  .setName(REVIEWS + ":9080")
                  .addVirtualHosts(vhost(REVIEWS, "10.96.0.10", 9080, REVIEWS_CLUSTER))
                  .build())
          // An api listener whose routes have not arrived.
          .listener(
              Listener.newBuilder()
                  .setName("details.default.svc.cluster.local:9080")
                  .setApiListener(
                      ApiListener.newBuilder()
                          .setApiListener(
                              Any.pack(
                                  HttpConnectionManager.newBuilder()
                                      .setStatPrefix("details")
                                      .setRds(Rds.newBuilder().setRouteConfigName("details-routes"))
                                      .build()))))
          // Also a sidecar-style wildcard listener on the same port: the api listener wins.
          .listener(EnvoyResources.httpListener(9080, "wildcard-9080").toBuilder())
          .routes(EnvoyResources.routes("wildcard-9080", "*", "wildcard-cluster"))
          .build();

  private static RequestHeaders get(Destination d) {
    return RequestHeaders.builder(d.authority(), "/").build();
  }

  /** A plan as one line: where it goes, or that it does not. */
  private static String describe(HttpPlan plan) {
    if (plan instanceof HttpPlan.Routed r) {
      String to =
          r.decision() instanceof RouteDecision.Forward f
              ? f.cluster()
              : r.decision().getClass().getSimpleName();
      return "http " + r.listener() + " -> " + to;
    }
    if (plan instanceof HttpPlan.Tcp t) {
      return "tcp " + t.listener() + " -> " + t.cluster();
    }
    return "unroutable";
  }

  static Stream<Arguments> httpPlans() {
    return Stream.of(
        Arguments.of(
            "grpc profile: the api listener host:port, before any bound listener",
            GRPC,
            REVIEWS + ":9080",
            "http " + REVIEWS + ":9080 -> " + REVIEWS_CLUSTER),
        Arguments.of(
            "host name: the wildcard listener of the port, routed by authority",
            SIDECAR,
            REVIEWS + ":9080",
            "http 0.0.0.0_9080 -> " + REVIEWS_CLUSTER),
        Arguments.of(
            "short host name: the same virtual host",
            SIDECAR,
            "reviews:9080",
            "http 0.0.0.0_9080 -> " + REVIEWS_CLUSTER),
        Arguments.of(
            "service VIP without a bound listener: the wildcard listener of the port",
            SIDECAR,
            "10.96.0.10:9080",
            "http 0.0.0.0_9080 -> " + REVIEWS_CLUSTER),
        Arguments.of(
            "IP with a listener bound to it: that listener, not the wildcard",
            SIDECAR,
            RATINGS_VIP + ":9080",
            "http " + RATINGS_VIP + "_9080 -> outbound|9080||" + RATINGS),
        Arguments.of(
            "protocol sniffing: the HTTP chain, by ALPN",
            SIDECAR,
            SNIFFED_VIP + ":8080",
            "http " + SNIFFED_VIP + "_8080 -> outbound|8080||" + SNIFFED + "-http"),
        Arguments.of(
            "HTTP to a TCP proxy bound to the VIP: a TCP plan to its cluster",
            SIDECAR,
            MYSQL_VIP + ":3306",
            "tcp " + MYSQL_VIP + "_3306 -> " + MYSQL_CLUSTER),
        Arguments.of(
            "HTTP to a host name on a wildcard TCP port: a TCP plan",
            SIDECAR,
            REDIS + ":6379",
            "tcp 0.0.0.0_6379 -> " + REDIS_CLUSTER),
        Arguments.of(
            "unknown IP: virtualOutbound passes it through",
            SIDECAR,
            "192.0.2.7:1234",
            "tcp virtualOutbound -> PassthroughCluster"),
        Arguments.of(
            "no listener at all, but istiod's cluster for the host: TCP to it",
            NO_CATCH_ALL,
            MYSQL + ":3306",
            "tcp  -> " + MYSQL_CLUSTER));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("httpPlans")
  void plansHttp(String rule, MeshSnapshot snapshot, String authority, String expected) {
    Destination d = Destination.parse(authority);

    assertThat(describe(OutboundPlanner.planHttp(snapshot, d, get(d), false, 0)))
        .isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("httpPlans")
  void plansHttp2TheSame(String rule, MeshSnapshot snapshot, String authority, String expected) {
    Destination d = Destination.parse(authority);

    assertThat(describe(OutboundPlanner.planHttp(snapshot, d, get(d), true, 0)))
        .isEqualTo(expected);
  }

  @Test
  void routedPlanCarriesTheChainsConnectionManager() {
    Destination d = Destination.parse(REVIEWS + ":9080");

    HttpPlan plan = OutboundPlanner.planHttp(SIDECAR, d, get(d), false, 0);

    assertThat(plan).isInstanceOf(HttpPlan.Routed.class);
    assertThat(((HttpPlan.Routed) plan).hcm().rdsName()).isEqualTo("9080");
  }

  static Stream<Arguments> unroutableHttp() {
    return Stream.of(
        Arguments.of(
            "no listener and no cluster: names the destination and the cluster looked for",
            NO_CATCH_ALL,
            "nowhere.default.svc.cluster.local:7777",
            new String[] {
              "no listener for nowhere.default.svc.cluster.local:7777",
              "outbound|7777||nowhere.default.svc.cluster.local"
            }),
        Arguments.of(
            "no listener for an IP",
            NO_CATCH_ALL,
            "192.0.2.7:1234",
            new String[] {"no listener for 192.0.2.7:1234"}),
        Arguments.of(
            "no filter chain for plaintext: names the listener and the destination",
            SIDECAR,
            "secure.example.com:8443",
            new String[] {"listener 0.0.0.0_8443", "no filter chain", "secure.example.com:8443"}),
        Arguments.of(
            "RDS not received: names the route configuration and the listener",
            SIDECAR,
            "anything:9999",
            new String[] {
              "route configuration 9999", "listener 0.0.0.0_9999", "not been received"
            }),
        Arguments.of(
            "grpc profile, RDS not received: names the route configuration and api listener",
            GRPC,
            "details.default.svc.cluster.local:9080",
            new String[] {
              "route configuration details-routes",
              "listener details.default.svc.cluster.local:9080"
            }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unroutableHttp")
  void unroutableHttpSaysWhy(
      String rule, MeshSnapshot snapshot, String authority, String[] mentions) {
    Destination d = Destination.parse(authority);

    HttpPlan plan = OutboundPlanner.planHttp(snapshot, d, get(d), false, 0);

    assertThat(plan).isInstanceOf(HttpPlan.Unroutable.class);
    assertThat(((HttpPlan.Unroutable) plan).reason()).contains(mentions);
  }

  static Stream<Arguments> tcpPlans() {
    return Stream.of(
        Arguments.of(
            "IP: the listener bound to it",
            SIDECAR,
            MYSQL_VIP + ":3306",
            "tcp " + MYSQL_VIP + "_3306 -> " + MYSQL_CLUSTER),
        Arguments.of(
            "host name: istiod's outbound|port||host cluster, with no listener",
            SIDECAR,
            MYSQL + ":3306",
            "tcp  -> " + MYSQL_CLUSTER),
        Arguments.of(
            "IP on a wildcard TCP port",
            SIDECAR,
            "10.1.2.3:6379",
            "tcp 0.0.0.0_6379 -> " + REDIS_CLUSTER),
        Arguments.of(
            "protocol sniffing without ALPN: the TCP chain",
            SIDECAR,
            SNIFFED_VIP + ":8080",
            "tcp " + SNIFFED_VIP + "_8080 -> outbound|8080||" + SNIFFED),
        Arguments.of(
            "unknown IP: virtualOutbound passes it through",
            SIDECAR,
            "192.0.2.7:1234",
            "tcp virtualOutbound -> PassthroughCluster"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tcpPlans")
  void plansTcp(String rule, MeshSnapshot snapshot, String authority, String expected) {
    assertThat(describe(OutboundPlanner.planTcp(snapshot, Destination.parse(authority), 0)))
        .isEqualTo(expected);
  }

  static Stream<Arguments> unroutableTcp() {
    return Stream.of(
        Arguments.of(
            "host name without istiod's cluster: names the destination and the cluster",
            SIDECAR,
            "unknown.default.svc.cluster.local:3306",
            new String[] {
              "unknown.default.svc.cluster.local:3306",
              "outbound|3306||unknown.default.svc.cluster.local"
            }),
        Arguments.of(
            "IP without a listener",
            NO_CATCH_ALL,
            "10.1.2.3:3306",
            new String[] {"no listener for 10.1.2.3:3306"}),
        Arguments.of(
            "an HTTP chain is not a TCP proxy: names chain, listener and destination",
            SIDECAR,
            "10.96.0.10:9080",
            new String[] {"listener 0.0.0.0_9080", "10.96.0.10:9080", "not a TCP proxy"}),
        Arguments.of(
            "no filter chain for plaintext",
            SIDECAR,
            "10.1.2.3:8443",
            new String[] {"listener 0.0.0.0_8443", "no filter chain", "10.1.2.3:8443"}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unroutableTcp")
  void unroutableTcpSaysWhy(
      String rule, MeshSnapshot snapshot, String authority, String[] mentions) {
    HttpPlan plan = OutboundPlanner.planTcp(snapshot, Destination.parse(authority), 0);

    assertThat(plan).isInstanceOf(HttpPlan.Unroutable.class);
    assertThat(((HttpPlan.Unroutable) plan).reason()).contains(mentions);
  }

  static Stream<Arguments> splits() {
    return Stream.of(
        Arguments.of(Map.of("tcp-v1", 80, "tcp-v2", 20)),
        Arguments.of(Map.of("a", 1, "b", 2, "c", 7)),
        Arguments.of(Map.of("only", 3)),
        Arguments.of(Map.of("z-first-in-config", 50, "a-second", 25, "m-third", 25)));
  }

  /** Over draws 0..(1,000 × total − 1) the counts are exactly 1,000 × each weight. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("splits")
  void tcpWeightedClustersSplitByDraw(Map<String, Integer> weights) {
    MeshSnapshot s =
        snapshot().listener(bound("10.96.0.40", 5000, chain("split", tcpSplit(weights)))).build();
    int total = weights.values().stream().mapToInt(Integer::intValue).sum();
    int draws = 1_000 * total;
    Map<String, Integer> counts = new TreeMap<>();

    for (long draw = 0; draw < draws; draw++) {
      HttpPlan plan = OutboundPlanner.planTcp(s, Destination.parse("10.96.0.40:5000"), draw);
      counts.merge(((HttpPlan.Tcp) plan).cluster(), 1, Integer::sum);
    }

    Map<String, Integer> expected = new TreeMap<>();
    weights.forEach((name, w) -> expected.put(name, 1_000 * w));
    assertThat(counts).isEqualTo(expected);
  }

  @Test
  void httpToATcpSplitAlsoSplitsByDraw() {
    Destination d = Destination.parse("10.96.0.40:5000");
    Map<String, Integer> counts = new LinkedHashMap<>();

    for (long draw = 0; draw < 1_000; draw++) {
      HttpPlan plan = OutboundPlanner.planHttp(SIDECAR, d, get(d), false, draw);
      counts.merge(((HttpPlan.Tcp) plan).cluster(), 1, Integer::sum);
    }

    assertThat(counts).containsOnly(Map.entry("tcp-v1", 800), Map.entry("tcp-v2", 200));
  }

  @Test
  void aSplitIsAFunctionOfTheDraw() {
    Destination d = Destination.parse("10.96.0.40:5000");

    for (long draw : new long[] {0, 19, 20, 99, 100, 999_999, Long.MAX_VALUE, -1}) {
      assertThat(OutboundPlanner.planTcp(SIDECAR, d, draw))
          .isEqualTo(OutboundPlanner.planTcp(SIDECAR, d, draw));
    }
  }

  /**
   * A host name of a TCP service whose port has no wildcard listener: a sidecar would have resolved
   * the name to the VIP and used the VIP's listener, sending to the service's cluster (with mTLS).
   * The planner should use istiod's {@code outbound|port||host} cluster, as {@link
   * OutboundPlanner#planTcp} does, rather than virtualOutbound's plaintext passthrough.
   */
  @Test
  void httpToAHostNameOfATcpServiceUsesItsClusterNotThePassthrough() {
    Destination d = Destination.parse(MYSQL + ":3306");

    HttpPlan plan = OutboundPlanner.planHttp(SIDECAR, d, get(d), false, 0);

    assertThat(describe(plan)).isEqualTo("tcp  -> " + MYSQL_CLUSTER);
  }
}
