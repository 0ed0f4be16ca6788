package io.meshagent.core.internal.traffic;

import static io.meshagent.core.internal.traffic.Xds.address;
import static io.meshagent.core.internal.traffic.Xds.chain;
import static io.meshagent.core.internal.traffic.Xds.filter;
import static io.meshagent.core.internal.traffic.Xds.hcmInline;
import static io.meshagent.core.internal.traffic.Xds.mtls;
import static io.meshagent.core.internal.traffic.Xds.snapshot;
import static io.meshagent.core.internal.traffic.Xds.tcp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.meshagent.core.internal.listener.ConnectionInfo;
import io.meshagent.model.authz.RbacAction;
import io.meshagent.model.listener.NetworkRbac;
import io.meshagent.snapshot.MeshSnapshot;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The inbound filter chain for a connection, one row per rule: {@code virtualInbound} as istiod
 * builds it for each PeerAuthentication mode (STRICT: TLS chains only; PERMISSIVE: TLS and
 * plaintext; DISABLE: plaintext only), the grpc profile's inbound listener bound to the port, and
 * the fallback mode when no inbound listener covers the port.
 */
class InboundPlannerTest {
  private static final int HTTP_PORT = 9080;
  private static final int TCP_PORT = 3306;

  private static final ConnectionInfo TLS_HTTP = conn(HTTP_PORT, "tls", "istio-http/1.1");
  private static final ConnectionInfo PLAIN_HTTP = conn(HTTP_PORT, "raw_buffer", "http/1.1");
  private static final ConnectionInfo TLS_TCP = conn(TCP_PORT, "tls", "istio-peer-exchange");
  private static final ConnectionInfo PLAIN_TCP = conn(TCP_PORT, "raw_buffer");
  private static final ConnectionInfo TLS_OTHER = conn(7070, "tls");
  private static final ConnectionInfo PLAIN_OTHER = conn(7070, "raw_buffer");

  private static ConnectionInfo conn(int port, String transport, String... alpn) {
    return new ConnectionInfo("10.0.0.5", port, null, transport, List.of(alpn), "10.0.0.9", 43210);
  }

  private static FilterChainMatch.Builder match(int port, String transport) {
    FilterChainMatch.Builder m = FilterChainMatch.newBuilder().setTransportProtocol(transport);
    if (port > 0) {
      m.setDestinationPort(UInt32Value.of(port));
    }
    return m;
  }

  private static Filter inboundHttp(int port) {
    return hcmInline(
        RouteConfiguration.newBuilder()
            .setName("inbound|" + port + "||")
            .addVirtualHosts(
                VirtualHost.newBuilder()
                    .setName("inbound|http|" + port)
                    .addDomains("*")
                    .addRoutes(
                        Route.newBuilder()
                            .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                            .setRoute(
                                RouteAction.newBuilder().setCluster("inbound|" + port + "||"))))
            .build());
  }

  /** istiod's network RBAC for an AuthorizationPolicy on a TCP port. */
  private static Filter networkRbac(String statPrefix, RBAC.Action action, String policy) {
    return filter(
        "envoy.filters.network.rbac",
        io.envoyproxy
            .envoy
            .extensions
            .filters
            .network
            .rbac
            .v3
            .RBAC
            .newBuilder()
            .setStatPrefix(statPrefix)
            .setRules(
                RBAC.newBuilder()
                    .setAction(action)
                    .putPolicies(
                        policy,
                        Policy.newBuilder()
                            .addPermissions(Permission.newBuilder().setAny(true))
                            .addPrincipals(Principal.newBuilder().setAny(true))
                            .build()))
            .build());
  }

  /** The chains istiod emits for one port and transport. */
  private static FilterChain.Builder httpChain(String transport) {
    FilterChain.Builder c =
        chain(
            "0.0.0.0_" + HTTP_PORT + "_" + transport,
            match(HTTP_PORT, transport),
            inboundHttp(HTTP_PORT));
    return transport.equals("tls") ? mtls(c) : c;
  }

  private static FilterChain.Builder tcpChain(String transport) {
    FilterChain.Builder c =
        chain(
            "0.0.0.0_" + TCP_PORT + "_" + transport,
            match(TCP_PORT, transport),
            networkRbac("tcp.", RBAC.Action.DENY, "ns[default]-policy[deny-all]-rule[0]"),
            networkRbac("tcp.", RBAC.Action.ALLOW, "ns[default]-policy[allow-db]-rule[0]"),
            tcp("inbound|" + TCP_PORT + "||"));
    return transport.equals("tls") ? mtls(c) : c;
  }

  /** The catch-all for ports no service declares: passthrough. */
  private static FilterChain.Builder passthrough(String transport) {
    FilterChain.Builder c =
        chain("virtualInbound-" + transport, match(0, transport), tcp("InboundPassthroughCluster"));
    return transport.equals("tls") ? mtls(c) : c;
  }

  private static Listener.Builder virtualInbound(FilterChain.Builder... chains) {
    Listener.Builder l =
        Listener.newBuilder()
            .setName("virtualInbound")
            .setAddress(address("0.0.0.0", 15006))
            .setTrafficDirection(TrafficDirection.INBOUND)
            .setUseOriginalDst(BoolValue.of(true));
    for (FilterChain.Builder c : chains) {
      l.addFilterChains(c);
    }
    return l;
  }

  private static final MeshSnapshot STRICT =
      snapshot()
          .listener(virtualInbound(httpChain("tls"), tcpChain("tls"), passthrough("tls")))
          .build();

  private static final MeshSnapshot PERMISSIVE =
      snapshot()
          .listener(
              virtualInbound(
                  httpChain("tls"),
                  httpChain("raw_buffer"),
                  tcpChain("tls"),
                  tcpChain("raw_buffer"),
                  passthrough("tls"),
                  passthrough("raw_buffer")))
          .build();

  private static final MeshSnapshot DISABLE =
      snapshot()
          .listener(
              virtualInbound(
                  httpChain("raw_buffer"), tcpChain("raw_buffer"), passthrough("raw_buffer")))
          .build();

  /** The grpc profile: an inbound listener bound to the service port, chains per transport. */
  private static final MeshSnapshot GRPC =
      snapshot()
          .listener(
              Listener.newBuilder()
                  .setName("xds.istio.io/grpc/lds/inbound/0.0.0.0:" + HTTP_PORT)
                  .setAddress(address("0.0.0.0", HTTP_PORT))
                  .setTrafficDirection(TrafficDirection.INBOUND)
                  .addFilterChains(httpChain("tls"))
                  .addFilterChains(httpChain("raw_buffer")))
          // An outbound listener on another port is no inbound listener.
          .listener(
              Listener.newBuilder()
                  .setName("0.0.0.0_" + TCP_PORT)
                  .setAddress(address("0.0.0.0", TCP_PORT))
                  .setTrafficDirection(TrafficDirection.OUTBOUND)
                  .addFilterChains(chain("out", tcp("outbound|3306||db"))))
          .build();

  /** An Accept or Refuse as one line. */
  private static String describe(InboundPlan plan) {
    if (plan instanceof InboundPlan.Accept a) {
      return "accept "
          + (a.listener().isEmpty() ? "-" : a.listener())
          + " "
          + a.chain()
          + (a.tls() ? " mtls" : " plaintext")
          + (a.hcm() != null ? " http" : "")
          + (a.tcp() ? " tcp" : "")
          + (a.networkRbac().isEmpty() ? "" : " rbac=" + a.networkRbac().size());
    }
    return "refuse";
  }

  static Stream<Arguments> plans() {
    return Stream.of(
        // STRICT: TLS chains only.
        Arguments.of(
            "STRICT, mTLS HTTP",
            STRICT,
            TLS_HTTP,
            "accept virtualInbound 0.0.0.0_9080_tls mtls http"),
        Arguments.of(
            "STRICT, mTLS TCP with network RBAC",
            STRICT,
            TLS_TCP,
            "accept virtualInbound 0.0.0.0_3306_tls mtls tcp rbac=2"),
        Arguments.of(
            "STRICT, mTLS to an undeclared port: passthrough",
            STRICT,
            TLS_OTHER,
            "accept virtualInbound virtualInbound-tls mtls tcp"),
        Arguments.of("STRICT, plaintext HTTP", STRICT, PLAIN_HTTP, "refuse"),
        Arguments.of("STRICT, plaintext TCP", STRICT, PLAIN_TCP, "refuse"),
        Arguments.of("STRICT, plaintext to an undeclared port", STRICT, PLAIN_OTHER, "refuse"),
        // PERMISSIVE: both.
        Arguments.of(
            "PERMISSIVE, mTLS HTTP",
            PERMISSIVE,
            TLS_HTTP,
            "accept virtualInbound 0.0.0.0_9080_tls mtls http"),
        Arguments.of(
            "PERMISSIVE, plaintext HTTP",
            PERMISSIVE,
            PLAIN_HTTP,
            "accept virtualInbound 0.0.0.0_9080_raw_buffer plaintext http"),
        Arguments.of(
            "PERMISSIVE, mTLS TCP",
            PERMISSIVE,
            TLS_TCP,
            "accept virtualInbound 0.0.0.0_3306_tls mtls tcp rbac=2"),
        Arguments.of(
            "PERMISSIVE, plaintext TCP keeps its network RBAC",
            PERMISSIVE,
            PLAIN_TCP,
            "accept virtualInbound 0.0.0.0_3306_raw_buffer plaintext tcp rbac=2"),
        Arguments.of(
            "PERMISSIVE, plaintext to an undeclared port: passthrough",
            PERMISSIVE,
            PLAIN_OTHER,
            "accept virtualInbound virtualInbound-raw_buffer plaintext tcp"),
        // DISABLE: plaintext only.
        Arguments.of(
            "DISABLE, plaintext HTTP",
            DISABLE,
            PLAIN_HTTP,
            "accept virtualInbound 0.0.0.0_9080_raw_buffer plaintext http"),
        Arguments.of(
            "DISABLE, plaintext TCP",
            DISABLE,
            PLAIN_TCP,
            "accept virtualInbound 0.0.0.0_3306_raw_buffer plaintext tcp rbac=2"),
        Arguments.of("DISABLE, mTLS HTTP", DISABLE, TLS_HTTP, "refuse"),
        Arguments.of("DISABLE, mTLS TCP", DISABLE, TLS_TCP, "refuse"),
        // grpc profile: the inbound listener bound to the port.
        Arguments.of(
            "grpc profile, mTLS to the bound inbound listener",
            GRPC,
            TLS_HTTP,
            "accept xds.istio.io/grpc/lds/inbound/0.0.0.0:9080 0.0.0.0_9080_tls mtls http"),
        Arguments.of(
            "grpc profile, plaintext to the bound inbound listener",
            GRPC,
            PLAIN_HTTP,
            "accept xds.istio.io/grpc/lds/inbound/0.0.0.0:9080 0.0.0.0_9080_raw_buffer"
                + " plaintext http"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("plans")
  void plansInbound(String rule, MeshSnapshot snapshot, ConnectionInfo c, String expected) {
    // The fallback must not matter when an inbound listener exists: use the opposite of the row.
    for (InboundMode fallback : InboundMode.values()) {
      assertThat(describe(InboundPlanner.plan(snapshot, c, fallback)))
          .as("fallback %s", fallback)
          .isEqualTo(expected);
    }
  }

  @Test
  void plaintextRefusedUnderStrictSaysSo() {
    InboundPlan plan = InboundPlanner.plan(STRICT, PLAIN_HTTP, InboundMode.PERMISSIVE);

    assertThat(plan).isInstanceOf(InboundPlan.Refuse.class);
    assertThat(((InboundPlan.Refuse) plan).reason())
        .contains("virtualInbound", "port 9080", "raw_buffer", "http/1.1", "plaintext refused");
  }

  @Test
  void tlsRefusedUnderDisableNamesListenerAndPort() {
    InboundPlan plan = InboundPlanner.plan(DISABLE, TLS_TCP, InboundMode.PERMISSIVE);

    assertThat(plan).isInstanceOf(InboundPlan.Refuse.class);
    assertThat(((InboundPlan.Refuse) plan).reason())
        .contains("virtualInbound", "port 3306", "tls")
        .doesNotContain("plaintext refused");
  }

  @Test
  void networkRbacFiltersAreCollectedInChainOrder() {
    InboundPlan.Accept a =
        (InboundPlan.Accept) InboundPlanner.plan(PERMISSIVE, PLAIN_TCP, InboundMode.STRICT);

    assertThat(a.networkRbac())
        .extracting(NetworkRbac::name, NetworkRbac::statPrefix)
        .containsExactly(
            tuple("envoy.filters.network.rbac", "tcp."),
            tuple("envoy.filters.network.rbac", "tcp."));
    assertThat(a.networkRbac())
        .extracting(r -> r.rbac().rules().action(), r -> r.rbac().rules().policies().get(0).name())
        .containsExactly(
            tuple(RbacAction.DENY, "ns[default]-policy[deny-all]-rule[0]"),
            tuple(RbacAction.ALLOW, "ns[default]-policy[allow-db]-rule[0]"));
    assertThat(a.hcm()).isNull();
  }

  @Test
  void httpChainCarriesItsConnectionManager() {
    InboundPlan.Accept a =
        (InboundPlan.Accept) InboundPlanner.plan(STRICT, TLS_HTTP, InboundMode.STRICT);

    assertThat(a.hcm()).isNotNull();
    assertThat(a.hcm().routeConfiguration()).isNotNull();
    assertThat(a.tcp()).isFalse();
    assertThat(a.networkRbac()).isEmpty();
  }

  @Test
  void aChainWithNeitherConnectionManagerNorTcpProxyIsRefused() {
    MeshSnapshot s =
        snapshot()
            .listener(
                virtualInbound(
                    chain(
                        "odd",
                        match(HTTP_PORT, "raw_buffer"),
                        Filter.newBuilder().setName("envoy.filters.network.echo").build())))
            .build();

    InboundPlan plan = InboundPlanner.plan(s, PLAIN_HTTP, InboundMode.PERMISSIVE);

    assertThat(plan).isInstanceOf(InboundPlan.Refuse.class);
    assertThat(((InboundPlan.Refuse) plan).reason())
        .contains("odd", "virtualInbound", "neither an HTTP connection manager nor a TCP proxy");
  }

  static Stream<Arguments> fallbacks() {
    return Stream.of(
        Arguments.of(InboundMode.STRICT, "tls", "accept - fallback-STRICT mtls"),
        Arguments.of(InboundMode.STRICT, "raw_buffer", "refuse"),
        Arguments.of(InboundMode.PERMISSIVE, "tls", "accept - fallback-PERMISSIVE mtls"),
        Arguments.of(
            InboundMode.PERMISSIVE, "raw_buffer", "accept - fallback-PERMISSIVE plaintext"),
        Arguments.of(InboundMode.DISABLE, "tls", "refuse"),
        Arguments.of(InboundMode.DISABLE, "raw_buffer", "accept - fallback-DISABLE plaintext"));
  }

  @ParameterizedTest(name = "no inbound listener, {0}, {1}: {2}")
  @MethodSource("fallbacks")
  void fallbackModeWhenNoInboundListener(InboundMode mode, String transport, String expected) {
    ConnectionInfo c = conn(HTTP_PORT, transport);

    assertThat(describe(InboundPlanner.plan(MeshSnapshot.empty(), c, mode))).isEqualTo(expected);
  }

  @ParameterizedTest(name = "grpc profile, a port without inbound listener, {0}, {1}: {2}")
  @MethodSource("fallbacks")
  void fallbackModeForAPortTheGrpcListenersDoNotCover(
      InboundMode mode, String transport, String expected) {
    // Port 3306 has only an outbound listener.
    ConnectionInfo c = conn(TCP_PORT, transport);

    assertThat(describe(InboundPlanner.plan(GRPC, c, mode))).isEqualTo(expected);
  }

  @Test
  void fallbackRefusalNamesPortModeAndTransport() {
    InboundPlan plan =
        InboundPlanner.plan(MeshSnapshot.empty(), conn(8080, "raw_buffer"), InboundMode.STRICT);

    assertThat(((InboundPlan.Refuse) plan).reason())
        .contains("port 8080", "STRICT", "no inbound listener", "plaintext");
  }

  @Test
  void fallbackAcceptLeavesTheChoiceToTheService() {
    InboundPlan.Accept a =
        (InboundPlan.Accept)
            InboundPlanner.plan(MeshSnapshot.empty(), TLS_HTTP, InboundMode.PERMISSIVE);

    assertThat(a.hcm()).isNull();
    assertThat(a.tcp()).isFalse();
    assertThat(a.networkRbac()).isEmpty();
  }
}
