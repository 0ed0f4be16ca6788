package io.meshagent.core.internal.xds.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.xds.type.matcher.v3.Matcher;
import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.ByteString;
import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.meshagent.core.xds.ResourceInvalidException;
import io.meshagent.model.listener.Listener;
import io.meshagent.model.listener.OpaqueFilter;
import io.meshagent.model.route.PathMatch;
import io.meshagent.snapshot.ResourceTypes;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ListenerTypeTest {
  private static final String HCM = "envoy.filters.network.http_connection_manager";
  private static final String HCM_URL =
      "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3"
          + ".HttpConnectionManager";

  private static Filter hcm(HttpConnectionManager.Builder hcm) {
    return Filter.newBuilder().setName(HCM).setTypedConfig(Any.pack(hcm.build())).build();
  }

  private static HttpConnectionManager.Builder rds(String name) {
    return HttpConnectionManager.newBuilder()
        .setStatPrefix("outbound_0.0.0.0_9080")
        .setRds(Rds.newBuilder().setRouteConfigName(name))
        .addHttpFilters(HttpFilter.newBuilder().setName("istio.metadata_exchange"))
        .addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.router"));
  }

  private static Filter tcpProxy(TcpProxy.Builder proxy) {
    return Filter.newBuilder()
        .setName("envoy.filters.network.tcp_proxy")
        .setTypedConfig(Any.pack(proxy.build()))
        .build();
  }

  private static Address address(String ip, int port) {
    return Address.newBuilder()
        .setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port))
        .build();
  }

  private static io.envoyproxy.envoy.config.listener.v3.Listener.Builder listener(
      FilterChain.Builder... chains) {
    var l =
        io.envoyproxy.envoy.config.listener.v3.Listener.newBuilder()
            .setName("0.0.0.0_9080")
            .setAddress(address("0.0.0.0", 9080));
    for (var c : chains) {
      l.addFilterChains(c);
    }
    return l;
  }

  @Test
  void describesTheType() {
    assertThat(ListenerType.INSTANCE.typeUrl()).isEqualTo(ResourceTypes.LISTENER);
    assertThat(ListenerType.INSTANCE.wildcard()).isTrue();
    assertThat(ListenerType.INSTANCE.valueClass()).isEqualTo(Listener.class);
  }

  @Test
  void convertsASidecarListener() throws Exception {
    var http =
        FilterChain.newBuilder()
            .setName("http")
            .setFilterChainMatch(
                FilterChainMatch.newBuilder()
                    .setDestinationPort(UInt32Value.of(9080))
                    .addPrefixRanges(
                        CidrRange.newBuilder()
                            .setAddressPrefix("10.0.0.0")
                            .setPrefixLen(UInt32Value.of(8)))
                    .addSourcePrefixRanges(
                        CidrRange.newBuilder()
                            .setAddressPrefix("fd00::")
                            .setPrefixLen(UInt32Value.of(64)))
                    .addSourcePorts(1234)
                    .setTransportProtocol("raw_buffer")
                    .addServerNames("reviews.default.svc.cluster.local")
                    .addApplicationProtocols("istio-http/1.1")
                    .addApplicationProtocols("h2c"))
            .addFilters(
                Filter.newBuilder()
                    .setName("istio.metadata_exchange")
                    .setTypedConfig(Any.pack(Struct.getDefaultInstance())))
            .addFilters(hcm(rds("9080")))
            .setTransportSocket(
                TransportSocket.newBuilder().setName("envoy.transport_sockets.tls"));
    var tcp =
        FilterChain.newBuilder()
            .setName("tcp")
            .addFilters(
                tcpProxy(
                    TcpProxy.newBuilder()
                        .setStatPrefix("split")
                        .setWeightedClusters(
                            TcpProxy.WeightedCluster.newBuilder()
                                .addClusters(
                                    TcpProxy.WeightedCluster.ClusterWeight.newBuilder()
                                        .setName("a")
                                        .setWeight(3))
                                .addClusters(
                                    TcpProxy.WeightedCluster.ClusterWeight.newBuilder()
                                        .setName("b")
                                        .setWeight(1)))));
    var proto =
        listener(http, tcp)
            .setTrafficDirection(TrafficDirection.OUTBOUND)
            .setUseOriginalDst(BoolValue.of(true))
            .setDefaultFilterChain(
                FilterChain.newBuilder()
                    .setName("PassthroughFilterChain")
                    .addFilters(
                        tcpProxy(
                            TcpProxy.newBuilder()
                                .setStatPrefix("PassthroughCluster")
                                .setCluster("PassthroughCluster"))));

    var parsed = ListenerType.INSTANCE.parse(Any.pack(proto.build()));

    assertThat(parsed.name()).isEqualTo("0.0.0.0_9080");
    Listener l = parsed.value();
    assertThat(l.address())
        .isEqualTo(new io.meshagent.model.listener.SocketAddress("0.0.0.0", 9080));
    assertThat(l.direction()).isEqualTo(io.meshagent.model.listener.TrafficDirection.OUTBOUND);
    assertThat(l.useOriginalDst()).isTrue();
    assertThat(l.apiListener()).isNull();
    assertThat(l.filterChains())
        .containsExactly(
            new io.meshagent.model.listener.FilterChain(
                "http",
                new io.meshagent.model.listener.FilterChainMatch(
                    9080,
                    List.of(new io.meshagent.model.listener.CidrRange("10.0.0.0", 8)),
                    List.of(new io.meshagent.model.listener.CidrRange("fd00::", 64)),
                    List.of(1234),
                    "raw_buffer",
                    List.of("reviews.default.svc.cluster.local"),
                    List.of("istio-http/1.1", "h2c")),
                List.of(
                    new OpaqueFilter(
                        "istio.metadata_exchange", "type.googleapis.com/google.protobuf.Struct"),
                    new io.meshagent.model.listener.HttpConnectionManager(
                        HCM,
                        "outbound_0.0.0.0_9080",
                        "9080",
                        null,
                        List.of("istio.metadata_exchange", "envoy.filters.http.router"))),
                "envoy.transport_sockets.tls"),
            new io.meshagent.model.listener.FilterChain(
                "tcp",
                io.meshagent.model.listener.FilterChainMatch.ANY,
                List.of(
                    new io.meshagent.model.listener.TcpProxy(
                        "envoy.filters.network.tcp_proxy", "split", "", Map.of("a", 3, "b", 1))),
                ""));
    assertThat(l.defaultFilterChain())
        .isEqualTo(
            new io.meshagent.model.listener.FilterChain(
                "PassthroughFilterChain",
                io.meshagent.model.listener.FilterChainMatch.ANY,
                List.of(
                    new io.meshagent.model.listener.TcpProxy(
                        "envoy.filters.network.tcp_proxy",
                        "PassthroughCluster",
                        "PassthroughCluster",
                        Map.of())),
                ""));
    assertThat(l.rdsNames()).containsExactly("9080");
  }

  @Test
  void convertsAGrpcApiListenerWithInlineRoutes() throws Exception {
    var routes =
        RouteConfiguration.newBuilder()
            .setName("inline")
            .addVirtualHosts(
                VirtualHost.newBuilder()
                    .setName("reviews")
                    .addDomains("*")
                    .addRoutes(
                        Route.newBuilder()
                            .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                            .setRoute(RouteAction.newBuilder().setCluster("c"))));
    var proto =
        io.envoyproxy.envoy.config.listener.v3.Listener.newBuilder()
            .setName("reviews.default.svc.cluster.local:9080")
            .setApiListener(
                ApiListener.newBuilder()
                    .setApiListener(
                        Any.pack(
                            HttpConnectionManager.newBuilder().setRouteConfig(routes).build())));

    Listener l = ListenerType.INSTANCE.parse(Any.pack(proto.build())).value();

    assertThat(l.address()).isNull();
    assertThat(l.filterChains()).isEmpty();
    assertThat(l.useOriginalDst()).isFalse();
    assertThat(l.direction()).isEqualTo(io.meshagent.model.listener.TrafficDirection.UNSPECIFIED);
    assertThat(l.apiListener()).isNotNull();
    assertThat(l.apiListener().name()).isEqualTo(HCM);
    assertThat(l.apiListener().rdsName()).isNull();
    assertThat(
            l.apiListener()
                .routeConfiguration()
                .virtualHosts()
                .get(0)
                .routes()
                .get(0)
                .match()
                .path())
        .isEqualTo(new PathMatch.Prefix("/"));
    assertThat(l.rdsNames()).isEmpty();
  }

  static Stream<Arguments> invalidListeners() {
    var badRegexRoutes =
        RouteConfiguration.newBuilder()
            .addVirtualHosts(
                VirtualHost.newBuilder()
                    .setName("vh")
                    .addRoutes(
                        Route.newBuilder()
                            .setName("r")
                            .setMatch(
                                RouteMatch.newBuilder()
                                    .setSafeRegex(RegexMatcher.newBuilder().setRegex("(")))
                            .setRoute(RouteAction.newBuilder().setCluster("c"))));
    return Stream.of(
        Arguments.of(
            "HCM without routes",
            listener(
                FilterChain.newBuilder()
                    .addFilters(hcm(HttpConnectionManager.newBuilder().setStatPrefix("x")))),
            "filter_chains[0].filters[0](name="
                + HCM
                + ").typed_config: the HTTP connection"
                + " manager has neither rds nor route_config"),
        Arguments.of(
            "HCM that does not unpack",
            listener(
                FilterChain.newBuilder()
                    .setName("chain")
                    .addFilters(
                        Filter.newBuilder()
                            .setName("hcm")
                            .setTypedConfig(
                                Any.newBuilder()
                                    .setTypeUrl(HCM_URL)
                                    .setValue(ByteString.copyFrom(new byte[] {0x0a, 0x05, 'a'}))))),
            "filter_chains[0](name=chain).filters[0](name=hcm).typed_config: cannot unpack "
                + HCM_URL
                + ": While parsing a protocol message, the input ended unexpectedly in the middle"
                + " of a field.  This could mean either that the input has been truncated or that"
                + " an embedded message misreported its own length."),
        Arguments.of(
            "inline routes with an invalid regex",
            listener(
                FilterChain.newBuilder()
                    .addFilters(
                        hcm(HttpConnectionManager.newBuilder().setRouteConfig(badRegexRoutes)))),
            "filter_chains[0].filters[0](name="
                + HCM
                + ").typed_config.route_config.virtual_hosts[0](name=vh).routes[0](name=r)"
                + ".match.safe_regex: invalid regex '(': Unclosed group near index 1"),
        Arguments.of(
            "TCP proxy without cluster",
            listener(FilterChain.newBuilder().addFilters(tcpProxy(TcpProxy.newBuilder()))),
            "filter_chains[0].filters[0](name=envoy.filters.network.tcp_proxy).typed_config: no"
                + " cluster specifier (cluster or weighted_clusters) is set"),
        Arguments.of(
            "api listener that is not an HCM",
            io.envoyproxy.envoy.config.listener.v3.Listener.newBuilder()
                .setName("api")
                .setApiListener(
                    ApiListener.newBuilder().setApiListener(Any.pack(Struct.getDefaultInstance()))),
            "api_listener.api_listener: 'type.googleapis.com/google.protobuf.Struct' is not"
                + " supported; supported: "
                + HCM_URL),
        Arguments.of(
            "prefix range that is not an IP",
            listener(
                FilterChain.newBuilder()
                    .setFilterChainMatch(
                        FilterChainMatch.newBuilder()
                            .addPrefixRanges(CidrRange.newBuilder().setAddressPrefix("reviews")))),
            "filter_chains[0].filter_chain_match.prefix_ranges[0].address_prefix: 'reviews' is not"
                + " an IP address"),
        Arguments.of(
            "prefix length too long",
            listener(
                FilterChain.newBuilder()
                    .setFilterChainMatch(
                        FilterChainMatch.newBuilder()
                            .addPrefixRanges(
                                CidrRange.newBuilder()
                                    .setAddressPrefix("10.0.0.1")
                                    .setPrefixLen(UInt32Value.of(33))))),
            "filter_chains[0].filter_chain_match.prefix_ranges[0].prefix_len: 33 is too long for"
                + " 10.0.0.1 (at most 32)"),
        Arguments.of(
            "unified filter chain matcher",
            listener().setFilterChainMatcher(Matcher.getDefaultInstance()),
            "filter_chain_matcher: not supported; use filter_chains[].filter_chain_match"),
        Arguments.of(
            "no name",
            io.envoyproxy.envoy.config.listener.v3.Listener.newBuilder(),
            "name: must not be empty"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidListeners")
  void rejectsInvalidListenersNamingTheField(
      String description,
      io.envoyproxy.envoy.config.listener.v3.Listener.Builder proto,
      String message) {
    assertThatThrownBy(() -> ListenerType.INSTANCE.parse(Any.pack(proto.build())))
        .isInstanceOf(ResourceInvalidException.class)
        .hasMessage(message);
  }

  private static final io.envoyproxy.envoy.config.rbac.v3.RBAC ALLOW_BOOKINFO =
      io.envoyproxy
          .envoy
          .config
          .rbac
          .v3
          .RBAC
          .newBuilder()
          .setAction(io.envoyproxy.envoy.config.rbac.v3.RBAC.Action.ALLOW)
          .putPolicies(
              "ns[bookinfo]-policy[p]-rule[0]",
              io.envoyproxy.envoy.config.rbac.v3.Policy.newBuilder()
                  .addPermissions(
                      io.envoyproxy.envoy.config.rbac.v3.Permission.newBuilder().setAny(true))
                  .addPrincipals(
                      io.envoyproxy.envoy.config.rbac.v3.Principal.newBuilder()
                          .setAuthenticated(
                              io.envoyproxy.envoy.config.rbac.v3.Principal.Authenticated
                                  .newBuilder()
                                  .setPrincipalName(
                                      io.envoyproxy.envoy.type.matcher.v3.StringMatcher.newBuilder()
                                          .setExact(
                                              "spiffe://cluster.local/ns/bookinfo/sa/productpage"))))
                  .build())
          .build();

  @Test
  void convertsHttpRbacAndJwtFiltersInOrder() throws Exception {
    var jwt =
        io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication.newBuilder()
            .putProviders(
                "origins-0",
                io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtProvider.newBuilder()
                    .setIssuer("https://issuer.example")
                    .addAudiences("bookinfo")
                    .setLocalJwks(
                        io.envoyproxy.envoy.config.core.v3.DataSource.newBuilder()
                            .setInlineString("{\"keys\":[]}"))
                    .addFromHeaders(
                        io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtHeader
                            .newBuilder()
                            .setName("Authorization")
                            .setValuePrefix("Bearer "))
                    .addFromParams("access_token")
                    .setForward(true)
                    .setPayloadInMetadata("payload")
                    .build())
            .addRules(
                io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.RequirementRule
                    .newBuilder()
                    .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                    .setRequires(
                        io.meshagent.core.internal.authz.jwt.IstioJwt.any(
                            io.meshagent.core.internal.authz.jwt.IstioJwt.byName("origins-0"),
                            io.meshagent.core.internal.authz.jwt.IstioJwt.ALLOW_MISSING)))
            .build();
    var deny =
        io.envoyproxy
            .envoy
            .extensions
            .filters
            .http
            .rbac
            .v3
            .RBAC
            .newBuilder()
            .setRules(
                io.envoyproxy
                    .envoy
                    .config
                    .rbac
                    .v3
                    .RBAC
                    .newBuilder()
                    .setAction(io.envoyproxy.envoy.config.rbac.v3.RBAC.Action.DENY))
            .build();
    var allow =
        io.envoyproxy
            .envoy
            .extensions
            .filters
            .http
            .rbac
            .v3
            .RBAC
            .newBuilder()
            .setRules(ALLOW_BOOKINFO)
            .build();
    var proto =
        listener(
                FilterChain.newBuilder()
                    .addFilters(
                        hcm(
                            rds("9080")
                                .clearHttpFilters()
                                .addHttpFilters(
                                    HttpFilter.newBuilder()
                                        .setName("envoy.filters.http.jwt_authn")
                                        .setTypedConfig(Any.pack(jwt)))
                                .addHttpFilters(
                                    HttpFilter.newBuilder()
                                        .setName("envoy.filters.http.rbac")
                                        .setTypedConfig(Any.pack(deny)))
                                .addHttpFilters(
                                    HttpFilter.newBuilder()
                                        .setName("envoy.filters.http.rbac")
                                        .setTypedConfig(Any.pack(allow)))
                                .addHttpFilters(
                                    HttpFilter.newBuilder().setName("envoy.filters.http.router")))))
            .build();

    Listener l = ListenerType.INSTANCE.parse(Any.pack(proto)).value();

    var manager =
        (io.meshagent.model.listener.HttpConnectionManager)
            l.filterChains().get(0).filters().get(0);
    assertThat(manager.rbacFilters())
        .extracting(f -> f.rules().action())
        .containsExactly(
            io.meshagent.model.authz.RbacAction.DENY, io.meshagent.model.authz.RbacAction.ALLOW);
    assertThat(manager.rbacFilters().get(1).rules().policies())
        .extracting(io.meshagent.model.authz.RbacPolicy::name)
        .containsExactly("ns[bookinfo]-policy[p]-rule[0]");
    assertThat(manager.jwtProviders())
        .containsExactly(
            new io.meshagent.model.authz.JwtRequirement(
                "origins-0",
                "https://issuer.example",
                List.of("bookinfo"),
                "{\"keys\":[]}",
                null,
                List.of(
                    new io.meshagent.model.authz.JwtRequirement.FromHeader(
                        "Authorization", "Bearer ")),
                List.of("access_token"),
                true,
                "payload"));
  }

  @Test
  void convertsNetworkRbac() throws Exception {
    var rbac =
        io.envoyproxy
            .envoy
            .extensions
            .filters
            .network
            .rbac
            .v3
            .RBAC
            .newBuilder()
            .setStatPrefix("tcp.")
            .setRules(ALLOW_BOOKINFO)
            .setShadowRules(ALLOW_BOOKINFO)
            .setShadowRulesStatPrefix("istio_dry_run_allow_")
            .build();
    var proto =
        listener(
                FilterChain.newBuilder()
                    .addFilters(
                        Filter.newBuilder()
                            .setName("envoy.filters.network.rbac")
                            .setTypedConfig(Any.pack(rbac)))
                    .addFilters(tcpProxy(TcpProxy.newBuilder().setStatPrefix("s").setCluster("c"))))
            .build();

    Listener l = ListenerType.INSTANCE.parse(Any.pack(proto)).value();

    var filter = (io.meshagent.model.listener.NetworkRbac) l.filterChains().get(0).filters().get(0);
    assertThat(filter.name()).isEqualTo("envoy.filters.network.rbac");
    assertThat(filter.statPrefix()).isEqualTo("tcp.");
    assertThat(filter.rbac().rules().action()).isEqualTo(io.meshagent.model.authz.RbacAction.ALLOW);
    assertThat(filter.rbac().shadowRulesStatPrefix()).isEqualTo("istio_dry_run_allow_");
  }

  @Test
  void rejectsAnHttpRbacFilterWithoutInlineConfig() {
    var proto =
        listener(
                FilterChain.newBuilder()
                    .addFilters(
                        hcm(
                            rds("9080")
                                .addHttpFilters(
                                    0,
                                    HttpFilter.newBuilder().setName("envoy.filters.http.rbac")))))
            .build();

    assertThatThrownBy(() -> ListenerType.INSTANCE.parse(Any.pack(proto)))
        .isInstanceOf(ResourceInvalidException.class)
        .hasMessageContaining(
            "http_filters[0](name=envoy.filters.http.rbac): an RBAC filter needs");
  }

  @Test
  void rejectsANetworkRbacFilterWithoutInlineConfig() {
    var proto =
        listener(
                FilterChain.newBuilder()
                    .addFilters(Filter.newBuilder().setName("envoy.filters.network.rbac")))
            .build();

    assertThatThrownBy(() -> ListenerType.INSTANCE.parse(Any.pack(proto)))
        .isInstanceOf(ResourceInvalidException.class)
        .hasMessageContaining(
            "filter_chains[0].filters[0](name=envoy.filters.network.rbac): an RBAC filter needs");
  }

  @Test
  void rejectsAnUnsupportedRbacFieldNamingItsPath() {
    var rbac =
        io.envoyproxy
            .envoy
            .extensions
            .filters
            .network
            .rbac
            .v3
            .RBAC
            .newBuilder()
            .setRules(
                ALLOW_BOOKINFO.toBuilder()
                    .putPolicies(
                        "cel",
                        io.envoyproxy.envoy.config.rbac.v3.Policy.newBuilder()
                            .setCondition(com.google.api.expr.v1alpha1.Expr.getDefaultInstance())
                            .build()))
            .build();
    var proto =
        listener(
                FilterChain.newBuilder()
                    .addFilters(
                        Filter.newBuilder()
                            .setName("envoy.filters.network.rbac")
                            .setTypedConfig(Any.pack(rbac))))
            .build();

    assertThatThrownBy(() -> ListenerType.INSTANCE.parse(Any.pack(proto)))
        .isInstanceOf(ResourceInvalidException.class)
        .hasMessage(
            "filter_chains[0].filters[0](name=envoy.filters.network.rbac).typed_config.rules"
                + ".policies[cel].condition: not supported; the agent cannot evaluate it and"
                + " refuses to ignore it");
  }
}
