package io.meshagent.core.internal.xds.resource;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.meshagent.core.xds.ResourceInvalidException;
import io.meshagent.core.xds.XdsResourceType;
import io.meshagent.model.StringMatcher;
import io.meshagent.model.route.HeaderMatcher;
import io.meshagent.model.route.HeaderOps;
import io.meshagent.model.route.PathMatch;
import io.meshagent.model.route.QueryParameterMatcher;
import io.meshagent.model.route.RegexRewrite;
import io.meshagent.model.route.RetryPolicy;
import io.meshagent.model.route.Route;
import io.meshagent.model.route.RouteAction;
import io.meshagent.model.route.RouteConfiguration;
import io.meshagent.model.route.RouteMatch;
import io.meshagent.model.route.VirtualHost;
import io.meshagent.model.route.WeightedCluster;
import io.meshagent.snapshot.ResourceTypes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** RDS: {@code envoy.config.route.v3.RouteConfiguration} to {@link RouteConfiguration}. */
public final class RouteConfigurationType implements XdsResourceType<RouteConfiguration> {
  /** The instance. */
  public static final RouteConfigurationType INSTANCE = new RouteConfigurationType();

  /** Envoy's route timeout when a route sets none. */
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

  private static final int MILLION = RoutePolicies.MILLION;

  /** Envoy's {@code present_match: false} on a query parameter: the route never matches. */
  private static final StringMatcher NEVER = new StringMatcher.Regex(Pattern.compile("(?!)"));

  /** Envoy's {@code path_separated_prefix} constraint. */
  private static final Pattern PATH_SEPARATED_PREFIX = Pattern.compile("[^?#]+[^?#/]");

  private RouteConfigurationType() {}

  @Override
  public String typeUrl() {
    return ResourceTypes.ROUTE_CONFIGURATION;
  }

  @Override
  public Descriptor descriptor() {
    return io.envoyproxy.envoy.config.route.v3.RouteConfiguration.getDescriptor();
  }

  @Override
  public boolean wildcard() {
    return false;
  }

  @Override
  public Class<RouteConfiguration> valueClass() {
    return RouteConfiguration.class;
  }

  @Override
  public Parsed<RouteConfiguration> parse(Any resource) throws ResourceInvalidException {
    var proto =
        Anys.unpack(resource, io.envoyproxy.envoy.config.route.v3.RouteConfiguration.class, "");
    if (proto.getName().isEmpty()) {
      throw new ResourceInvalidException("name: must not be empty");
    }
    return new Parsed<>(proto.getName(), convert(proto, ""));
  }

  /**
   * Converts a route configuration, from RDS or inline in an HTTP connection manager.
   *
   * @param path the configuration's field path, empty at the root
   */
  static RouteConfiguration convert(
      io.envoyproxy.envoy.config.route.v3.RouteConfiguration proto, String path)
      throws ResourceInvalidException {
    List<VirtualHost> virtualHosts = new ArrayList<>(proto.getVirtualHostsCount());
    Set<String> domains = new HashSet<>();
    for (int i = 0; i < proto.getVirtualHostsCount(); i++) {
      var vh = proto.getVirtualHosts(i);
      String vhPath = Paths.element(path, "virtual_hosts", i, vh.getName());
      // Envoy refuses a domain (compared lower-cased) that two virtual hosts share.
      for (int d = 0; d < vh.getDomainsCount(); d++) {
        String domain = vh.getDomains(d);
        if (!domains.add(domain.toLowerCase(Locale.ROOT))) {
          throw new ResourceInvalidException(
              Paths.at(
                  Paths.element(vhPath, "domains", d),
                  domain.equals("*")
                      ? "only a single wildcard domain '*' is permitted"
                      : "duplicate domain '" + domain + "'; domains must be unique"));
        }
      }
      virtualHosts.add(virtualHost(vh, vhPath));
    }
    HeaderOps headerOps =
        RoutePolicies.headerOps(
            proto.getRequestHeadersToAddList(),
            proto.getRequestHeadersToRemoveList(),
            proto.getResponseHeadersToAddList(),
            proto.getResponseHeadersToRemoveList(),
            path);
    return new RouteConfiguration(
        proto.getName(),
        virtualHosts,
        proto.getIgnorePortInHostMatching(),
        headerOps,
        FaultPolicies.perFilter(proto.getTypedPerFilterConfigMap(), path),
        CorsPolicies.level(proto.getTypedPerFilterConfigMap(), path, null, ""));
  }

  // Envoy still reads the deprecated inline cors field when no typed_per_filter_config sets CORS.
  @SuppressWarnings("deprecation")
  private static VirtualHost virtualHost(
      io.envoyproxy.envoy.config.route.v3.VirtualHost vh, String path)
      throws ResourceInvalidException {
    List<Route> routes = new ArrayList<>(vh.getRoutesCount());
    for (int i = 0; i < vh.getRoutesCount(); i++) {
      var route = vh.getRoutes(i);
      routes.add(route(route, Paths.element(path, "routes", i, route.getName())));
    }
    HeaderOps headerOps =
        RoutePolicies.headerOps(
            vh.getRequestHeadersToAddList(),
            vh.getRequestHeadersToRemoveList(),
            vh.getResponseHeadersToAddList(),
            vh.getResponseHeadersToRemoveList(),
            path);
    RetryPolicy retry =
        vh.hasRetryPolicy()
            ? RoutePolicies.retry(vh.getRetryPolicy(), Paths.field(path, "retry_policy"))
            : null;
    return new VirtualHost(
        vh.getName(),
        vh.getDomainsList(),
        routes,
        headerOps,
        retry,
        FaultPolicies.perFilter(vh.getTypedPerFilterConfigMap(), path),
        CorsPolicies.level(
            vh.getTypedPerFilterConfigMap(),
            path,
            vh.hasCors() ? vh.getCors() : null,
            Paths.field(path, "cors")));
  }

  // Envoy still reads the deprecated inline cors field when no typed_per_filter_config sets CORS.
  @SuppressWarnings("deprecation")
  private static Route route(io.envoyproxy.envoy.config.route.v3.Route route, String path)
      throws ResourceInvalidException {
    if (!route.hasMatch()) {
      throw new ResourceInvalidException(Paths.at(Paths.field(path, "match"), "required"));
    }
    RouteMatch match = match(route.getMatch(), Paths.field(path, "match"));
    RouteAction action =
        switch (route.getActionCase()) {
          case ROUTE -> forward(route.getRoute(), Paths.field(path, "route"));
          case REDIRECT ->
              ResponseActions.redirect(route.getRedirect(), Paths.field(path, "redirect"));
          case DIRECT_RESPONSE ->
              ResponseActions.directResponse(
                  route.getDirectResponse(), Paths.field(path, "direct_response"));
          case NON_FORWARDING_ACTION -> new RouteAction.NonForwarding();
          case FILTER_ACTION -> throw unsupported(Paths.field(path, "filter_action"));
          case ACTION_NOT_SET ->
              throw new ResourceInvalidException(
                  Paths.at(
                      path,
                      "no action (route, redirect, direct_response or non_forwarding_action) is"
                          + " set"));
        };
    HeaderOps headerOps =
        RoutePolicies.headerOps(
            route.getRequestHeadersToAddList(),
            route.getRequestHeadersToRemoveList(),
            route.getResponseHeadersToAddList(),
            route.getResponseHeadersToRemoveList(),
            path);
    return new Route(
        route.getName(),
        match,
        action,
        headerOps,
        FaultPolicies.perFilter(route.getTypedPerFilterConfigMap(), path),
        CorsPolicies.level(
            route.getTypedPerFilterConfigMap(),
            path,
            route.hasRoute() && route.getRoute().hasCors() ? route.getRoute().getCors() : null,
            Paths.field(path, "route.cors")));
  }

  private static RouteMatch match(io.envoyproxy.envoy.config.route.v3.RouteMatch m, String path)
      throws ResourceInvalidException {
    PathMatch pathMatch =
        switch (m.getPathSpecifierCase()) {
          case PREFIX -> new PathMatch.Prefix(m.getPrefix());
          case PATH -> new PathMatch.Exact(m.getPath());
          case SAFE_REGEX ->
              new PathMatch.Regex(
                  Matchers.regex(m.getSafeRegex(), Paths.field(path, "safe_regex")));
          case PATH_SEPARATED_PREFIX -> {
            String prefix = m.getPathSeparatedPrefix();
            if (!PATH_SEPARATED_PREFIX.matcher(prefix).matches()) {
              throw new ResourceInvalidException(
                  Paths.at(
                      Paths.field(path, "path_separated_prefix"),
                      "'"
                          + prefix
                          + "' must be non-empty, must not contain '?' or '#' and must not end"
                          + " with '/'"));
            }
            yield new PathMatch.PathSeparatedPrefix(prefix);
          }
          case CONNECT_MATCHER -> throw unsupported(Paths.field(path, "connect_matcher"));
          case PATH_MATCH_POLICY -> throw unsupported(Paths.field(path, "path_match_policy"));
          case PATHSPECIFIER_NOT_SET ->
              throw new ResourceInvalidException(
                  Paths.at(
                      path,
                      "no path specifier (prefix, path, safe_regex or path_separated_prefix) is"
                          + " set"));
        };
    // Matchers the agent cannot evaluate would silently widen the route; refuse them.
    if (m.hasTlsContext()) {
      throw unsupported(Paths.field(path, "tls_context"));
    }
    if (m.getDynamicMetadataCount() > 0) {
      throw unsupported(Paths.field(path, "dynamic_metadata"));
    }
    if (m.getFilterStateCount() > 0) {
      throw unsupported(Paths.field(path, "filter_state"));
    }
    boolean caseSensitive = !m.hasCaseSensitive() || m.getCaseSensitive().getValue();
    List<HeaderMatcher> headers = new ArrayList<>(m.getHeadersCount());
    for (int i = 0; i < m.getHeadersCount(); i++) {
      var h = m.getHeaders(i);
      headers.add(Matchers.header(h, Paths.element(path, "headers", i, h.getName())));
    }
    List<QueryParameterMatcher> queryParameters = new ArrayList<>(m.getQueryParametersCount());
    for (int i = 0; i < m.getQueryParametersCount(); i++) {
      var q = m.getQueryParameters(i);
      queryParameters.add(
          queryParameter(q, Paths.element(path, "query_parameters", i, q.getName())));
    }
    int perMillion =
        m.hasRuntimeFraction()
            ? perMillion(m.getRuntimeFraction(), Paths.field(path, "runtime_fraction"))
            : MILLION;
    return new RouteMatch(
        pathMatch, caseSensitive, headers, queryParameters, perMillion, m.hasGrpc());
  }

  // istiod still sends the legacy exact_match / prefix_match / ... fields of HeaderMatcher.

  private static QueryParameterMatcher queryParameter(
      io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher q, String path)
      throws ResourceInvalidException {
    if (q.getName().isEmpty()) {
      throw new ResourceInvalidException(Paths.at(Paths.field(path, "name"), "must not be empty"));
    }
    StringMatcher matcher =
        switch (q.getQueryParameterMatchSpecifierCase()) {
          case STRING_MATCH ->
              Matchers.envoy(q.getStringMatch(), Paths.field(path, "string_match"));
          // Envoy: a present parameter matches present_match's value; an absent one never does.
          case PRESENT_MATCH -> q.getPresentMatch() ? null : NEVER;
          case QUERYPARAMETERMATCHSPECIFIER_NOT_SET -> null;
        };
    return new QueryParameterMatcher(q.getName(), matcher);
  }

  /** A runtime fraction's {@code default_value} in parts per million; runtime keys are not read. */
  static int perMillion(RuntimeFractionalPercent fraction, String path)
      throws ResourceInvalidException {
    if (!fraction.hasDefaultValue()) {
      throw new ResourceInvalidException(Paths.at(Paths.field(path, "default_value"), "required"));
    }
    return RoutePolicies.perMillion(fraction.getDefaultValue(), Paths.field(path, "default_value"));
  }

  // Older istiod sets the deprecated max_grpc_timeout instead of max_stream_duration.
  @SuppressWarnings("deprecation")
  private static RouteAction.Forward forward(
      io.envoyproxy.envoy.config.route.v3.RouteAction a, String path)
      throws ResourceInvalidException {
    String cluster = "";
    List<WeightedCluster> weighted = List.of();
    String clusterHeader = "";
    switch (a.getClusterSpecifierCase()) {
      case CLUSTER -> {
        cluster = a.getCluster();
        if (cluster.isEmpty()) {
          throw new ResourceInvalidException(
              Paths.at(Paths.field(path, "cluster"), "must not be empty"));
        }
      }
      case WEIGHTED_CLUSTERS ->
          weighted =
              weightedClusters(a.getWeightedClusters(), Paths.field(path, "weighted_clusters"));
      case CLUSTER_HEADER -> {
        clusterHeader = a.getClusterHeader();
        if (clusterHeader.isEmpty()) {
          throw new ResourceInvalidException(
              Paths.at(Paths.field(path, "cluster_header"), "must not be empty"));
        }
      }
      case CLUSTER_SPECIFIER_PLUGIN ->
          throw unsupported(Paths.field(path, "cluster_specifier_plugin"));
      case INLINE_CLUSTER_SPECIFIER_PLUGIN ->
          throw unsupported(Paths.field(path, "inline_cluster_specifier_plugin"));
      case CLUSTERSPECIFIER_NOT_SET ->
          throw new ResourceInvalidException(
              Paths.at(
                  path,
                  "no cluster specifier (cluster, weighted_clusters or cluster_header) is set"));
    }
    Duration timeout =
        a.hasTimeout()
            ? Durations.of(a.getTimeout(), Paths.field(path, "timeout"))
            : DEFAULT_TIMEOUT;
    String prefixRewrite = a.getPrefixRewrite().isEmpty() ? null : a.getPrefixRewrite();
    String hostRewrite =
        a.hasHostRewriteLiteral() && !a.getHostRewriteLiteral().isEmpty()
            ? a.getHostRewriteLiteral()
            : null;
    RetryPolicy retry =
        a.hasRetryPolicy()
            ? RoutePolicies.retry(a.getRetryPolicy(), Paths.field(path, "retry_policy"))
            : null;
    Duration maxStreamDuration = null;
    Duration grpcTimeoutHeaderMax = null;
    if (a.hasMaxStreamDuration()) {
      var m = a.getMaxStreamDuration();
      String mp = Paths.field(path, "max_stream_duration");
      if (m.hasMaxStreamDuration()) {
        maxStreamDuration =
            Durations.of(m.getMaxStreamDuration(), Paths.field(mp, "max_stream_duration"));
      }
      if (m.hasGrpcTimeoutHeaderMax()) {
        grpcTimeoutHeaderMax =
            Durations.of(m.getGrpcTimeoutHeaderMax(), Paths.field(mp, "grpc_timeout_header_max"));
      }
    } else if (a.hasMaxGrpcTimeout()) {
      grpcTimeoutHeaderMax =
          Durations.of(a.getMaxGrpcTimeout(), Paths.field(path, "max_grpc_timeout"));
    }
    return new RouteAction.Forward(
        cluster,
        weighted,
        clusterHeader,
        timeout,
        prefixRewrite,
        hostRewrite,
        retry,
        RoutePolicies.hashPolicies(a.getHashPolicyList(), path),
        RoutePolicies.mirrors(a.getRequestMirrorPoliciesList(), path),
        maxStreamDuration,
        grpcTimeoutHeaderMax,
        regexRewrite(a, path));
  }

  private static @Nullable RegexRewrite regexRewrite(
      io.envoyproxy.envoy.config.route.v3.RouteAction a, String path)
      throws ResourceInvalidException {
    if (!a.hasRegexRewrite()) {
      return null;
    }
    if (!a.getPrefixRewrite().isEmpty()) {
      throw new ResourceInvalidException(
          Paths.at(path, "prefix_rewrite and regex_rewrite are mutually exclusive"));
    }
    String p = Paths.field(path, "regex_rewrite");
    if (!a.getRegexRewrite().hasPattern()) {
      throw new ResourceInvalidException(Paths.at(Paths.field(p, "pattern"), "required"));
    }
    return new RegexRewrite(
        Matchers.regex(a.getRegexRewrite().getPattern(), Paths.field(p, "pattern")),
        a.getRegexRewrite().getSubstitution());
  }

  private static List<WeightedCluster> weightedClusters(
      io.envoyproxy.envoy.config.route.v3.WeightedCluster w, String path)
      throws ResourceInvalidException {
    List<WeightedCluster> clusters = new ArrayList<>(w.getClustersCount());
    long total = 0;
    for (int i = 0; i < w.getClustersCount(); i++) {
      var c = w.getClusters(i);
      String p = Paths.element(path, "clusters", i, c.getName());
      if (c.getName().isEmpty()) {
        if (!c.getClusterHeader().isEmpty()) {
          throw unsupported(Paths.field(p, "cluster_header"));
        }
        throw new ResourceInvalidException(Paths.at(Paths.field(p, "name"), "must not be empty"));
      }
      long weight = c.hasWeight() ? Integer.toUnsignedLong(c.getWeight().getValue()) : 0;
      if (weight > Integer.MAX_VALUE) {
        throw new ResourceInvalidException(
            Paths.at(Paths.field(p, "weight"), weight + " is too large"));
      }
      total += weight;
      HeaderOps headerOps =
          RoutePolicies.headerOps(
              c.getRequestHeadersToAddList(),
              c.getRequestHeadersToRemoveList(),
              c.getResponseHeadersToAddList(),
              c.getResponseHeadersToRemoveList(),
              p);
      clusters.add(
          new WeightedCluster(
              c.getName(),
              (int) weight,
              headerOps,
              FaultPolicies.perFilter(c.getTypedPerFilterConfigMap(), p),
              CorsPolicies.level(c.getTypedPerFilterConfigMap(), p, null, "")));
    }
    if (total <= 0) {
      throw new ResourceInvalidException(
          Paths.at(path, "the sum of the cluster weights must be greater than 0"));
    }
    return clusters;
  }

  private static ResourceInvalidException unsupported(String path) {
    return new ResourceInvalidException(Paths.at(path, "not supported"));
  }
}
