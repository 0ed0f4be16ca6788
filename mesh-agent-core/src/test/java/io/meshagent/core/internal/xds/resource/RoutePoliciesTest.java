package io.meshagent.core.internal.xds.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.config.route.v3.FilterConfig;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultDelay;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatchAndSubstitute;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.meshagent.core.xds.ResourceInvalidException;
import io.meshagent.model.route.FaultPolicy;
import io.meshagent.model.route.HashPolicy;
import io.meshagent.model.route.HeaderOps;
import io.meshagent.model.route.HeaderToAdd;
import io.meshagent.model.route.HeaderToAdd.AppendAction;
import io.meshagent.model.route.RegexRewrite;
import io.meshagent.model.route.RequestMirrorPolicy;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The route policies the RDS parser converts for routing, one row per field. */
class RoutePoliciesTest {
  private static final String FAULT = "envoy.filters.http.fault";
  private static final String ROUTE = "virtual_hosts[0](name=vh).routes[0](name=r)";

  private static Route.Builder route(RouteAction.Builder action) {
    return Route.newBuilder()
        .setName("r")
        .setMatch(RouteMatch.newBuilder().setPrefix("/"))
        .setRoute(action);
  }

  private static RouteAction.Builder cluster() {
    return RouteAction.newBuilder().setCluster("c");
  }

  private static RouteConfiguration.Builder config(VirtualHost.Builder vh) {
    return RouteConfiguration.newBuilder().setName("rc").addVirtualHosts(vh);
  }

  private static VirtualHost.Builder vh(Route.Builder route) {
    return VirtualHost.newBuilder().setName("vh").addDomains("*").addRoutes(route);
  }

  private static io.meshagent.model.route.RouteConfiguration parse(RouteConfiguration.Builder c)
      throws ResourceInvalidException {
    return RouteConfigurationType.INSTANCE.parse(Any.pack(c.build())).value();
  }

  private static io.meshagent.model.route.Route first(
      io.meshagent.model.route.RouteConfiguration c) {
    return c.virtualHosts().get(0).routes().get(0);
  }

  private static io.meshagent.model.route.RouteAction.Forward forward(
      io.meshagent.model.route.RouteConfiguration c) {
    return (io.meshagent.model.route.RouteAction.Forward) first(c).action();
  }

  private static HeaderValueOption.Builder hvo(String name, String value) {
    return HeaderValueOption.newBuilder()
        .setHeader(HeaderValue.newBuilder().setKey(name).setValue(value));
  }

  private static FractionalPercent percent(int n) {
    return FractionalPercent.newBuilder().setNumerator(n).build();
  }

  private static com.google.protobuf.Duration ms(long ms) {
    return com.google.protobuf.Duration.newBuilder()
        .setSeconds(ms / 1000)
        .setNanos((int) (ms % 1000) * 1_000_000)
        .build();
  }

  private static Any httpFault(HTTPFault.Builder f) {
    return Any.pack(f.build());
  }

  private static final HTTPFault.Builder ABORT_503 =
      HTTPFault.newBuilder()
          .setAbort(FaultAbort.newBuilder().setHttpStatus(503).setPercentage(percent(10)));

  private static Arguments row(
      String description,
      RouteConfiguration.Builder proto,
      Function<io.meshagent.model.route.RouteConfiguration, Object> actual,
      Object expected) {
    return Arguments.of(description, proto, actual, expected);
  }

  static Stream<Arguments> conversions() {
    return Stream.of(
        row(
            "no policies: Envoy's defaults",
            config(vh(route(cluster()))),
            c ->
                List.of(
                    first(c).headerOps(),
                    forward(c).hashPolicies(),
                    forward(c).mirrors(),
                    String.valueOf(forward(c).retryPolicy()),
                    String.valueOf(first(c).fault()),
                    c.ignorePortInHostMatching()),
            List.of(HeaderOps.NONE, List.of(), List.of(), "null", "null", false)),
        row(
            "route request/response header adds and removes",
            config(
                vh(
                    route(cluster())
                        .addRequestHeadersToAdd(hvo("X-A", "1"))
                        .addRequestHeadersToAdd(hvo("x-b", "2").setAppend(BoolValue.of(false)))
                        .addRequestHeadersToAdd(
                            hvo("x-c", "3")
                                .setAppendAction(
                                    HeaderValueOption.HeaderAppendAction.ADD_IF_ABSENT))
                        .addRequestHeadersToAdd(
                            hvo("x-d", "")
                                .setKeepEmptyValue(true)
                                .setAppendAction(
                                    HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS))
                        .addRequestHeadersToRemove("X-Gone")
                        .addResponseHeadersToAdd(hvo("x-r", "%UPSTREAM_HOST%"))
                        .addResponseHeadersToRemove("server"))),
            c -> first(c).headerOps(),
            new HeaderOps(
                List.of(
                    new HeaderToAdd("x-a", "1", AppendAction.APPEND_IF_EXISTS_OR_ADD, false),
                    new HeaderToAdd("x-b", "2", AppendAction.OVERWRITE_IF_EXISTS_OR_ADD, false),
                    new HeaderToAdd("x-c", "3", AppendAction.ADD_IF_ABSENT, false),
                    new HeaderToAdd("x-d", "", AppendAction.OVERWRITE_IF_EXISTS, true)),
                List.of("x-gone"),
                List.of(
                    new HeaderToAdd(
                        "x-r", "%UPSTREAM_HOST%", AppendAction.APPEND_IF_EXISTS_OR_ADD, false)),
                List.of("server"))),
        row(
            "virtual host header ops",
            config(vh(route(cluster())).addResponseHeadersToRemove("x-vh")),
            c -> c.virtualHosts().get(0).headerOps().responseToRemove(),
            List.of("x-vh")),
        row(
            "route configuration header ops",
            config(vh(route(cluster()))).addRequestHeadersToRemove("x-rc"),
            c -> c.headerOps().requestToRemove(),
            List.of("x-rc")),
        row(
            "weighted cluster header ops and fault",
            config(
                vh(
                    route(
                        RouteAction.newBuilder()
                            .setWeightedClusters(
                                WeightedCluster.newBuilder()
                                    .addClusters(
                                        WeightedCluster.ClusterWeight.newBuilder()
                                            .setName("a")
                                            .setWeight(UInt32Value.of(1))
                                            .addRequestHeadersToAdd(hvo("x-w", "a"))
                                            .putTypedPerFilterConfig(
                                                FAULT, httpFault(ABORT_503))))))),
            c ->
                List.of(
                    forward(c).weightedClusters().get(0).headerOps().requestToAdd().get(0).value(),
                    forward(c).weightedClusters().get(0).fault()),
            List.of("a", new FaultPolicy(null, new FaultPolicy.Abort(503, -1, 100_000)))),
        row(
            "ignore_port_in_host_matching",
            config(vh(route(cluster()))).setIgnorePortInHostMatching(true),
            io.meshagent.model.route.RouteConfiguration::ignorePortInHostMatching,
            true),
        row(
            "retry policy with Envoy's defaults",
            config(
                vh(
                    route(
                        cluster()
                            .setRetryPolicy(
                                RetryPolicy.newBuilder()
                                    .setRetryOn("5xx, connect-failure,,reset"))))),
            c -> forward(c).retryPolicy(),
            new io.meshagent.model.route.RetryPolicy(
                List.of("5xx", "connect-failure", "reset"),
                1,
                null,
                List.of(),
                Duration.ofMillis(25),
                Duration.ofMillis(250),
                List.of(),
                1)),
        row(
            "retry policy, every field",
            config(
                vh(
                    route(
                        cluster()
                            .setRetryPolicy(
                                RetryPolicy.newBuilder()
                                    .setRetryOn("retriable-status-codes")
                                    .setNumRetries(UInt32Value.of(3))
                                    .setPerTryTimeout(ms(500))
                                    .addRetriableStatusCodes(503)
                                    .addRetriableStatusCodes(504)
                                    .setRetryBackOff(
                                        RetryPolicy.RetryBackOff.newBuilder()
                                            .setBaseInterval(ms(10))
                                            .setMaxInterval(ms(40)))
                                    .addRetryHostPredicate(
                                        RetryPolicy.RetryHostPredicate.newBuilder()
                                            .setName("envoy.retry_host_predicates.previous_hosts"))
                                    .setHostSelectionRetryMaxAttempts(5))))),
            c -> forward(c).retryPolicy(),
            new io.meshagent.model.route.RetryPolicy(
                List.of("retriable-status-codes"),
                3,
                Duration.ofMillis(500),
                List.of(503, 504),
                Duration.ofMillis(10),
                Duration.ofMillis(40),
                List.of("envoy.retry_host_predicates.previous_hosts"),
                5)),
        row(
            "virtual host retry policy",
            config(
                vh(route(cluster()))
                    .setRetryPolicy(
                        RetryPolicy.newBuilder()
                            .setRetryOn("reset")
                            .setNumRetries(UInt32Value.of(0)))),
            c -> c.virtualHosts().get(0).retryPolicy().numRetries(),
            0),
        row(
            "hash policies",
            config(
                vh(
                    route(
                        cluster()
                            .addHashPolicy(
                                RouteAction.HashPolicy.newBuilder()
                                    .setHeader(
                                        RouteAction.HashPolicy.Header.newBuilder()
                                            .setHeaderName("X-User")))
                            .addHashPolicy(
                                RouteAction.HashPolicy.newBuilder()
                                    .setTerminal(true)
                                    .setCookie(
                                        RouteAction.HashPolicy.Cookie.newBuilder()
                                            .setName("s")
                                            .setTtl(ms(1000))
                                            .setPath("/")))
                            .addHashPolicy(
                                RouteAction.HashPolicy.newBuilder()
                                    .setConnectionProperties(
                                        RouteAction.HashPolicy.ConnectionProperties.newBuilder()
                                            .setSourceIp(true)))
                            .addHashPolicy(
                                RouteAction.HashPolicy.newBuilder()
                                    .setQueryParameter(
                                        RouteAction.HashPolicy.QueryParameter.newBuilder()
                                            .setName("u")))))),
            c -> forward(c).hashPolicies(),
            List.of(
                new HashPolicy.Header("x-user", false),
                new HashPolicy.Cookie("s", Duration.ofSeconds(1), "/", true),
                new HashPolicy.SourceIp(false),
                new HashPolicy.QueryParameter("u", false))),
        row(
            "request mirror policies",
            config(
                vh(
                    route(
                        cluster()
                            .addRequestMirrorPolicies(
                                RouteAction.RequestMirrorPolicy.newBuilder().setCluster("all"))
                            .addRequestMirrorPolicies(
                                RouteAction.RequestMirrorPolicy.newBuilder()
                                    .setCluster("some")
                                    .setRuntimeFraction(
                                        RuntimeFractionalPercent.newBuilder()
                                            .setDefaultValue(percent(5))))))),
            c -> forward(c).mirrors(),
            List.of(
                new RequestMirrorPolicy("all", 1_000_000),
                new RequestMirrorPolicy("some", 50_000))),
        row(
            "max_stream_duration and grpc_timeout_header_max",
            config(
                vh(
                    route(
                        cluster()
                            .setMaxStreamDuration(
                                RouteAction.MaxStreamDuration.newBuilder()
                                    .setMaxStreamDuration(ms(30_000))
                                    .setGrpcTimeoutHeaderMax(ms(0)))))),
            c -> List.of(forward(c).maxStreamDuration(), forward(c).grpcTimeoutHeaderMax()),
            List.of(Duration.ofSeconds(30), Duration.ZERO)),
        row(
            "route fault: delay and abort",
            config(
                vh(
                    route(cluster())
                        .putTypedPerFilterConfig(
                            FAULT,
                            httpFault(
                                HTTPFault.newBuilder()
                                    .setDelay(
                                        FaultDelay.newBuilder()
                                            .setFixedDelay(ms(2000))
                                            .setPercentage(
                                                FractionalPercent.newBuilder()
                                                    .setNumerator(5)
                                                    .setDenominator(
                                                        FractionalPercent.DenominatorType
                                                            .TEN_THOUSAND)))
                                    .setAbort(
                                        FaultAbort.newBuilder()
                                            .setGrpcStatus(14)
                                            .setPercentage(percent(100))))))),
            c -> first(c).fault(),
            new FaultPolicy(
                new FaultPolicy.Delay(Duration.ofSeconds(2), 500),
                new FaultPolicy.Abort(0, 14, 1_000_000))),
        row(
            "fault wrapped in FilterConfig",
            config(
                vh(
                    route(cluster())
                        .putTypedPerFilterConfig(
                            FAULT,
                            Any.pack(
                                FilterConfig.newBuilder()
                                    .setConfig(httpFault(ABORT_503))
                                    .build())))),
            c -> first(c).fault(),
            new FaultPolicy(null, new FaultPolicy.Abort(503, -1, 100_000))),
        row(
            "disabled FilterConfig turns faults off, overriding less specific levels",
            config(
                vh(
                    route(cluster())
                        .putTypedPerFilterConfig(
                            FAULT, Any.pack(FilterConfig.newBuilder().setDisabled(true).build())))),
            c -> first(c).fault(),
            FaultPolicy.NONE),
        row(
            "FilterConfig that only enables the filter inherits the less specific fault",
            config(
                vh(
                    route(cluster())
                        .putTypedPerFilterConfig(
                            FAULT,
                            Any.pack(
                                FilterConfig.newBuilder()
                                    .setConfig(Any.getDefaultInstance())
                                    .build())))),
            c -> String.valueOf(first(c).fault()),
            "null"),
        row(
            "an empty HTTPFault overrides with no fault instead of inheriting",
            config(
                vh(route(cluster())
                        .putTypedPerFilterConfig(FAULT, httpFault(HTTPFault.newBuilder())))
                    .putTypedPerFilterConfig(FAULT, httpFault(ABORT_503))),
            c -> first(c).fault(),
            FaultPolicy.NONE),
        row(
            "fault conditions: headers, upstream cluster, downstream nodes, max active faults",
            config(
                vh(
                    route(cluster())
                        .putTypedPerFilterConfig(
                            FAULT,
                            httpFault(
                                ABORT_503
                                    .clone()
                                    .addHeaders(
                                        HeaderMatcher.newBuilder()
                                            .setName("X-Fault")
                                            .setExactMatch("yes"))
                                    .setUpstreamCluster("c")
                                    .addDownstreamNodes("node-a")
                                    .setMaxActiveFaults(UInt32Value.of(7)))))),
            c -> first(c).fault(),
            new FaultPolicy(
                null,
                new FaultPolicy.Abort(503, -1, 100_000),
                List.of(
                    new io.meshagent.model.route.HeaderMatcher(
                        "x-fault",
                        new io.meshagent.model.StringMatcher.Exact("yes", false),
                        null,
                        null,
                        null,
                        false,
                        false)),
                "c",
                List.of("node-a"),
                7L)),
        row(
            "route configuration fault",
            config(vh(route(cluster()))).putTypedPerFilterConfig(FAULT, httpFault(ABORT_503)),
            io.meshagent.model.route.RouteConfiguration::fault,
            new FaultPolicy(null, new FaultPolicy.Abort(503, -1, 100_000))),
        row(
            "virtual host fault",
            config(vh(route(cluster())).putTypedPerFilterConfig(FAULT, httpFault(ABORT_503))),
            c -> c.virtualHosts().get(0).fault(),
            new FaultPolicy(null, new FaultPolicy.Abort(503, -1, 100_000))),
        row(
            "other filters' per-route config is ignored",
            config(
                vh(
                    route(cluster())
                        .putTypedPerFilterConfig(
                            "istio.stats", Any.pack(TypedExtensionConfig.getDefaultInstance())))),
            c -> String.valueOf(first(c).fault()),
            "null"),
        row(
            "regex_rewrite",
            config(
                vh(
                    route(
                        cluster()
                            .setRegexRewrite(
                                RegexMatchAndSubstitute.newBuilder()
                                    .setPattern(RegexMatcher.newBuilder().setRegex("^/v1/"))
                                    .setSubstitution("/"))))),
            c -> {
              RegexRewrite r = forward(c).regexRewrite();
              return List.of(r.pattern().pattern(), r.substitution());
            },
            List.of("^/v1/", "/")),
        row(
            "redirect port_redirect and strip_query",
            config(
                vh(
                    Route.newBuilder()
                        .setName("r")
                        .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                        .setRedirect(
                            RedirectAction.newBuilder()
                                .setPortRedirect(8443)
                                .setStripQuery(true)))),
            c -> first(c).action(),
            new io.meshagent.model.route.RouteAction.Redirect("", "", "", 8443, true, 301)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("conversions")
  void converts(
      String description,
      RouteConfiguration.Builder proto,
      Function<io.meshagent.model.route.RouteConfiguration, Object> actual,
      Object expected)
      throws Exception {
    assertThat(actual.apply(parse(proto))).isEqualTo(expected);
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of(
            "append with append_action",
            config(
                vh(
                    route(cluster())
                        .addRequestHeadersToAdd(
                            hvo("x", "1")
                                .setAppend(BoolValue.of(true))
                                .setAppendAction(
                                    HeaderValueOption.HeaderAppendAction.ADD_IF_ABSENT)))),
            ROUTE + ".request_headers_to_add[0]: append and append_action are mutually exclusive"),
        Arguments.of(
            "adding a pseudo-header",
            config(vh(route(cluster()).addRequestHeadersToAdd(hvo(":path", "/")))),
            ROUTE
                + ".request_headers_to_add[0].header.key: ':path': ':'-prefixed or host"
                + " headers may not be modified"),
        Arguments.of(
            "removing host",
            config(vh(route(cluster()).addRequestHeadersToRemove("Host"))),
            ROUTE
                + ".request_headers_to_remove[0]: 'Host': ':'-prefixed or host headers may"
                + " not be modified"),
        Arguments.of(
            "back-off max under base",
            config(
                vh(
                    route(
                        cluster()
                            .setRetryPolicy(
                                RetryPolicy.newBuilder()
                                    .setRetryBackOff(
                                        RetryPolicy.RetryBackOff.newBuilder()
                                            .setBaseInterval(ms(100))
                                            .setMaxInterval(ms(10))))))),
            ROUTE
                + ".route.retry_policy.retry_back_off.max_interval: must not be less than"
                + " base_interval"),
        Arguments.of(
            "filter_state hash",
            config(
                vh(
                    route(
                        cluster()
                            .addHashPolicy(
                                RouteAction.HashPolicy.newBuilder()
                                    .setFilterState(
                                        RouteAction.HashPolicy.FilterState.newBuilder()
                                            .setKey("k")))))),
            ROUTE + ".route.hash_policy[0].filter_state: not supported"),
        Arguments.of(
            "mirror by cluster_header",
            config(
                vh(
                    route(
                        cluster()
                            .addRequestMirrorPolicies(
                                RouteAction.RequestMirrorPolicy.newBuilder()
                                    .setClusterHeader("x-mirror"))))),
            ROUTE + ".route.request_mirror_policies[0].cluster_header: not supported"),
        Arguments.of(
            "header-controlled abort",
            config(
                vh(
                    route(cluster())
                        .putTypedPerFilterConfig(
                            FAULT,
                            httpFault(
                                HTTPFault.newBuilder()
                                    .setAbort(
                                        FaultAbort.newBuilder()
                                            .setHeaderAbort(
                                                FaultAbort.HeaderAbort.getDefaultInstance())))))),
            ROUTE + ".typed_per_filter_config[" + FAULT + "].abort.header_abort: not supported"),
        Arguments.of(
            "header-controlled delay",
            config(
                vh(
                    route(cluster())
                        .putTypedPerFilterConfig(
                            FAULT,
                            httpFault(
                                HTTPFault.newBuilder()
                                    .setDelay(
                                        FaultDelay.newBuilder()
                                            .setHeaderDelay(
                                                FaultDelay.HeaderDelay.getDefaultInstance())))))),
            ROUTE + ".typed_per_filter_config[" + FAULT + "].delay.header_delay: not supported"),
        Arguments.of(
            "fault header matcher without a name",
            config(
                vh(
                    route(cluster())
                        .putTypedPerFilterConfig(
                            FAULT,
                            httpFault(ABORT_503.clone().addHeaders(HeaderMatcher.newBuilder()))))),
            ROUTE + ".typed_per_filter_config[" + FAULT + "].headers[0].name: must not be empty"),
        Arguments.of(
            "fault response rate limit",
            config(
                vh(
                    route(cluster())
                        .putTypedPerFilterConfig(
                            FAULT,
                            httpFault(
                                ABORT_503
                                    .clone()
                                    .setResponseRateLimit(
                                        io.envoyproxy.envoy.extensions.filters.common.fault.v3
                                            .FaultRateLimit.getDefaultInstance()))))),
            ROUTE + ".typed_per_filter_config[" + FAULT + "].response_rate_limit: not supported"),
        Arguments.of(
            "FilterConfig without config",
            config(
                vh(
                    route(cluster())
                        .putTypedPerFilterConfig(
                            FAULT, Any.pack(FilterConfig.getDefaultInstance())))),
            ROUTE
                + ".typed_per_filter_config["
                + FAULT
                + "].config: required: an empty route/virtual host per filter configuration for "
                + FAULT),
        Arguments.of(
            "per-route RBAC override at the route configuration level",
            config(vh(route(cluster())))
                .putTypedPerFilterConfig(
                    "envoy.filters.http.rbac", Any.pack(TypedExtensionConfig.getDefaultInstance())),
            "typed_per_filter_config[envoy.filters.http.rbac]: per-route overrides of"
                + " envoy.filters.http.rbac are not supported"),
        Arguments.of(
            "abort status out of range",
            config(
                vh(
                    route(cluster())
                        .putTypedPerFilterConfig(
                            FAULT,
                            httpFault(
                                HTTPFault.newBuilder()
                                    .setAbort(FaultAbort.newBuilder().setHttpStatus(100)))))),
            ROUTE
                + ".typed_per_filter_config["
                + FAULT
                + "].abort.http_status: 100 is not in"
                + " [200, 600)"),
        Arguments.of(
            "fault of the wrong type",
            config(
                vh(
                    route(cluster())
                        .putTypedPerFilterConfig(
                            FAULT, Any.pack(TypedExtensionConfig.getDefaultInstance())))),
            ROUTE
                + ".typed_per_filter_config["
                + FAULT
                + "]: type.googleapis.com/envoy.config"
                + ".core.v3.TypedExtensionConfig is not supported; supported: type.googleapis"
                + ".com/envoy.extensions.filters.http.fault.v3.HTTPFault"),
        Arguments.of(
            "prefix_rewrite with regex_rewrite",
            config(
                vh(
                    route(
                        cluster()
                            .setPrefixRewrite("/x")
                            .setRegexRewrite(
                                RegexMatchAndSubstitute.newBuilder()
                                    .setPattern(RegexMatcher.newBuilder().setRegex("a"))
                                    .setSubstitution("b"))))),
            ROUTE + ".route: prefix_rewrite and regex_rewrite are mutually exclusive"),
        Arguments.of(
            "port_redirect too large",
            config(
                vh(
                    Route.newBuilder()
                        .setName("r")
                        .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                        .setRedirect(RedirectAction.newBuilder().setPortRedirect(70000)))),
            ROUTE + ".redirect.port_redirect: 70000 is not a port"),
        Arguments.of(
            "duplicate domain across virtual hosts",
            config(vh(route(cluster())).clearDomains().addDomains("a"))
                .addVirtualHosts(VirtualHost.newBuilder().setName("vh2").addDomains("A")),
            "virtual_hosts[1](name=vh2).domains[0]: duplicate domain 'A'; domains must be"
                + " unique"),
        Arguments.of(
            "two '*' domains",
            config(vh(route(cluster())))
                .addVirtualHosts(VirtualHost.newBuilder().setName("vh2").addDomains("*")),
            "virtual_hosts[1](name=vh2).domains[0]: only a single wildcard domain '*' is"
                + " permitted"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void rejectsNamingTheField(String description, RouteConfiguration.Builder proto, String message) {
    assertThatThrownBy(() -> parse(proto))
        .isInstanceOf(ResourceInvalidException.class)
        .hasMessage(message);
  }
}
