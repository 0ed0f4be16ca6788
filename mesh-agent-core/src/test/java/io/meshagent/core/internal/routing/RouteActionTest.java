package io.meshagent.core.internal.routing;

import static io.meshagent.core.internal.routing.RouteProtos.action;
import static io.meshagent.core.internal.routing.RouteProtos.config;
import static io.meshagent.core.internal.routing.RouteProtos.parse;
import static io.meshagent.core.internal.routing.RouteProtos.prefix;
import static io.meshagent.core.internal.routing.RouteProtos.vhost;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.NonForwardingAction;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultDelay;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatchAndSubstitute;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.meshagent.model.route.HeaderOps;
import io.meshagent.model.route.RouteConfiguration;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What a matched route decides, one row per behaviour. */
class RouteActionTest {
  private static final String FAULT = "envoy.filters.http.fault";

  static RouteAction.Builder cluster(String c) {
    return RouteAction.newBuilder().setCluster(c);
  }

  static WeightedCluster.ClusterWeight.Builder weight(String name, int w) {
    return WeightedCluster.ClusterWeight.newBuilder().setName(name).setWeight(UInt32Value.of(w));
  }

  static RouteAction.Builder split(WeightedCluster.ClusterWeight.Builder... clusters) {
    WeightedCluster.Builder w = WeightedCluster.newBuilder();
    for (var c : clusters) {
      w.addClusters(c);
    }
    return RouteAction.newBuilder().setWeightedClusters(w);
  }

  static HeaderValueOption add(String name, String value) {
    return HeaderValueOption.newBuilder()
        .setHeader(HeaderValue.newBuilder().setKey(name).setValue(value))
        .build();
  }

  static FractionalPercent percent(int p) {
    return FractionalPercent.newBuilder().setNumerator(p).build();
  }

  static Any abort(int status, int percent) {
    return Any.pack(
        HTTPFault.newBuilder()
            .setAbort(FaultAbort.newBuilder().setHttpStatus(status).setPercentage(percent(percent)))
            .build());
  }

  static com.google.protobuf.Duration seconds(long s) {
    return com.google.protobuf.Duration.newBuilder().setSeconds(s).build();
  }

  static RouteConfiguration one(Route.Builder route) {
    return parse(config(vhost("vh", "*").addRoutes(route)));
  }

  static Consumer<RouteDecision> forward(Consumer<RouteDecision.Forward> check) {
    return d -> assertThat(d).isInstanceOfSatisfying(RouteDecision.Forward.class, check::accept);
  }

  static Consumer<RouteDecision> is(RouteDecision expected) {
    return d -> assertThat(d).isEqualTo(expected);
  }

  static final UnaryOperator<RequestHeaders.Builder> NONE = b -> b;

  static Arguments row(
      String description,
      RouteConfiguration config,
      String path,
      UnaryOperator<RequestHeaders.Builder> request,
      long draw,
      Consumer<RouteDecision> check) {
    return rowAt(description, config, "example.com:8080", path, request, draw, check);
  }

  static Arguments rowAt(
      String description,
      RouteConfiguration config,
      String authority,
      String path,
      UnaryOperator<RequestHeaders.Builder> request,
      long draw,
      Consumer<RouteDecision> check) {
    return Arguments.of(
        description,
        config,
        request.apply(RequestHeaders.builder(authority, path)).build(),
        draw,
        check);
  }

  static Stream<Arguments> rows() {
    RouteConfiguration weighted =
        one(action(prefix("/"), split(weight("v1", 90), weight("v2", 10))));
    RouteConfiguration grpc =
        one(
            action(
                prefix("/"),
                cluster("c")
                    .setTimeout(seconds(5))
                    .setMaxStreamDuration(
                        RouteAction.MaxStreamDuration.newBuilder()
                            .setMaxStreamDuration(seconds(30))
                            .setGrpcTimeoutHeaderMax(seconds(2)))));
    RouteConfiguration uncapped =
        one(
            action(
                prefix("/"),
                cluster("c")
                    .setMaxStreamDuration(
                        RouteAction.MaxStreamDuration.newBuilder()
                            .setGrpcTimeoutHeaderMax(seconds(0)))));
    UnaryOperator<RequestHeaders.Builder> grpcRequest =
        b -> b.add("content-type", "application/grpc");
    RetryPolicy vhRetry = RetryPolicy.newBuilder().setRetryOn("5xx").build();
    RetryPolicy routeRetry = RetryPolicy.newBuilder().setRetryOn("reset").build();
    RouteConfiguration retries =
        parse(
            config(
                vhost("vh", "*")
                    .setRetryPolicy(vhRetry)
                    .addRoutes(action(prefix("/own"), cluster("c").setRetryPolicy(routeRetry)))
                    .addRoutes(action(prefix("/"), cluster("c")))));
    RouteConfiguration headers =
        parse(
            config(
                    vhost("vh", "*")
                        .addRequestHeadersToAdd(add("x-level", "vhost"))
                        .addRoutes(
                            action(
                                    prefix("/"),
                                    split(
                                        weight("a", 1)
                                            .addRequestHeadersToAdd(add("x-level", "cluster"))))
                                .addRequestHeadersToAdd(add("x-level", "route"))))
                .addRequestHeadersToAdd(add("x-level", "config")));
    VirtualHost.Builder faults = vhost("vh", "*").putTypedPerFilterConfig(FAULT, abort(500, 100));
    faults.addRoutes(action(prefix("/vh"), cluster("c")));
    faults.addRoutes(
        action(prefix("/route"), cluster("c")).putTypedPerFilterConfig(FAULT, abort(501, 100)));
    faults.addRoutes(
        action(
                prefix("/cluster"),
                split(weight("a", 1).putTypedPerFilterConfig(FAULT, abort(502, 100))))
            .putTypedPerFilterConfig(FAULT, abort(501, 100)));
    faults.addRoutes(
        action(prefix("/never"), cluster("c")).putTypedPerFilterConfig(FAULT, abort(503, 0)));
    faults.addRoutes(
        action(prefix("/delay"), cluster("c"))
            .putTypedPerFilterConfig(
                FAULT,
                Any.pack(
                    HTTPFault.newBuilder()
                        .setDelay(
                            FaultDelay.newBuilder()
                                .setFixedDelay(seconds(3))
                                .setPercentage(percent(100)))
                        .build())));
    RouteConfiguration faultConfig = parse(config(faults));
    RouteConfiguration mirrors =
        one(
            action(
                prefix("/"),
                cluster("c")
                    .addRequestMirrorPolicies(
                        RouteAction.RequestMirrorPolicy.newBuilder().setCluster("all"))
                    .addRequestMirrorPolicies(
                        RouteAction.RequestMirrorPolicy.newBuilder()
                            .setCluster("none")
                            .setRuntimeFraction(
                                RuntimeFractionalPercent.newBuilder()
                                    .setDefaultValue(percent(0))))));
    return Stream.of(
        row(
            "weighted: draw under the first weight",
            weighted,
            "/",
            NONE,
            89,
            forward(f -> assertThat(f.cluster()).isEqualTo("v1"))),
        row(
            "weighted: draw mod total past it",
            weighted,
            "/",
            NONE,
            1_095,
            forward(f -> assertThat(f.cluster()).isEqualTo("v2"))),
        row(
            "cluster header present",
            one(action(prefix("/"), RouteAction.newBuilder().setClusterHeader("x-cluster"))),
            "/",
            b -> b.add("X-Cluster", "picked"),
            0,
            forward(f -> assertThat(f.cluster()).isEqualTo("picked"))),
        row(
            "cluster header absent: 503 NC",
            one(action(prefix("/"), RouteAction.newBuilder().setClusterHeader("x-cluster"))),
            "/",
            NONE,
            0,
            is(new RouteDecision.NoRoute(RouteDecision.NoRoute.Reason.CLUSTER_HEADER_ABSENT))),
        row(
            "default timeout is 15 s",
            one(action(prefix("/"), cluster("c"))),
            "/",
            NONE,
            0,
            forward(f -> assertThat(f.timeout()).isEqualTo(Duration.ofSeconds(15)))),
        row(
            "non-gRPC request: route timeout",
            grpc,
            "/",
            NONE,
            0,
            forward(f -> assertThat(f.timeout()).isEqualTo(Duration.ofSeconds(5)))),
        row(
            "gRPC: grpc-timeout under the max",
            grpc,
            "/",
            b -> grpcRequest.apply(b).add("grpc-timeout", "1500m"),
            0,
            forward(f -> assertThat(f.timeout()).isEqualTo(Duration.ofMillis(1500)))),
        row(
            "gRPC: grpc-timeout capped",
            grpc,
            "/",
            b -> grpcRequest.apply(b).add("grpc-timeout", "10S"),
            0,
            forward(f -> assertThat(f.timeout()).isEqualTo(Duration.ofSeconds(2)))),
        row(
            "gRPC: no grpc-timeout means the max",
            grpc,
            "/",
            grpcRequest,
            0,
            forward(f -> assertThat(f.timeout()).isEqualTo(Duration.ofSeconds(2)))),
        row(
            "gRPC: max zero leaves the header uncapped",
            uncapped,
            "/",
            b -> grpcRequest.apply(b).add("grpc-timeout", "1H"),
            0,
            forward(f -> assertThat(f.timeout()).isEqualTo(Duration.ofHours(1)))),
        row(
            "max_stream_duration is carried",
            grpc,
            "/",
            NONE,
            0,
            forward(f -> assertThat(f.maxStreamDuration()).isEqualTo(Duration.ofSeconds(30)))),
        row(
            "route retry policy wins",
            retries,
            "/own",
            NONE,
            0,
            forward(f -> assertThat(f.retryPolicy().retryOn()).containsExactly("reset"))),
        row(
            "virtual host retry policy otherwise",
            retries,
            "/",
            NONE,
            0,
            forward(f -> assertThat(f.retryPolicy().retryOn()).containsExactly("5xx"))),
        row(
            "prefix rewrite keeps the rest and the query",
            one(action(prefix("/api"), cluster("c").setPrefixRewrite("/new"))),
            "/api/v1?q=1",
            NONE,
            0,
            forward(f -> assertThat(f.pathRewrite()).isEqualTo("/new/v1?q=1"))),
        row(
            "prefix rewrite of an exact match",
            one(action(RouteMatch.newBuilder().setPath("/a"), cluster("c").setPrefixRewrite("/b"))),
            "/a?x",
            NONE,
            0,
            forward(f -> assertThat(f.pathRewrite()).isEqualTo("/b?x"))),
        row(
            "regex rewrite with a group keeps the query",
            one(
                action(
                    prefix("/"),
                    cluster("c")
                        .setRegexRewrite(
                            RegexMatchAndSubstitute.newBuilder()
                                .setPattern(RegexMatcher.newBuilder().setRegex("^/v(\\d+)/(.*)$"))
                                .setSubstitution("/\\2/version-\\1")))),
            "/v2/items?x=/v1/",
            NONE,
            0,
            forward(f -> assertThat(f.pathRewrite()).isEqualTo("/items/version-2?x=/v1/"))),
        row(
            "no rewrite keeps the path",
            one(action(prefix("/"), cluster("c"))),
            "/a",
            NONE,
            0,
            forward(f -> assertThat(f.pathRewrite()).isNull())),
        row(
            "host rewrite",
            one(action(prefix("/"), cluster("c").setHostRewriteLiteral("backend"))),
            "/",
            NONE,
            0,
            forward(f -> assertThat(f.hostRewrite()).isEqualTo("backend"))),
        row(
            "header ops: cluster, route, vhost, config",
            headers,
            "/",
            NONE,
            0,
            forward(
                f ->
                    assertThat(f.headerOps())
                        .extracting(o -> o.requestToAdd().get(0).value())
                        .containsExactly("cluster", "route", "vhost", "config"))),
        row(
            "fault: virtual host's",
            faultConfig,
            "/vh",
            NONE,
            0,
            forward(f -> assertThat(f.fault().abort().httpStatus()).isEqualTo(500))),
        row(
            "fault: route's beats the virtual host's",
            faultConfig,
            "/route",
            NONE,
            0,
            forward(f -> assertThat(f.fault().abort().httpStatus()).isEqualTo(501))),
        row(
            "fault: weighted cluster's beats the route's",
            faultConfig,
            "/cluster",
            NONE,
            0,
            forward(f -> assertThat(f.fault().abort().httpStatus()).isEqualTo(502))),
        row(
            "fault: 0% never fires",
            faultConfig, "/never", NONE, 0, forward(f -> assertThat(f.fault()).isNull())),
        row(
            "fault: fixed delay",
            faultConfig,
            "/delay",
            NONE,
            0,
            forward(
                f ->
                    assertThat(f.fault())
                        .isEqualTo(new RouteDecision.Fault(Duration.ofSeconds(3), null)))),
        row(
            "mirrors: 100% mirrored, 0% not",
            mirrors,
            "/",
            NONE,
            0,
            forward(f -> assertThat(f.mirrorClusters()).containsExactly("all"))),
        row(
            "redirect: https and host",
            one(
                Route.newBuilder()
                    .setMatch(prefix("/"))
                    .setRedirect(
                        RedirectAction.newBuilder()
                            .setHttpsRedirect(true)
                            .setHostRedirect("secure"))),
            "/a?b=1",
            NONE,
            0,
            is(new RouteDecision.Redirect("https://secure/a?b=1", 301, List.of()))),
        rowAt(
            "redirect: https drops a default :80",
            one(
                Route.newBuilder()
                    .setMatch(prefix("/"))
                    .setRedirect(RedirectAction.newBuilder().setHttpsRedirect(true))),
            "example.com:80",
            "/",
            NONE,
            0,
            is(new RouteDecision.Redirect("https://example.com/", 301, List.of()))),
        row(
            "redirect: port_redirect replaces the port",
            one(
                Route.newBuilder()
                    .setMatch(prefix("/"))
                    .setRedirect(
                        RedirectAction.newBuilder()
                            .setPortRedirect(8443)
                            .setResponseCode(RedirectAction.RedirectResponseCode.FOUND))),
            "/p",
            NONE,
            0,
            is(new RouteDecision.Redirect("http://example.com:8443/p", 302, List.of()))),
        row(
            "redirect: path keeps the query",
            one(
                Route.newBuilder()
                    .setMatch(prefix("/"))
                    .setRedirect(RedirectAction.newBuilder().setPathRedirect("/login"))),
            "/a?x=1",
            NONE,
            0,
            is(new RouteDecision.Redirect("http://example.com:8080/login?x=1", 301, List.of()))),
        row(
            "redirect: strip_query",
            one(
                Route.newBuilder()
                    .setMatch(prefix("/"))
                    .setRedirect(RedirectAction.newBuilder().setStripQuery(true))),
            "/a?x=1",
            NONE,
            0,
            is(new RouteDecision.Redirect("http://example.com:8080/a", 301, List.of()))),
        row(
            "direct response",
            one(
                Route.newBuilder()
                    .setMatch(prefix("/"))
                    .setDirectResponse(DirectResponseAction.newBuilder().setStatus(418))
                    .addResponseHeadersToRemove("x-a")),
            "/",
            NONE,
            0,
            is(
                new RouteDecision.DirectResponse(
                    418,
                    "",
                    List.of(new HeaderOps(List.of(), List.of(), List.of(), List.of("x-a")))))),
        row(
            "non_forwarding_action: 404 NR",
            one(
                Route.newBuilder()
                    .setMatch(prefix("/"))
                    .setNonForwardingAction(NonForwardingAction.getDefaultInstance())),
            "/",
            NONE,
            0,
            is(new RouteDecision.NoRoute(RouteDecision.NoRoute.Reason.NON_FORWARDING))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void decides(
      String description,
      RouteConfiguration config,
      RequestHeaders request,
      long draw,
      Consumer<RouteDecision> check) {
    check.accept(Router.route(config, request, draw));
  }
}
