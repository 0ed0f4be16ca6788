package io.meshagent.core.internal.routing;

import static io.meshagent.core.internal.routing.RouteProtos.action;
import static io.meshagent.core.internal.routing.RouteProtos.config;
import static io.meshagent.core.internal.routing.RouteProtos.parse;
import static io.meshagent.core.internal.routing.RouteProtos.prefix;
import static io.meshagent.core.internal.routing.RouteProtos.vhost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.FilterConfig;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.meshagent.core.internal.routing.Cors.Header;
import io.meshagent.core.internal.routing.Cors.Outcome;
import io.meshagent.core.internal.xds.resource.RouteConfigurationType;
import io.meshagent.core.xds.ResourceInvalidException;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * CORS as Envoy's {@code envoy.filters.http.cors} applies it: policies from {@code
 * typed_per_filter_config} (as istiod writes a VirtualService's {@code corsPolicy}), merged across
 * levels, then evaluated for one request.
 */
class CorsTest {
  private static final String CORS = "envoy.filters.http.cors";

  private static StringMatcher exact(String s) {
    return StringMatcher.newBuilder().setExact(s).build();
  }

  private static RuntimeFractionalPercent percent(int p) {
    return RuntimeFractionalPercent.newBuilder()
        .setDefaultValue(FractionalPercent.newBuilder().setNumerator(p))
        .build();
  }

  /** What istiod's {@code TranslateCORSPolicy} writes for a VirtualService corsPolicy. */
  private static CorsPolicy.Builder istio(String origin) {
    return CorsPolicy.newBuilder()
        .addAllowOriginStringMatch(exact(origin))
        .setAllowMethods("GET,POST")
        .setAllowHeaders("content-type,x-grpc-web")
        .setExposeHeaders("x-request-id")
        .setMaxAge("86400")
        .setAllowCredentials(BoolValue.of(true))
        .setFilterEnabled(percent(100))
        .setForwardNotMatchingPreflights(BoolValue.of(true));
  }

  private static Any typed(CorsPolicy.Builder p) {
    return Any.pack(p.build());
  }

  private static Route.Builder route(String prefix) {
    return action(prefix(prefix), RouteAction.newBuilder().setCluster("c")).setName(prefix);
  }

  private static io.meshagent.model.route.RouteConfiguration vh(VirtualHost.Builder vh) {
    return parse(config(vh));
  }

  private static final UnaryOperator<RequestHeaders.Builder> NONE = b -> b;

  private static UnaryOperator<RequestHeaders.Builder> preflight(String origin) {
    return b ->
        b.method("OPTIONS")
            .add("origin", origin)
            .add("access-control-request-method", "PUT")
            .add("access-control-request-headers", "x-custom");
  }

  private static UnaryOperator<RequestHeaders.Builder> get(String origin) {
    return b -> b.add("origin", origin);
  }

  private static Outcome headers(String... nameValues) {
    return new Outcome.ResponseHeaders(pairs(nameValues));
  }

  private static Outcome answer(String... nameValues) {
    return new Outcome.Preflight(pairs(nameValues));
  }

  private static List<Header> pairs(String... nameValues) {
    Header[] out = new Header[nameValues.length / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] = new Header(nameValues[2 * i], nameValues[2 * i + 1]);
    }
    return List.of(out);
  }

  private static final Outcome NOTHING = new Outcome.None();

  private static Arguments row(
      String description,
      io.meshagent.model.route.RouteConfiguration config,
      String path,
      UnaryOperator<RequestHeaders.Builder> request,
      Outcome expected) {
    return Arguments.of(description, config, path, request, expected);
  }

  static Stream<Arguments> rows() {
    var istio =
        vh(
            vhost("vh", "*")
                .putTypedPerFilterConfig(CORS, typed(istio("https://a.example")))
                .addRoutes(route("/")));
    var levels =
        vh(
            vhost("vh", "*")
                .putTypedPerFilterConfig(CORS, typed(istio("https://vh.example")))
                .addRoutes(
                    route("/route")
                        .putTypedPerFilterConfig(
                            CORS,
                            typed(
                                CorsPolicy.newBuilder()
                                    .addAllowOriginStringMatch(exact("https://route.example")))))
                .addRoutes(
                    route("/off")
                        .putTypedPerFilterConfig(
                            CORS, typed(CorsPolicy.newBuilder().setFilterEnabled(percent(0)))))
                .addRoutes(
                    route("/disabled")
                        .putTypedPerFilterConfig(
                            CORS, Any.pack(FilterConfig.newBuilder().setDisabled(true).build())))
                .addRoutes(
                    action(
                            prefix("/split"),
                            RouteAction.newBuilder()
                                .setWeightedClusters(
                                    WeightedCluster.newBuilder()
                                        .addClusters(
                                            WeightedCluster.ClusterWeight.newBuilder()
                                                .setName("a")
                                                .setWeight(UInt32Value.of(1))
                                                .putTypedPerFilterConfig(
                                                    CORS,
                                                    typed(
                                                        CorsPolicy.newBuilder()
                                                            .addAllowOriginStringMatch(
                                                                exact("https://split.example")))))))
                        .setName("split"))
                .addRoutes(route("/")));
    var wildcards =
        vh(
            vhost("vh", "*")
                .putTypedPerFilterConfig(
                    CORS,
                    typed(
                        CorsPolicy.newBuilder()
                            .addAllowOriginStringMatch(exact("*"))
                            .setAllowMethods("*")
                            .setAllowHeaders("*")
                            .setAllowPrivateNetworkAccess(BoolValue.of(true))
                            .setForwardNotMatchingPreflights(BoolValue.of(false))))
                .addRoutes(route("/")));
    var strict =
        vh(
            vhost("vh", "*")
                .putTypedPerFilterConfig(
                    CORS,
                    typed(
                        istio("https://a.example")
                            .clearAllowOriginStringMatch()
                            .addAllowOriginStringMatch(
                                StringMatcher.newBuilder()
                                    .setSafeRegex(
                                        RegexMatcher.newBuilder()
                                            .setRegex("https://[a-z]+\\.example\\.com")))
                            .setForwardNotMatchingPreflights(BoolValue.of(false))))
                .addRoutes(route("/")));
    var shadow =
        vh(
            vhost("vh", "*")
                .putTypedPerFilterConfig(
                    CORS,
                    typed(
                        istio("https://a.example")
                            .setFilterEnabled(percent(0))
                            .setShadowEnabled(percent(100))))
                .addRoutes(route("/")));
    @SuppressWarnings("deprecation")
    var inline =
        vh(
            vhost("vh", "*")
                .setCors(
                    io.envoyproxy.envoy.config.route.v3.CorsPolicy.newBuilder()
                        .addAllowOriginStringMatch(exact("https://inline.example"))
                        .setAllowMethods("GET"))
                .addRoutes(route("/")));
    @SuppressWarnings("deprecation")
    var typedShadowsInline =
        vh(
            vhost("vh", "*")
                .putTypedPerFilterConfig(CORS, typed(istio("https://typed.example")))
                .addRoutes(
                    action(
                            prefix("/"),
                            RouteAction.newBuilder()
                                .setCluster("c")
                                .setCors(
                                    io.envoyproxy.envoy.config.route.v3.CorsPolicy.newBuilder()
                                        .addAllowOriginStringMatch(
                                            exact("https://inline.example"))))
                        .setName("r")));
    var configLevel =
        parse(
            config(vhost("vh", "*").addRoutes(route("/")))
                .putTypedPerFilterConfig(CORS, typed(istio("https://rc.example"))));
    return Stream.of(
        row(
            "preflight from an allowed origin: 200 with istiod's policy",
            istio,
            "/",
            preflight("https://a.example"),
            answer(
                "access-control-allow-origin", "https://a.example",
                "access-control-allow-credentials", "true",
                "access-control-allow-methods", "GET,POST",
                "access-control-allow-headers", "content-type,x-grpc-web",
                "access-control-max-age", "86400",
                "access-control-expose-headers", "x-request-id")),
        row(
            "preflight from another origin is forwarded untouched",
            istio,
            "/",
            preflight("https://evil.example"),
            NOTHING),
        row(
            "simple request from an allowed origin: allow-origin, credentials, expose-headers",
            istio,
            "/",
            get("https://a.example"),
            headers(
                "access-control-allow-origin", "https://a.example",
                "access-control-allow-credentials", "true",
                "access-control-expose-headers", "x-request-id")),
        row(
            "simple request from another origin: nothing",
            istio,
            "/",
            get("https://evil.example"),
            NOTHING),
        row("no origin: nothing", istio, "/", NONE, NOTHING),
        row(
            "OPTIONS without access-control-request-method is not a preflight",
            istio,
            "/",
            b -> b.method("OPTIONS").add("origin", "https://a.example"),
            headers(
                "access-control-allow-origin", "https://a.example",
                "access-control-allow-credentials", "true",
                "access-control-expose-headers", "x-request-id")),
        row(
            "route policy wins, the virtual host fills the fields it leaves unset",
            levels,
            "/route",
            preflight("https://route.example"),
            answer(
                "access-control-allow-origin", "https://route.example",
                "access-control-allow-credentials", "true",
                "access-control-allow-methods", "GET,POST",
                "access-control-allow-headers", "content-type,x-grpc-web",
                "access-control-max-age", "86400",
                "access-control-expose-headers", "x-request-id")),
        row(
            "the route's origins replace the virtual host's",
            levels,
            "/route",
            get("https://vh.example"),
            NOTHING),
        row(
            "virtual host policy on a route without one",
            levels,
            "/",
            get("https://vh.example"),
            headers(
                "access-control-allow-origin", "https://vh.example",
                "access-control-allow-credentials", "true",
                "access-control-expose-headers", "x-request-id")),
        row(
            "filter_enabled 0% on the route turns CORS off there",
            levels, "/off", preflight("https://vh.example"), NOTHING),
        row(
            "a disabled FilterConfig on the route turns CORS off there",
            levels,
            "/disabled",
            get("https://vh.example"),
            NOTHING),
        row(
            "the picked weighted cluster's policy wins",
            levels,
            "/split",
            get("https://split.example"),
            headers(
                "access-control-allow-origin", "https://split.example",
                "access-control-allow-credentials", "true",
                "access-control-expose-headers", "x-request-id")),
        row(
            "route configuration policy applies below the virtual host",
            configLevel,
            "/",
            get("https://rc.example"),
            headers(
                "access-control-allow-origin", "https://rc.example",
                "access-control-allow-credentials", "true",
                "access-control-expose-headers", "x-request-id")),
        row(
            "a matcher accepting '*' allows any origin; '*' methods and headers echo the request",
            wildcards,
            "/",
            b ->
                preflight("https://any.example")
                    .apply(b)
                    .add("access-control-request-private-network", "true"),
            answer(
                "access-control-allow-origin", "https://any.example",
                "access-control-allow-methods", "PUT",
                "access-control-allow-headers", "x-custom",
                "access-control-allow-private-network", "true")),
        row(
            "forward_not_matching_preflights false: answered without allow-origin",
            strict,
            "/",
            preflight("https://evil.example"),
            answer(
                "access-control-allow-credentials", "true",
                "access-control-allow-methods", "GET,POST",
                "access-control-allow-headers", "content-type,x-grpc-web",
                "access-control-max-age", "86400")),
        row(
            "regex origin",
            strict,
            "/",
            get("https://shop.example.com"),
            headers(
                "access-control-allow-origin", "https://shop.example.com",
                "access-control-allow-credentials", "true",
                "access-control-expose-headers", "x-request-id")),
        row(
            "shadow mode only counts: nothing",
            shadow,
            "/",
            preflight("https://a.example"),
            NOTHING),
        row(
            "the deprecated inline policy applies when nothing is typed",
            inline,
            "/",
            preflight("https://inline.example"),
            answer(
                "access-control-allow-origin", "https://inline.example",
                "access-control-allow-methods", "GET")),
        row(
            "a typed policy anywhere hides every inline one",
            typedShadowsInline,
            "/",
            get("https://inline.example"),
            NOTHING));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void evaluates(
      String description,
      io.meshagent.model.route.RouteConfiguration config,
      String path,
      UnaryOperator<RequestHeaders.Builder> request,
      Outcome expected) {
    RequestHeaders r = request.apply(RequestHeaders.builder("example.com", path)).build();
    RouteDecision d = Router.route(config, r, 0);
    assertThat(d).isInstanceOf(RouteDecision.Forward.class);
    assertThat(Cors.evaluate(((RouteDecision.Forward) d).cors(), r, 0)).isEqualTo(expected);
  }

  @org.junit.jupiter.api.Test
  void directResponsesCarryNoPolicyAsEnvoySkipsThem() {
    var config =
        vh(
            vhost("vh", "*")
                .putTypedPerFilterConfig(CORS, typed(istio("https://a.example")))
                .addRoutes(
                    Route.newBuilder()
                        .setMatch(prefix("/"))
                        .setDirectResponse(DirectResponseAction.newBuilder().setStatus(204))));
    assertThat(Router.route(config, RouteProtos.get("h", "/"), 0))
        .isInstanceOf(RouteDecision.DirectResponse.class);
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of(
            "a policy of another type",
            config(
                vhost("vh", "*")
                    .putTypedPerFilterConfig(
                        CORS,
                        Any.pack(
                            FilterConfig.newBuilder()
                                .setConfig(Any.pack(DirectResponseAction.getDefaultInstance()))
                                .build()))
                    .addRoutes(route("/"))),
            "virtual_hosts[0](name=vh).typed_per_filter_config[envoy.filters.http.cors].config:"
                + " type.googleapis.com/envoy.config.route.v3.DirectResponseAction is not"
                + " supported; supported: type.googleapis.com/envoy.extensions.filters.http.cors.v3"
                + ".CorsPolicy"),
        Arguments.of(
            "an origin regex that does not compile",
            config(
                vhost("vh", "*")
                    .addRoutes(
                        route("/")
                            .putTypedPerFilterConfig(
                                CORS,
                                typed(
                                    CorsPolicy.newBuilder()
                                        .addAllowOriginStringMatch(
                                            StringMatcher.newBuilder()
                                                .setSafeRegex(
                                                    RegexMatcher.newBuilder().setRegex("["))))))),
            "virtual_hosts[0](name=vh).routes[0](name=/).typed_per_filter_config"
                + "[envoy.filters.http.cors].allow_origin_string_match[0].safe_regex: invalid regex"
                + " '[': Unclosed character class near index 0"),
        Arguments.of(
            "filter_enabled without a default value",
            config(
                vhost("vh", "*")
                    .putTypedPerFilterConfig(
                        CORS,
                        typed(
                            CorsPolicy.newBuilder()
                                .setFilterEnabled(RuntimeFractionalPercent.getDefaultInstance())))
                    .addRoutes(route("/"))),
            "virtual_hosts[0](name=vh).typed_per_filter_config[envoy.filters.http.cors]"
                + ".filter_enabled.default_value: required"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void rejectsNamingTheField(String description, RouteConfiguration.Builder proto, String message) {
    assertThatThrownBy(
            () -> RouteConfigurationType.INSTANCE.parse(Any.pack(proto.setName("rc").build())))
        .isInstanceOf(ResourceInvalidException.class)
        .hasMessage(message);
  }
}
