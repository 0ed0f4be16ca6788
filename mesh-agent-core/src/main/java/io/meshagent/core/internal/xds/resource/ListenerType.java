package io.meshagent.core.internal.xds.resource;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.meshagent.core.xds.ResourceInvalidException;
import io.meshagent.core.xds.XdsResourceType;
import io.meshagent.model.authz.JwtRequirement;
import io.meshagent.model.authz.RbacFilter;
import io.meshagent.model.listener.CidrRange;
import io.meshagent.model.listener.FilterChain;
import io.meshagent.model.listener.FilterChainMatch;
import io.meshagent.model.listener.HttpConnectionManager;
import io.meshagent.model.listener.Listener;
import io.meshagent.model.listener.NetworkFilter;
import io.meshagent.model.listener.NetworkRbac;
import io.meshagent.model.listener.OpaqueFilter;
import io.meshagent.model.listener.SocketAddress;
import io.meshagent.model.listener.TcpProxy;
import io.meshagent.model.listener.TrafficDirection;
import io.meshagent.model.route.FaultPolicy;
import io.meshagent.model.route.RouteConfiguration;
import io.meshagent.snapshot.ResourceTypes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** LDS: {@code envoy.config.listener.v3.Listener} to {@link Listener}. */
public final class ListenerType implements XdsResourceType<Listener> {
  /** The instance. */
  public static final ListenerType INSTANCE = new ListenerType();

  /** The name given to an api listener's HTTP connection manager, which has no filter name. */
  static final String HCM_NAME = "envoy.filters.network.http_connection_manager";

  private static final String HCM_TYPE_URL =
      "type.googleapis.com/"
          + io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3
              .HttpConnectionManager.getDescriptor()
              .getFullName();
  private static final String TCP_PROXY_TYPE_URL =
      "type.googleapis.com/"
          + io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy.getDescriptor()
              .getFullName();

  private static final String NETWORK_RBAC_TYPE_URL =
      "type.googleapis.com/"
          + io.envoyproxy
              .envoy
              .extensions
              .filters
              .network
              .rbac
              .v3
              .RBAC
              .getDescriptor()
              .getFullName();
  private static final String HTTP_RBAC_TYPE_URL =
      "type.googleapis.com/"
          + io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.getDescriptor().getFullName();
  private static final String JWT_AUTHN_TYPE_URL =
      "type.googleapis.com/"
          + io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication
              .getDescriptor()
              .getFullName();
  private static final String NETWORK_RBAC_NAME = "envoy.filters.network.rbac";
  private static final String HTTP_RBAC_NAME = "envoy.filters.http.rbac";

  private ListenerType() {}

  @Override
  public String typeUrl() {
    return ResourceTypes.LISTENER;
  }

  @Override
  public Descriptor descriptor() {
    return io.envoyproxy.envoy.config.listener.v3.Listener.getDescriptor();
  }

  @Override
  public boolean wildcard() {
    return true;
  }

  @Override
  public Class<Listener> valueClass() {
    return Listener.class;
  }

  @Override
  public Parsed<Listener> parse(Any resource) throws ResourceInvalidException {
    var proto = Anys.unpack(resource, io.envoyproxy.envoy.config.listener.v3.Listener.class, "");
    if (proto.getName().isEmpty()) {
      throw new ResourceInvalidException("name: must not be empty");
    }
    return new Parsed<>(proto.getName(), convert(proto));
  }

  static Listener convert(io.envoyproxy.envoy.config.listener.v3.Listener proto)
      throws ResourceInvalidException {
    SocketAddress address = proto.hasAddress() ? address(proto.getAddress(), "address") : null;
    TrafficDirection direction =
        switch (proto.getTrafficDirection()) {
          case UNSPECIFIED -> TrafficDirection.UNSPECIFIED;
          case INBOUND -> TrafficDirection.INBOUND;
          case OUTBOUND -> TrafficDirection.OUTBOUND;
          case UNRECOGNIZED ->
              throw new ResourceInvalidException(
                  "traffic_direction: "
                      + proto.getTrafficDirectionValue()
                      + " is not supported; supported: UNSPECIFIED, INBOUND, OUTBOUND");
        };
    if (proto.hasFilterChainMatcher()) {
      // It replaces every chain's filter_chain_match; ignoring it would match the wrong chains.
      throw new ResourceInvalidException(
          "filter_chain_matcher: not supported; use filter_chains[].filter_chain_match");
    }
    List<FilterChain> chains = new ArrayList<>(proto.getFilterChainsCount());
    for (int i = 0; i < proto.getFilterChainsCount(); i++) {
      var chain = proto.getFilterChains(i);
      chains.add(filterChain(chain, Paths.element("", "filter_chains", i, chain.getName())));
    }
    FilterChain defaultChain =
        proto.hasDefaultFilterChain()
            ? filterChain(proto.getDefaultFilterChain(), "default_filter_chain")
            : null;
    boolean useOriginalDst = proto.hasUseOriginalDst() && proto.getUseOriginalDst().getValue();
    HttpConnectionManager apiListener = null;
    if (proto.hasApiListener()) {
      String path = "api_listener.api_listener";
      Any config = proto.getApiListener().getApiListener();
      if (!config.getTypeUrl().equals(HCM_TYPE_URL)) {
        throw new ResourceInvalidException(
            Paths.at(
                path,
                "'" + config.getTypeUrl() + "' is not supported; supported: " + HCM_TYPE_URL));
      }
      apiListener = httpConnectionManager(HCM_NAME, config, path);
    }
    return new Listener(
        proto.getName(), address, direction, chains, defaultChain, useOriginalDst, apiListener);
  }

  /** A socket address; null for an internal listener's address. */
  private static SocketAddress address(Address address, String path)
      throws ResourceInvalidException {
    return switch (address.getAddressCase()) {
      case SOCKET_ADDRESS -> {
        var s = address.getSocketAddress();
        String p = Paths.field(path, "socket_address");
        if (!s.hasPortValue()) {
          throw new ResourceInvalidException(Paths.at(p, "port_value is required"));
        }
        if (s.getPortValue() < 0 || s.getPortValue() > 65535) {
          throw new ResourceInvalidException(
              Paths.at(
                  Paths.field(p, "port_value"),
                  Integer.toUnsignedString(s.getPortValue()) + " is not a port"));
        }
        yield new SocketAddress(s.getAddress(), s.getPortValue());
      }
      // Internal listeners (istiod's connect_originate) are reached by name, not bound.
      case ENVOY_INTERNAL_ADDRESS, ADDRESS_NOT_SET -> null;
      case PIPE ->
          throw new ResourceInvalidException(Paths.at(Paths.field(path, "pipe"), "not supported"));
    };
  }

  private static FilterChain filterChain(
      io.envoyproxy.envoy.config.listener.v3.FilterChain chain, String path)
      throws ResourceInvalidException {
    FilterChainMatch match =
        chain.hasFilterChainMatch()
            ? filterChainMatch(chain.getFilterChainMatch(), Paths.field(path, "filter_chain_match"))
            : FilterChainMatch.ANY;
    List<NetworkFilter> filters = new ArrayList<>(chain.getFiltersCount());
    for (int i = 0; i < chain.getFiltersCount(); i++) {
      Filter f = chain.getFilters(i);
      filters.add(networkFilter(f, Paths.element(path, "filters", i, f.getName())));
    }
    String transportSocket = chain.hasTransportSocket() ? chain.getTransportSocket().getName() : "";
    return new FilterChain(chain.getName(), match, filters, transportSocket);
  }

  private static FilterChainMatch filterChainMatch(
      io.envoyproxy.envoy.config.listener.v3.FilterChainMatch m, String path)
      throws ResourceInvalidException {
    Integer destinationPort = null;
    if (m.hasDestinationPort()) {
      int port = m.getDestinationPort().getValue();
      if (port < 1 || port > 65535) {
        throw new ResourceInvalidException(
            Paths.at(
                Paths.field(path, "destination_port"),
                Integer.toUnsignedString(port) + " is not in [1, 65535]"));
      }
      destinationPort = port;
    }
    // Criteria the agent cannot evaluate would silently widen the chain; refuse them.
    if (m.getDirectSourcePrefixRangesCount() > 0) {
      throw new ResourceInvalidException(
          Paths.at(Paths.field(path, "direct_source_prefix_ranges"), "not supported"));
    }
    if (m.getSourceTypeValue() != 0) {
      throw new ResourceInvalidException(
          Paths.at(Paths.field(path, "source_type"), m.getSourceType() + " is not supported"));
    }
    List<Integer> sourcePorts = new ArrayList<>(m.getSourcePortsCount());
    for (int i = 0; i < m.getSourcePortsCount(); i++) {
      int port = m.getSourcePorts(i);
      if (port < 1 || port > 65535) {
        throw new ResourceInvalidException(
            Paths.at(
                Paths.element(path, "source_ports", i),
                Integer.toUnsignedString(port) + " is not in [1, 65535]"));
      }
      sourcePorts.add(port);
    }
    return new FilterChainMatch(
        destinationPort,
        cidrs(m.getPrefixRangesList(), Paths.field(path, "prefix_ranges")),
        cidrs(m.getSourcePrefixRangesList(), Paths.field(path, "source_prefix_ranges")),
        sourcePorts,
        m.getTransportProtocol(),
        m.getServerNamesList(),
        m.getApplicationProtocolsList());
  }

  private static List<CidrRange> cidrs(
      List<io.envoyproxy.envoy.config.core.v3.CidrRange> ranges, String path)
      throws ResourceInvalidException {
    List<CidrRange> out = new ArrayList<>(ranges.size());
    for (int i = 0; i < ranges.size(); i++) {
      var r = ranges.get(i);
      String p = path + "[" + i + "]";
      String address = r.getAddressPrefix();
      if (!IpAddresses.isLiteral(address)) {
        throw new ResourceInvalidException(
            Paths.at(Paths.field(p, "address_prefix"), "'" + address + "' is not an IP address"));
      }
      // Envoy reads an unset prefix_len as 0.
      int length = r.hasPrefixLen() ? r.getPrefixLen().getValue() : 0;
      if (length < 0 || length > IpAddresses.maxPrefixLength(address)) {
        throw new ResourceInvalidException(
            Paths.at(
                Paths.field(p, "prefix_len"),
                Integer.toUnsignedString(length)
                    + " is too long for "
                    + address
                    + " (at most "
                    + IpAddresses.maxPrefixLength(address)
                    + ")"));
      }
      out.add(new CidrRange(address, length));
    }
    return out;
  }

  private static NetworkFilter networkFilter(Filter f, String path)
      throws ResourceInvalidException {
    if (!f.hasTypedConfig()) {
      if (f.getName().equals(NETWORK_RBAC_NAME)) {
        // Authorization must never be skipped because its configuration is elsewhere.
        throw new ResourceInvalidException(
            Paths.at(path, "an RBAC filter needs an inline typed_config"));
      }
      // Configured through ECDS or not at all: kept by name.
      return new OpaqueFilter(f.getName(), "");
    }
    Any config = f.getTypedConfig();
    String configPath = Paths.field(path, "typed_config");
    if (config.getTypeUrl().equals(HCM_TYPE_URL)) {
      return httpConnectionManager(f.getName(), config, configPath);
    }
    if (config.getTypeUrl().equals(TCP_PROXY_TYPE_URL)) {
      return tcpProxy(f.getName(), config, configPath);
    }
    if (config.getTypeUrl().equals(NETWORK_RBAC_TYPE_URL)) {
      var rbac =
          Anys.unpack(
              config,
              io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC.class,
              configPath);
      return new NetworkRbac(
          f.getName(), rbac.getStatPrefix(), RbacFilters.network(rbac, configPath));
    }
    return new OpaqueFilter(f.getName(), config.getTypeUrl());
  }

  private static HttpConnectionManager httpConnectionManager(String name, Any config, String path)
      throws ResourceInvalidException {
    var hcm =
        Anys.unpack(
            config,
            io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3
                .HttpConnectionManager.class,
            path);
    String rdsName = null;
    RouteConfiguration routes = null;
    switch (hcm.getRouteSpecifierCase()) {
      case RDS -> {
        rdsName = hcm.getRds().getRouteConfigName();
        if (rdsName.isEmpty()) {
          throw new ResourceInvalidException(
              Paths.at(Paths.field(path, "rds.route_config_name"), "must not be empty"));
        }
      }
      case ROUTE_CONFIG ->
          routes =
              RouteConfigurationType.convert(
                  hcm.getRouteConfig(), Paths.field(path, "route_config"));
      case SCOPED_ROUTES ->
          throw new ResourceInvalidException(
              Paths.at(Paths.field(path, "scoped_routes"), "not supported"));
      case ROUTESPECIFIER_NOT_SET ->
          throw new ResourceInvalidException(
              Paths.at(path, "the HTTP connection manager has neither rds nor route_config"));
    }
    List<String> httpFilters = new ArrayList<>(hcm.getHttpFiltersCount());
    List<RbacFilter> rbacFilters = new ArrayList<>();
    List<JwtRequirement> jwtProviders = new ArrayList<>();
    boolean jwtBypassCorsPreflight = false;
    FaultPolicy fault = null;
    for (int i = 0; i < hcm.getHttpFiltersCount(); i++) {
      var filter = hcm.getHttpFilters(i);
      httpFilters.add(filter.getName());
      String p = Paths.element(path, "http_filters", i, filter.getName());
      String typeUrl = filter.hasTypedConfig() ? filter.getTypedConfig().getTypeUrl() : "";
      boolean rbac = typeUrl.equals(HTTP_RBAC_TYPE_URL);
      if (rbac || filter.getName().equals(HTTP_RBAC_NAME)) {
        if (!rbac) {
          throw new ResourceInvalidException(
              Paths.at(p, "an RBAC filter needs an inline typed_config of " + HTTP_RBAC_TYPE_URL));
        }
        if (filter.getDisabled()) {
          // Enabled per route only, which the agent does not read: refuse rather than skip.
          throw new ResourceInvalidException(
              Paths.at(Paths.field(p, "disabled"), "a disabled RBAC filter is not supported"));
        }
        String cp = Paths.field(p, "typed_config");
        rbacFilters.add(
            RbacFilters.http(
                Anys.unpack(
                    filter.getTypedConfig(),
                    io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.class,
                    cp),
                cp));
      } else if (typeUrl.equals(JWT_AUTHN_TYPE_URL)) {
        String cp = Paths.field(p, "typed_config");
        var jwt =
            Anys.unpack(
                filter.getTypedConfig(),
                io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication.class,
                cp);
        jwtProviders.addAll(JwtProviders.convert(jwt, cp));
        jwtBypassCorsPreflight |= jwt.getBypassCorsPreflight();
      } else if (typeUrl.equals(FaultPolicies.HTTP_FAULT_TYPE)
          || filter.getName().equals(PerFilterConfigs.FAULT_FILTER)) {
        if (fault != null) {
          throw new ResourceInvalidException(Paths.at(p, "a second fault filter is not supported"));
        }
        // Envoy runs a disabled filter only on routes that enable it, and those carry their own
        // override here; a filter configured elsewhere (ECDS) is taken as injecting nothing.
        fault =
            filter.getDisabled() || !filter.hasTypedConfig()
                ? FaultPolicy.NONE
                : FaultPolicies.convert(filter.getTypedConfig(), Paths.field(p, "typed_config"));
      }
    }
    return new HttpConnectionManager(
        name,
        hcm.getStatPrefix(),
        rdsName,
        routes,
        httpFilters,
        rbacFilters,
        jwtProviders,
        jwtBypassCorsPreflight,
        fault);
  }

  private static TcpProxy tcpProxy(String name, Any config, String path)
      throws ResourceInvalidException {
    var proxy =
        Anys.unpack(
            config,
            io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy.class,
            path);
    String cluster = "";
    Map<String, Integer> weighted = new LinkedHashMap<>();
    switch (proxy.getClusterSpecifierCase()) {
      case CLUSTER -> {
        cluster = proxy.getCluster();
        if (cluster.isEmpty()) {
          throw new ResourceInvalidException(
              Paths.at(Paths.field(path, "cluster"), "must not be empty"));
        }
      }
      case WEIGHTED_CLUSTERS -> {
        var clusters = proxy.getWeightedClusters().getClustersList();
        String wp = Paths.field(path, "weighted_clusters");
        for (int i = 0; i < clusters.size(); i++) {
          var c = clusters.get(i);
          String p = Paths.element(wp, "clusters", i, c.getName());
          if (c.getName().isEmpty()) {
            throw new ResourceInvalidException(
                Paths.at(Paths.field(p, "name"), "must not be empty"));
          }
          if (c.getWeight() < 1) {
            throw new ResourceInvalidException(
                Paths.at(
                    Paths.field(p, "weight"),
                    "weight must be >= 1, got " + Integer.toUnsignedString(c.getWeight())));
          }
          weighted.merge(
              c.getName(),
              c.getWeight(),
              (a, b) -> (int) Math.min((long) a + b, Integer.MAX_VALUE));
        }
        if (weighted.isEmpty()) {
          throw new ResourceInvalidException(Paths.at(wp, "at least one cluster is required"));
        }
      }
      case CLUSTERSPECIFIER_NOT_SET ->
          throw new ResourceInvalidException(
              Paths.at(path, "no cluster specifier (cluster or weighted_clusters) is set"));
    }
    return new TcpProxy(name, proxy.getStatPrefix(), cluster, weighted);
  }
}
