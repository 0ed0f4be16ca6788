package io.meshagent.core.internal.xds.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.ByteString;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.NonForwardingAction;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.envoyproxy.envoy.type.v3.Int64Range;
import io.meshagent.core.xds.ResourceInvalidException;
import io.meshagent.core.xds.XdsResourceType.Parsed;
import io.meshagent.model.route.HeaderMatcher;
import io.meshagent.model.route.HeaderOps;
import io.meshagent.model.route.PathMatch;
import io.meshagent.model.route.Route;
import io.meshagent.model.route.RouteConfiguration;
import io.meshagent.model.route.VirtualHost;
import io.meshagent.snapshot.ResourceTypes;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RouteConfigurationTypeTest {
  private static final String VH = "virtual_hosts[0](name=reviews).routes[0](name=r0)";

  private static Any config(io.envoyproxy.envoy.config.route.v3.Route.Builder... routes) {
    var vh =
        io.envoyproxy.envoy.config.route.v3.VirtualHost.newBuilder()
            .setName("reviews")
            .addDomains("reviews")
            .addDomains("reviews:9080");
    for (var r : routes) {
      vh.addRoutes(r);
    }
    return Any.pack(
        io.envoyproxy.envoy.config.route.v3.RouteConfiguration.newBuilder()
            .setName("9080")
            .addVirtualHosts(vh)
            .build());
  }

  private static io.envoyproxy.envoy.config.route.v3.Route.Builder route(
      String name, RouteMatch.Builder match) {
    return io.envoyproxy.envoy.config.route.v3.Route.newBuilder()
        .setName(name)
        .setMatch(match)
        .setRoute(RouteAction.newBuilder().setCluster("c"));
  }

  private static RouteMatch.Builder prefix(String prefix) {
    return RouteMatch.newBuilder().setPrefix(prefix);
  }

  @Test
  void describesTheType() {
    RouteConfigurationType type = RouteConfigurationType.INSTANCE;
    assertThat(type.typeUrl()).isEqualTo(ResourceTypes.ROUTE_CONFIGURATION);
    assertThat(type.wildcard()).isFalse();
    assertThat(type.valueClass()).isEqualTo(RouteConfiguration.class);
    assertThat(type.descriptor().getFullName())
        .isEqualTo("envoy.config.route.v3.RouteConfiguration");
  }

  @Test
  @SuppressWarnings("deprecation") // the legacy header match fields istiod still sends
  void convertsMatches() throws Exception {
    var match =
        RouteMatch.newBuilder()
            .setPrefix("/api")
            .setCaseSensitive(BoolValue.of(false))
            .addHeaders(
                io.envoyproxy.envoy.config.route.v3.HeaderMatcher.newBuilder()
                    .setName("X-User")
                    .setStringMatch(StringMatcher.newBuilder().setExact("jason")))
            .addHeaders(
                io.envoyproxy.envoy.config.route.v3.HeaderMatcher.newBuilder()
                    .setName("x-legacy")
                    .setPrefixMatch("v1")
                    .setInvertMatch(true))
            .addHeaders(
                io.envoyproxy.envoy.config.route.v3.HeaderMatcher.newBuilder()
                    .setName("x-debug")
                    .setPresentMatch(false))
            .addHeaders(
                io.envoyproxy.envoy.config.route.v3.HeaderMatcher.newBuilder()
                    .setName("x-n")
                    .setRangeMatch(Int64Range.newBuilder().setStart(1).setEnd(10))
                    .setTreatMissingHeaderAsEmpty(true))
            .addHeaders(
                io.envoyproxy.envoy.config.route.v3.HeaderMatcher.newBuilder().setName("x-any"))
            .addQueryParameters(
                QueryParameterMatcher.newBuilder()
                    .setName("q")
                    .setStringMatch(StringMatcher.newBuilder().setPrefix("a")))
            .addQueryParameters(
                QueryParameterMatcher.newBuilder().setName("debug").setPresentMatch(true))
            .setRuntimeFraction(
                RuntimeFractionalPercent.newBuilder()
                    .setDefaultValue(
                        FractionalPercent.newBuilder()
                            .setNumerator(25)
                            .setDenominator(FractionalPercent.DenominatorType.HUNDRED)))
            .setGrpc(RouteMatch.GrpcRouteMatchOptions.getDefaultInstance());

    var m = parse(config(route("r0", match))).virtualHosts().get(0).routes().get(0).match();

    assertThat(m.path()).isEqualTo(new PathMatch.Prefix("/api"));
    assertThat(m.caseSensitive()).isFalse();
    assertThat(m.headers())
        .containsExactly(
            new HeaderMatcher(
                "x-user",
                new io.meshagent.model.StringMatcher.Exact("jason", false),
                null,
                null,
                null,
                false,
                false),
            new HeaderMatcher(
                "x-legacy",
                new io.meshagent.model.StringMatcher.Prefix("v1", false),
                null,
                null,
                null,
                true,
                false),
            new HeaderMatcher("x-debug", null, false, null, null, false, false),
            new HeaderMatcher("x-n", null, null, 1L, 10L, false, true),
            new HeaderMatcher("x-any", null, true, null, null, false, false));
    assertThat(m.queryParameters())
        .containsExactly(
            new io.meshagent.model.route.QueryParameterMatcher(
                "q", new io.meshagent.model.StringMatcher.Prefix("a", false)),
            new io.meshagent.model.route.QueryParameterMatcher("debug", null));
    assertThat(m.runtimeFractionPerMillion()).isEqualTo(250_000);
    assertThat(m.grpcOnly()).isTrue();
  }

  @Test
  void defaultsMatchesAsEnvoyDoes() throws Exception {
    var m = parse(config(route("r0", prefix("/")))).virtualHosts().get(0).routes().get(0).match();

    assertThat(m.caseSensitive()).isTrue();
    assertThat(m.runtimeFractionPerMillion()).isEqualTo(1_000_000);
    assertThat(m.grpcOnly()).isFalse();
  }

  @Test
  void convertsPathSpecifiers() throws Exception {
    var routes =
        parse(
                config(
                    route("exact", RouteMatch.newBuilder().setPath("/exact")),
                    route(
                        "regex",
                        RouteMatch.newBuilder()
                            .setSafeRegex(RegexMatcher.newBuilder().setRegex("/v[0-9]+"))),
                    route("separated", RouteMatch.newBuilder().setPathSeparatedPrefix("/foo"))))
            .virtualHosts()
            .get(0)
            .routes();

    assertThat(routes.get(0).match().path()).isEqualTo(new PathMatch.Exact("/exact"));
    assertThat(routes.get(1).match().path())
        .isInstanceOfSatisfying(
            PathMatch.Regex.class,
            r -> {
              assertThat(r.pattern().matcher("/v12").matches()).isTrue();
              assertThat(r.pattern().matcher("/v12/x").matches()).isFalse();
            });
    assertThat(routes.get(2).match().path()).isEqualTo(new PathMatch.PathSeparatedPrefix("/foo"));
  }

  @Test
  void convertsActions() throws Exception {
    var weighted =
        route("weighted", prefix("/w"))
            .setRoute(
                RouteAction.newBuilder()
                    .setWeightedClusters(
                        WeightedCluster.newBuilder()
                            .addClusters(
                                WeightedCluster.ClusterWeight.newBuilder()
                                    .setName("outbound|9080|v1|reviews")
                                    .setWeight(UInt32Value.of(90)))
                            .addClusters(
                                WeightedCluster.ClusterWeight.newBuilder()
                                    .setName("outbound|9080|v2|reviews")
                                    .setWeight(UInt32Value.of(10))))
                    .setPrefixRewrite("/new")
                    .setHostRewriteLiteral("ratings"));
    var noTimeout =
        route("header", prefix("/h"))
            .setRoute(
                RouteAction.newBuilder()
                    .setClusterHeader("x-cluster")
                    .setTimeout(com.google.protobuf.Duration.getDefaultInstance()));
    var timed =
        route("timed", prefix("/t"))
            .setRoute(
                RouteAction.newBuilder()
                    .setCluster("c")
                    .setTimeout(
                        com.google.protobuf.Duration.newBuilder().setSeconds(2).setNanos(5)));
    var redirect =
        route("redirect", prefix("/r"))
            .setRedirect(
                RedirectAction.newBuilder()
                    .setHttpsRedirect(true)
                    .setHostRedirect("example.com")
                    .setPathRedirect("/login")
                    .setResponseCode(RedirectAction.RedirectResponseCode.PERMANENT_REDIRECT));
    var direct =
        route("direct", prefix("/d"))
            .setDirectResponse(
                DirectResponseAction.newBuilder()
                    .setStatus(503)
                    .setBody(DataSource.newBuilder().setInlineString("unavailable")));
    var nonForwarding =
        route("nf", prefix("/n")).setNonForwardingAction(NonForwardingAction.getDefaultInstance());

    List<Route> routes =
        parse(config(weighted, noTimeout, timed, redirect, direct, nonForwarding))
            .virtualHosts()
            .get(0)
            .routes();

    assertThat(routes)
        .extracting(Route::action)
        .containsExactly(
            new io.meshagent.model.route.RouteAction.Forward(
                "",
                List.of(
                    new io.meshagent.model.route.WeightedCluster(
                        "outbound|9080|v1|reviews", 90, HeaderOps.NONE, null),
                    new io.meshagent.model.route.WeightedCluster(
                        "outbound|9080|v2|reviews", 10, HeaderOps.NONE, null)),
                "",
                Duration.ofSeconds(15),
                "/new",
                "ratings",
                null,
                List.of(),
                List.of(),
                null,
                null,
                null),
            new io.meshagent.model.route.RouteAction.Forward(
                "",
                List.of(),
                "x-cluster",
                Duration.ZERO,
                null,
                null,
                null,
                List.of(),
                List.of(),
                null,
                null,
                null),
            new io.meshagent.model.route.RouteAction.Forward(
                "c",
                List.of(),
                "",
                Duration.ofSeconds(2, 5),
                null,
                null,
                null,
                List.of(),
                List.of(),
                null,
                null,
                null),
            new io.meshagent.model.route.RouteAction.Redirect(
                "https", "example.com", "/login", 0, false, 308),
            new io.meshagent.model.route.RouteAction.DirectResponse(503, "unavailable"),
            new io.meshagent.model.route.RouteAction.NonForwarding());
  }

  @Test
  void namesTheResourceAndKeepsVirtualHosts() throws Exception {
    Parsed<RouteConfiguration> parsed =
        RouteConfigurationType.INSTANCE.parse(config(route("r0", prefix("/"))));

    assertThat(parsed.name()).isEqualTo("9080");
    VirtualHost vh = parsed.value().virtualHosts().get(0);
    assertThat(vh.name()).isEqualTo("reviews");
    assertThat(vh.domains()).containsExactly("reviews", "reviews:9080");
    assertThat(vh.routes()).extracting(Route::name).containsExactly("r0");
  }

  static Stream<Arguments> invalidConfigurations() {
    return Stream.of(
        Arguments.of(
            "invalid path regex",
            config(
                route("r0", prefix("/")),
                route("r1", prefix("/")),
                route(
                    "r1",
                    RouteMatch.newBuilder()
                        .setSafeRegex(RegexMatcher.newBuilder().setRegex("/v[0-9")))),
            "virtual_hosts[0](name=reviews).routes[2](name=r1).match.safe_regex: invalid regex"
                + " '/v[0-9': Unclosed character class near index 5"),
        Arguments.of(
            "invalid header regex",
            config(
                route(
                    "r0",
                    prefix("/")
                        .addHeaders(
                            io.envoyproxy.envoy.config.route.v3.HeaderMatcher.newBuilder()
                                .setName("x-a")
                                .setStringMatch(
                                    StringMatcher.newBuilder()
                                        .setSafeRegex(RegexMatcher.newBuilder().setRegex("*")))))),
            VH
                + ".match.headers[0](name=x-a).string_match.safe_regex: invalid regex '*':"
                + " Dangling meta character '*' near index 0"),
        Arguments.of(
            "missing path specifier",
            config(route("r0", RouteMatch.newBuilder())),
            VH
                + ".match: no path specifier (prefix, path, safe_regex or path_separated_prefix)"
                + " is set"),
        Arguments.of(
            "missing match",
            config(route("r0", prefix("/")).clearMatch()),
            VH + ".match: required"),
        Arguments.of(
            "missing action",
            config(route("r0", prefix("/")).clearRoute()),
            VH + ": no action (route, redirect, direct_response or non_forwarding_action) is set"),
        Arguments.of(
            "missing cluster",
            config(route("r0", prefix("/")).setRoute(RouteAction.newBuilder())),
            VH
                + ".route: no cluster specifier (cluster, weighted_clusters or cluster_header) is set"),
        Arguments.of(
            "zero total weight",
            config(
                route("r0", prefix("/"))
                    .setRoute(
                        RouteAction.newBuilder()
                            .setWeightedClusters(
                                WeightedCluster.newBuilder()
                                    .addClusters(
                                        WeightedCluster.ClusterWeight.newBuilder().setName("a"))))),
            VH + ".route.weighted_clusters: the sum of the cluster weights must be greater than 0"),
        Arguments.of(
            "unknown redirect code",
            config(
                route("r0", prefix("/"))
                    .setRedirect(RedirectAction.newBuilder().setResponseCodeValue(9))),
            VH
                + ".redirect.response_code: 9 is not supported; supported: MOVED_PERMANENTLY, FOUND,"
                + " SEE_OTHER, TEMPORARY_REDIRECT, PERMANENT_REDIRECT"),
        Arguments.of(
            "direct response status",
            config(
                route("r0", prefix("/"))
                    .setDirectResponse(DirectResponseAction.newBuilder().setStatus(42))),
            VH + ".direct_response.status: 42 is not in [200, 599]"),
        Arguments.of(
            "unknown runtime denominator",
            config(
                route(
                    "r0",
                    prefix("/")
                        .setRuntimeFraction(
                            RuntimeFractionalPercent.newBuilder()
                                .setDefaultValue(
                                    FractionalPercent.newBuilder()
                                        .setNumerator(1)
                                        .setDenominatorValue(7))))),
            VH
                + ".match.runtime_fraction.default_value.denominator: 7 is not supported; supported:"
                + " HUNDRED, TEN_THOUSAND, MILLION"),
        Arguments.of(
            "negative timeout",
            config(
                route("r0", prefix("/"))
                    .setRoute(
                        RouteAction.newBuilder()
                            .setCluster("c")
                            .setTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(-1)))),
            VH + ".route.timeout: invalid duration (seconds=-1, nanos=0); must be non-negative"),
        Arguments.of(
            "no name",
            Any.pack(io.envoyproxy.envoy.config.route.v3.RouteConfiguration.getDefaultInstance()),
            "name: must not be empty"),
        Arguments.of(
            "undecodable",
            Any.newBuilder()
                .setTypeUrl(ResourceTypes.ROUTE_CONFIGURATION)
                .setValue(ByteString.copyFrom(new byte[] {0x0a, 0x05, 'a'}))
                .build(),
            "cannot unpack "
                + ResourceTypes.ROUTE_CONFIGURATION
                + ": While parsing a protocol"
                + " message, the input ended unexpectedly in the middle of a field.  This could"
                + " mean either that the input has been truncated or that an embedded message"
                + " misreported its own length."));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidConfigurations")
  void rejectsInvalidConfigurationsNamingTheField(
      String description, Any resource, String message) {
    assertThatThrownBy(() -> RouteConfigurationType.INSTANCE.parse(resource))
        .isInstanceOf(ResourceInvalidException.class)
        .hasMessage(message);
  }

  @Test
  void capsRuntimeFractionsAboveTheDenominator() throws Exception {
    var match =
        prefix("/")
            .setRuntimeFraction(
                RuntimeFractionalPercent.newBuilder()
                    .setDefaultValue(
                        FractionalPercent.newBuilder()
                            .setNumerator(20_000)
                            .setDenominator(FractionalPercent.DenominatorType.TEN_THOUSAND)));

    assertThat(
            parse(config(route("r0", match)))
                .virtualHosts()
                .get(0)
                .routes()
                .get(0)
                .match()
                .runtimeFractionPerMillion())
        .isEqualTo(1_000_000);
  }

  private static RouteConfiguration parse(Any any) throws ResourceInvalidException {
    return RouteConfigurationType.INSTANCE.parse(any).value();
  }
}
