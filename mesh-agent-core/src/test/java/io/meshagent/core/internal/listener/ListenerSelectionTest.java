package io.meshagent.core.internal.listener;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.meshagent.core.internal.xds.resource.ListenerType;
import io.meshagent.core.xds.ResourceInvalidException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Listener and filter-chain selection, one row per Envoy rule, over listeners shaped as istiod
 * emits them and converted by the real parser.
 */
class ListenerSelectionTest {

  private static FilterChain chain(String name, FilterChainMatch.Builder match) {
    return FilterChain.newBuilder()
        .setName(name)
        .setFilterChainMatch(match)
        .addFilters(
            Filter.newBuilder()
                .setName("envoy.filters.network.tcp_proxy")
                .setTypedConfig(
                    Any.pack(TcpProxy.newBuilder().setStatPrefix(name).setCluster(name).build())))
        .build();
  }

  private static FilterChainMatch.Builder m() {
    return FilterChainMatch.newBuilder();
  }

  private static CidrRange cidr(String ip, int len) {
    return CidrRange.newBuilder().setAddressPrefix(ip).setPrefixLen(UInt32Value.of(len)).build();
  }

  private static io.meshagent.model.listener.Listener listener(
      String name,
      String host,
      int port,
      boolean originalDst,
      @Nullable FilterChain fallback,
      FilterChain... chains) {
    Listener.Builder b =
        Listener.newBuilder()
            .setName(name)
            .setAddress(
                Address.newBuilder()
                    .setSocketAddress(
                        SocketAddress.newBuilder().setAddress(host).setPortValue(port)))
            .setUseOriginalDst(BoolValue.of(originalDst))
            .addAllFilterChains(List.of(chains));
    if (fallback != null) {
      b.setDefaultFilterChain(fallback);
    }
    try {
      return ListenerType.INSTANCE.parse(Any.pack(b.build())).value();
    } catch (ResourceInvalidException e) {
      throw new AssertionError(e);
    }
  }

  private static ConnectionInfo conn(String ip, int port) {
    return ConnectionInfo.plaintext(ip, port, List.of());
  }

  private static final io.meshagent.model.listener.Listener CHAINS =
      listener(
          "0.0.0.0_9080",
          "0.0.0.0",
          9080,
          false,
          chain("default", m()),
          chain("port-9080", m().setDestinationPort(UInt32Value.of(9080))),
          chain("wide-10/8", m().addPrefixRanges(cidr("10.0.0.0", 8))),
          chain("narrow-10.1/16", m().addPrefixRanges(cidr("10.1.0.0", 16))),
          chain("v6-doc", m().addPrefixRanges(cidr("2001:db8::", 32))),
          chain("sni-exact", m().addServerNames("reviews.default.svc").setTransportProtocol("tls")),
          chain("sni-wild-long", m().addServerNames("*.default.svc").setTransportProtocol("tls")),
          chain("sni-wild-short", m().addServerNames("*.svc").setTransportProtocol("tls")),
          chain("tls-any", m().setTransportProtocol("tls")),
          chain(
              "http",
              m().setTransportProtocol("raw_buffer")
                  .addApplicationProtocols("http/1.1")
                  .addApplicationProtocols("h2c")),
          chain("raw", m().setTransportProtocol("raw_buffer")),
          chain(
              "from-loopback",
              m().setTransportProtocol("raw_buffer")
                  .addApplicationProtocols("istio-peer-exchange")
                  .addSourcePrefixRanges(cidr("127.0.0.0", 8))));

  static Stream<Arguments> chains() {
    return Stream.of(
        Arguments.of("destination port first", conn("10.1.2.3", 9080), "port-9080"),
        Arguments.of("longest destination prefix", conn("10.1.2.3", 80), "narrow-10.1/16"),
        Arguments.of("shorter prefix when the longer misses", conn("10.2.0.1", 80), "wide-10/8"),
        Arguments.of("IPv6 prefix", conn("2001:db8::7", 80), "v6-doc"),
        Arguments.of(
            "exact server name beats wildcards",
            new ConnectionInfo(
                "192.168.0.1", 443, "reviews.default.svc", "tls", List.of(), "10.0.0.9", 1),
            "sni-exact"),
        Arguments.of(
            "longest wildcard server name",
            new ConnectionInfo(
                "192.168.0.1", 443, "ratings.default.svc", "tls", List.of(), "10.0.0.9", 1),
            "sni-wild-long"),
        Arguments.of(
            "shorter wildcard",
            new ConnectionInfo("192.168.0.1", 443, "x.other.svc", "tls", List.of(), "10.0.0.9", 1),
            "sni-wild-short"),
        Arguments.of(
            "TLS without a matching name falls back to the chain without names",
            new ConnectionInfo("192.168.0.1", 443, "example.com", "tls", List.of(), "10.0.0.9", 1),
            "tls-any"),
        Arguments.of(
            "ALPN selects the HTTP chain",
            new ConnectionInfo(
                "192.168.0.1", 80, null, "raw_buffer", List.of("h2c"), "10.0.0.9", 1),
            "http"),
        Arguments.of(
            "no ALPN: the chain without ALPN",
            new ConnectionInfo("192.168.0.1", 80, null, "raw_buffer", List.of(), "10.0.0.9", 1),
            "raw"),
        Arguments.of(
            "source prefix among equal ALPN",
            new ConnectionInfo(
                "192.168.0.1",
                80,
                null,
                "raw_buffer",
                List.of("istio-peer-exchange"),
                "127.0.0.1",
                1),
            "from-loopback"),
        Arguments.of(
            "no backtracking: the ALPN step chose, the source step misses, so the default chain",
            new ConnectionInfo(
                "192.168.0.1",
                80,
                null,
                "raw_buffer",
                List.of("istio-peer-exchange"),
                "10.0.0.9",
                1),
            "default"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("chains")
  void selectsTheFilterChainEnvoyWould(String rule, ConnectionInfo c, String expected) {
    assertThat(FilterChainSelector.select(CHAINS, c).name()).isEqualTo(expected);
  }

  @Test
  void noMatchingChainFallsBackToTheDefaultOrNothing() {
    io.meshagent.model.listener.Listener withDefault =
        listener(
            "l",
            "0.0.0.0",
            1,
            false,
            chain("default", m()),
            chain("only-9080", m().setDestinationPort(UInt32Value.of(9080))));
    assertThat(FilterChainSelector.select(withDefault, conn("10.0.0.1", 80)).name())
        .isEqualTo("default");
    io.meshagent.model.listener.Listener without =
        listener(
            "l",
            "0.0.0.0",
            1,
            false,
            null,
            chain("only-9080", m().setDestinationPort(UInt32Value.of(9080))));
    assertThat(FilterChainSelector.select(without, conn("10.0.0.1", 80))).isNull();
  }

  static Stream<Arguments> listeners() {
    return Stream.of(
        Arguments.of("exact VIP listener", "10.96.0.10", 9080, "10.96.0.10_9080"),
        Arguments.of("wildcard listener of the port", "10.1.1.1", 9080, "0.0.0.0_9080"),
        Arguments.of(
            "no listener for the port: virtualOutbound", "10.1.1.1", 3306, "virtualOutbound"),
        Arguments.of(
            "IPv6 destination ignores the IPv4 wildcard", "2001:db8::1", 9080, "virtualOutbound"),
        Arguments.of("IPv6 wildcard", "2001:db8::1", 8443, "[::]_8443"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("listeners")
  void selectsTheListenerOriginalDestinationRedirectionFinds(
      String rule, String ip, int port, String expected) {
    Map<String, io.meshagent.model.listener.Listener> all = new LinkedHashMap<>();
    for (io.meshagent.model.listener.Listener l :
        List.of(
            listener("virtualOutbound", "0.0.0.0", 15001, true, chain("PassthroughCluster", m())),
            listener("10.96.0.10_9080", "10.96.0.10", 9080, false, null, chain("vip", m())),
            listener("0.0.0.0_9080", "0.0.0.0", 9080, false, null, chain("wild", m())),
            listener("[::]_8443", "::", 8443, false, null, chain("v6", m())))) {
      all.put(l.name(), l);
    }
    assertThat(ListenerSelector.index(all).select(ip, port).name()).isEqualTo(expected);
  }
}
