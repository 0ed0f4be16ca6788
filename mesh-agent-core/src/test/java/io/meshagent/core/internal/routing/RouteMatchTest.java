package io.meshagent.core.internal.routing;

import static io.meshagent.core.internal.routing.RouteProtos.config;
import static io.meshagent.core.internal.routing.RouteProtos.parse;
import static io.meshagent.core.internal.routing.RouteProtos.to;
import static io.meshagent.core.internal.routing.RouteProtos.vhost;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.BoolValue;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.envoyproxy.envoy.type.v3.Int64Range;
import io.meshagent.model.route.RouteConfiguration;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Envoy's route matching, one row per behaviour: does the route match the request? */
class RouteMatchTest {

  private static RouteMatch.Builder prefix(String p) {
    return RouteMatch.newBuilder().setPrefix(p);
  }

  private static RouteMatch.Builder path(String p) {
    return RouteMatch.newBuilder().setPath(p);
  }

  private static RouteMatch.Builder regex(String r) {
    return RouteMatch.newBuilder().setSafeRegex(RegexMatcher.newBuilder().setRegex(r));
  }

  private static RouteMatch.Builder separated(String p) {
    return RouteMatch.newBuilder().setPathSeparatedPrefix(p);
  }

  private static RouteMatch.Builder insensitive(RouteMatch.Builder m) {
    return m.setCaseSensitive(BoolValue.of(false));
  }

  private static RouteMatch.Builder header(HeaderMatcher.Builder h) {
    return prefix("/").addHeaders(h);
  }

  private static HeaderMatcher.Builder h(String name) {
    return HeaderMatcher.newBuilder().setName(name);
  }

  private static StringMatcher.Builder exact(String v) {
    return StringMatcher.newBuilder().setExact(v);
  }

  private static RouteMatch.Builder query(QueryParameterMatcher.Builder q) {
    return prefix("/").addQueryParameters(q);
  }

  private static QueryParameterMatcher.Builder q(String name) {
    return QueryParameterMatcher.newBuilder().setName(name);
  }

  private static UnaryOperator<RequestHeaders.Builder> with(String name, String value) {
    return b -> b.add(name, value);
  }

  private static final UnaryOperator<RequestHeaders.Builder> NONE = b -> b;

  static Stream<Arguments> rows() {
    return Stream.of(
        row("prefix matches", prefix("/api"), "/api/v1", NONE, true),
        row("prefix is case sensitive by default", prefix("/api"), "/API", NONE, false),
        row("prefix case_sensitive=false", insensitive(prefix("/api")), "/API/x", NONE, true),
        row("prefix covers the query too", prefix("/a?x"), "/a?x=1", NONE, true),
        row("exact matches", path("/exact"), "/exact", NONE, true),
        row("exact ignores the query", path("/exact"), "/exact?x=1", NONE, true),
        row("exact ignores the fragment", path("/exact"), "/exact#top", NONE, true),
        row("exact rejects a longer path", path("/exact"), "/exact/", NONE, false),
        row("exact case_sensitive=false", insensitive(path("/exact")), "/EXACT", NONE, true),
        row("regex matches the whole path", regex("/v[0-9]+"), "/v12?x=1", NONE, true),
        row("regex must match all of it", regex("/v[0-9]+"), "/v12/x", NONE, false),
        row("regex ignores case_sensitive", insensitive(regex("/v[0-9]+")), "/V12", NONE, false),
        row("path_separated_prefix: equal", separated("/foo"), "/foo", NONE, true),
        row("path_separated_prefix: segment", separated("/foo"), "/foo/bar", NONE, true),
        row("path_separated_prefix: query", separated("/foo"), "/foo?x", NONE, true),
        row("path_separated_prefix: not a segment", separated("/foo"), "/foobar", NONE, false),
        row("path_separated_prefix: case", insensitive(separated("/foo")), "/FOO/x", NONE, true),
        row("header exact", header(h("x-v").setExactMatch("1")), "/", with("X-V", "1"), true),
        row(
            "header exact mismatch",
            header(h("x-v").setExactMatch("1")),
            "/",
            with("x-v", "2"),
            false),
        row("header missing", header(h("x-v").setExactMatch("1")), "/", NONE, false),
        row(
            "header values are joined with ','",
            header(h("x-v").setExactMatch("a,b")),
            "/",
            b -> b.add("x-v", "a").add("x-v", "b"),
            true),
        row(
            "invert on a value",
            header(h("x-v").setExactMatch("1").setInvertMatch(true)),
            "/",
            with("x-v", "2"),
            true),
        row(
            "invert on a missing header does not match",
            header(h("x-v").setExactMatch("1").setInvertMatch(true)),
            "/",
            NONE,
            false),
        row(
            "present: true, present",
            header(h("x-v").setPresentMatch(true)),
            "/",
            with("x-v", ""),
            true),
        row("present: true, missing", header(h("x-v").setPresentMatch(true)), "/", NONE, false),
        row("present: false, missing", header(h("x-v").setPresentMatch(false)), "/", NONE, true),
        row(
            "present: false, present",
            header(h("x-v").setPresentMatch(false)),
            "/",
            with("x-v", "1"),
            false),
        row(
            "inverted present on a missing header matches",
            header(h("x-v").setPresentMatch(true).setInvertMatch(true)),
            "/",
            NONE,
            true),
        row("no specifier means present", header(h("x-v")), "/", with("x-v", "1"), true),
        row(
            "range: inside",
            header(h("x-n").setRangeMatch(range(10, 20))),
            "/",
            with("x-n", "10"),
            true),
        row(
            "range: end is exclusive",
            header(h("x-n").setRangeMatch(range(10, 20))),
            "/",
            with("x-n", "20"),
            false),
        row(
            "range: negative",
            header(h("x-n").setRangeMatch(range(-5, 0))),
            "/",
            with("x-n", "-3"),
            true),
        row(
            "range: not a number",
            header(h("x-n").setRangeMatch(range(10, 20))),
            "/",
            with("x-n", "1x"),
            false),
        row(
            "treat_missing_header_as_empty",
            header(h("x-v").setStringMatch(exact("")).setTreatMissingHeaderAsEmpty(true)),
            "/",
            NONE,
            true),
        row(
            "string_match ignore_case",
            header(h("x-v").setStringMatch(exact("Abc").setIgnoreCase(true))),
            "/",
            with("x-v", "aBC"),
            true),
        row(
            "string_match prefix",
            header(h("x-v").setStringMatch(StringMatcher.newBuilder().setPrefix("ab"))),
            "/",
            with("x-v", "abc"),
            true),
        row(
            "safe_regex_match",
            header(h("x-v").setSafeRegexMatch(RegexMatcher.newBuilder().setRegex("v[12]"))),
            "/",
            with("x-v", "v2"),
            true),
        row(
            ":authority pseudo-header",
            header(h(":authority").setExactMatch("host")),
            "/",
            NONE,
            true),
        row(
            ":method pseudo-header",
            header(h(":method").setExactMatch("POST")),
            "/",
            b -> b.method("POST"),
            true),
        row("query exact", query(q("v").setStringMatch(exact("1"))), "/?a=2&v=1", NONE, true),
        row("query mismatch", query(q("v").setStringMatch(exact("1"))), "/?v=2", NONE, false),
        row(
            "query first value wins",
            query(q("v").setStringMatch(exact("1"))),
            "/?v=1&v=2",
            NONE,
            true),
        row(
            "query is not decoded",
            query(q("v").setStringMatch(exact("a b"))),
            "/?v=a%20b",
            NONE,
            false),
        row("query present", query(q("debug").setPresentMatch(true)), "/?debug", NONE, true),
        row("query absent", query(q("debug").setPresentMatch(true)), "/?x=1", NONE, false),
        row(
            "query present_match: false never matches",
            query(q("debug").setPresentMatch(false)),
            "/?debug=1",
            NONE,
            false),
        row(
            "query ends at the fragment",
            query(q("v").setStringMatch(exact("1"))),
            "/?v=1#frag",
            NONE,
            true),
        row(
            "grpc: application/grpc",
            prefix("/").setGrpc(RouteMatch.GrpcRouteMatchOptions.getDefaultInstance()),
            "/",
            with("content-type", "application/grpc"),
            true),
        row(
            "grpc: application/grpc+proto",
            prefix("/").setGrpc(RouteMatch.GrpcRouteMatchOptions.getDefaultInstance()),
            "/",
            with("content-type", "application/grpc+proto"),
            true),
        row(
            "grpc: not gRPC",
            prefix("/").setGrpc(RouteMatch.GrpcRouteMatchOptions.getDefaultInstance()),
            "/",
            with("content-type", "application/grpcx"),
            false));
  }

  private static Int64Range range(long start, long end) {
    return Int64Range.newBuilder().setStart(start).setEnd(end).build();
  }

  private static Arguments row(
      String description,
      RouteMatch.Builder match,
      String path,
      UnaryOperator<RequestHeaders.Builder> request,
      boolean matches) {
    RouteConfiguration config =
        parse(
            config(
                vhost("vh", "*")
                    .addRoutes(to(match, "hit"))
                    .addRoutes(to(RouteMatch.newBuilder().setPrefix(""), "miss"))));
    return Arguments.of(
        description,
        config,
        request.apply(RequestHeaders.builder("host", path)).build(),
        matches ? "hit" : "miss");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void matchesAsEnvoyDoes(
      String description, RouteConfiguration config, RequestHeaders request, String expected) {
    assertThat(Router.route(config, request, 0))
        .isInstanceOfSatisfying(
            RouteDecision.Forward.class, f -> assertThat(f.cluster()).isEqualTo(expected));
  }

  @Test
  void firstMatchingRouteWins() {
    RouteConfiguration config =
        parse(
            config(
                vhost("vh", "*")
                    .addRoutes(to(prefix("/a"), "first"))
                    .addRoutes(to(prefix("/a/b"), "second"))));

    assertThat(
            ((RouteDecision.Forward) Router.route(config, RouteProtos.get("h", "/a/b"), 0))
                .cluster())
        .isEqualTo("first");
  }

  @Test
  void noMatchingRouteIs404WithNr() {
    RouteConfiguration config = parse(config(vhost("vh", "*").addRoutes(to(prefix("/a"), "a"))));

    assertThat(Router.route(config, RouteProtos.get("h", "/b"), 0))
        .isEqualTo(new RouteDecision.NoRoute(RouteDecision.NoRoute.Reason.NO_MATCHING_ROUTE));
  }

  static Stream<Arguments> runtimeFractions() {
    return Stream.of(
        Arguments.of(FractionalPercent.DenominatorType.HUNDRED, 25, 249_999L, "hit"),
        Arguments.of(FractionalPercent.DenominatorType.HUNDRED, 25, 250_000L, "miss"),
        Arguments.of(FractionalPercent.DenominatorType.TEN_THOUSAND, 1, 99L, "hit"),
        Arguments.of(FractionalPercent.DenominatorType.MILLION, 0, 0L, "miss"),
        Arguments.of(FractionalPercent.DenominatorType.HUNDRED, 100, 999_999L, "hit"));
  }

  @ParameterizedTest(name = "{1}/{0}, draw {2} -> {3}")
  @MethodSource("runtimeFractions")
  void runtimeFractionComparesTheDraw(
      FractionalPercent.DenominatorType denominator, int numerator, long draw, String expected) {
    RouteMatch.Builder match =
        prefix("/")
            .setRuntimeFraction(
                RuntimeFractionalPercent.newBuilder()
                    .setDefaultValue(
                        FractionalPercent.newBuilder()
                            .setNumerator(numerator)
                            .setDenominator(denominator)));
    RouteConfiguration config =
        parse(
            config(
                vhost("vh", "*").addRoutes(to(match, "hit")).addRoutes(to(prefix("/"), "miss"))));

    assertThat(
            ((RouteDecision.Forward) Router.route(config, RouteProtos.get("h", "/"), draw))
                .cluster())
        .isEqualTo(expected);
  }
}
