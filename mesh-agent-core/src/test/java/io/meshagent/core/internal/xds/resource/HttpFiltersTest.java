package io.meshagent.core.internal.xds.resource;

import static io.meshagent.core.internal.authz.jwt.IstioJwt.ALLOW_MISSING;
import static io.meshagent.core.internal.authz.jwt.IstioJwt.any;
import static io.meshagent.core.internal.authz.jwt.IstioJwt.authentication;
import static io.meshagent.core.internal.authz.jwt.IstioJwt.byName;
import static io.meshagent.core.internal.authz.jwt.IstioJwt.provider;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.HttpUri;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtClaimToHeader;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtHeader;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtProvider;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.RemoteJwks;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.RequirementRule;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.meshagent.core.xds.ResourceInvalidException;
import io.meshagent.model.authz.JwtRequirement;
import io.meshagent.model.listener.HttpConnectionManager;
import io.meshagent.model.route.FaultPolicy;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The HTTP filters of a connection manager that change routing and authentication. */
class HttpFiltersTest {
  private static final String FAULT = "envoy.filters.http.fault";
  private static final String JWT = "envoy.filters.http.jwt_authn";
  private static final String FILTER =
      "filter_chains[0].filters[0](name=envoy.filters.network.http_connection_manager)"
          + ".typed_config.http_filters[0]";
  private static final String JWKS = "{\"keys\":[]}";

  private static HttpFilter filter(String name, Message config) {
    return HttpFilter.newBuilder().setName(name).setTypedConfig(Any.pack(config)).build();
  }

  private static HttpConnectionManager parse(HttpFilter... filters)
      throws ResourceInvalidException {
    var hcm =
        io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3
            .HttpConnectionManager.newBuilder()
            .setStatPrefix("inbound_0.0.0.0_8080")
            .setRds(Rds.newBuilder().setRouteConfigName("inbound|8080||"));
    for (HttpFilter f : filters) {
      hcm.addHttpFilters(f);
    }
    hcm.addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.router"));
    var listener =
        io.envoyproxy.envoy.config.listener.v3.Listener.newBuilder()
            .setName("virtualInbound")
            .addFilterChains(
                FilterChain.newBuilder()
                    .addFilters(
                        Filter.newBuilder()
                            .setName("envoy.filters.network.http_connection_manager")
                            .setTypedConfig(Any.pack(hcm.build()))))
            .build();
    return (HttpConnectionManager)
        ListenerType.INSTANCE
            .parse(Any.pack(listener))
            .value()
            .filterChains()
            .get(0)
            .filters()
            .get(0);
  }

  private static FractionalPercent percent(int p) {
    return FractionalPercent.newBuilder().setNumerator(p).build();
  }

  private static final HTTPFault ABORT_503 =
      HTTPFault.newBuilder()
          .setAbort(FaultAbort.newBuilder().setHttpStatus(503).setPercentage(percent(100)))
          .build();

  private static Arguments row(
      String description,
      List<HttpFilter> filters,
      Function<HttpConnectionManager, Object> actual,
      Object expected) {
    return Arguments.of(description, filters, actual, expected);
  }

  static Stream<Arguments> conversions() {
    return Stream.of(
        row(
            "no fault filter: no fault injection at all",
            List.of(),
            m -> String.valueOf(m.fault()),
            "null"),
        row(
            "istiod's empty fault filter injects nothing by default",
            List.of(filter(FAULT, HTTPFault.getDefaultInstance())),
            HttpConnectionManager::fault,
            FaultPolicy.NONE),
        row(
            "the fault filter's own configuration, conditions included",
            List.of(
                filter(
                    FAULT,
                    ABORT_503.toBuilder()
                        .addHeaders(
                            HeaderMatcher.newBuilder().setName("x-test").setPresentMatch(true))
                        .setUpstreamCluster("outbound|80||a")
                        .setMaxActiveFaults(UInt32Value.of(3))
                        .build())),
            HttpConnectionManager::fault,
            new FaultPolicy(
                null,
                new FaultPolicy.Abort(503, -1, 1_000_000),
                List.of(
                    new io.meshagent.model.route.HeaderMatcher(
                        "x-test", null, true, null, null, false, false)),
                "outbound|80||a",
                List.of(),
                3L)),
        row(
            "a disabled fault filter has no default",
            List.of(filter(FAULT, ABORT_503).toBuilder().setDisabled(true).build()),
            HttpConnectionManager::fault,
            FaultPolicy.NONE),
        row(
            "a fault filter configured elsewhere (ECDS) has no default",
            List.of(HttpFilter.newBuilder().setName(FAULT).build()),
            HttpConnectionManager::fault,
            FaultPolicy.NONE),
        row(
            "jwt_authn: providers, bypass_cors_preflight",
            List.of(filter(JWT, authentication(provider("https://issuer", JWKS)))),
            m -> List.of(m.jwtProviders().get(0).issuer(), m.jwtBypassCorsPreflight()),
            List.of("https://issuer", true)),
        row(
            "jwt_authn: every provider field the agent applies",
            List.of(
                filter(
                    JWT,
                    authentication(
                        provider("https://issuer", JWKS)
                            .addAudiences("bookinfo")
                            .addFromHeaders(
                                JwtHeader.newBuilder().setName("X-Jwt").setValuePrefix("Token "))
                            .addFromParams("token")
                            .addFromCookies("session")
                            .setForward(true)
                            .setForwardPayloadHeader("x-jwt-payload")
                            .setPadForwardPayloadHeader(true)
                            .addClaimToHeaders(
                                JwtClaimToHeader.newBuilder()
                                    .setHeaderName("x-sub")
                                    .setClaimName("sub"))
                            .setClockSkewSeconds(5)))),
            m -> m.jwtProviders().get(0),
            new JwtRequirement(
                "origins-0",
                "https://issuer",
                List.of("bookinfo"),
                JWKS,
                null,
                List.of(new JwtRequirement.FromHeader("X-Jwt", "Token ")),
                List.of("token"),
                List.of("session"),
                true,
                "payload",
                List.of("scope", "permission"),
                "x-jwt-payload",
                true,
                List.of(new JwtRequirement.ClaimToHeader("x-sub", "sub")),
                5)),
        row(
            "jwt_authn: providers in requirement order, not name order",
            List.of(
                filter(
                    JWT,
                    authentication(
                        provider("i0", JWKS),
                        provider("i1", JWKS),
                        provider("i2", JWKS),
                        provider("i3", JWKS),
                        provider("i4", JWKS),
                        provider("i5", JWKS),
                        provider("i6", JWKS),
                        provider("i7", JWKS),
                        provider("i8", JWKS),
                        provider("i9", JWKS),
                        provider("i10", JWKS)))),
            m -> m.jwtProviders().stream().map(JwtRequirement::issuer).toList(),
            List.of("i0", "i1", "i2", "i3", "i4", "i5", "i6", "i7", "i8", "i9", "i10")),
        row(
            "jwt_authn: older istiod's any(P0, P1, allow_missing)",
            List.of(
                filter(
                    JWT,
                    JwtAuthentication.newBuilder()
                        .putProviders("origins-0", provider("a", JWKS).build())
                        .putProviders("origins-1", provider("b", JWKS).build())
                        .addRules(
                            rule(any(byName("origins-0"), byName("origins-1"), ALLOW_MISSING)))
                        .build())),
            m -> m.jwtProviders().size(),
            2),
        row(
            "jwt_authn: a remote JWKS is kept by URI",
            List.of(
                filter(
                    JWT,
                    authentication(
                        provider("a", JWKS)
                            .setRemoteJwks(
                                RemoteJwks.newBuilder()
                                    .setHttpUri(HttpUri.newBuilder().setUri("https://a/jwks")))))),
            m ->
                List.of(
                    m.jwtProviders().get(0).remoteJwksUri(),
                    "" + m.jwtProviders().get(0).localJwks()),
            List.of("https://a/jwks", "null")));
  }

  private static RequirementRule rule(
      io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirement requires) {
    return RequirementRule.newBuilder()
        .setMatch(RouteMatch.newBuilder().setPrefix("/"))
        .setRequires(requires)
        .build();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("conversions")
  void converts(
      String description,
      List<HttpFilter> filters,
      Function<HttpConnectionManager, Object> actual,
      Object expected)
      throws Exception {
    assertThat(actual.apply(parse(filters.toArray(new HttpFilter[0])))).isEqualTo(expected);
  }

  static Stream<Arguments> invalid() {
    JwtProvider.Builder p = provider("https://issuer", JWKS);
    return Stream.of(
        Arguments.of(
            "fault filter: abort status out of range",
            filter(
                FAULT,
                HTTPFault.newBuilder()
                    .setAbort(FaultAbort.newBuilder().setHttpStatus(99).setPercentage(percent(1)))
                    .build()),
            FILTER
                + "(name="
                + FAULT
                + ").typed_config.abort.http_status: 99 is not in [200, 600)"),
        Arguments.of(
            "fault filter: header matcher with a bad regex",
            filter(
                FAULT,
                ABORT_503.toBuilder()
                    .addHeaders(
                        HeaderMatcher.newBuilder()
                            .setName("x")
                            .setSafeRegexMatch(
                                io.envoyproxy.envoy.type.matcher.v3.RegexMatcher.newBuilder()
                                    .setRegex("(")))
                    .build()),
            FILTER
                + "(name="
                + FAULT
                + ").typed_config.headers[0](name=x).safe_regex_match: invalid regex '(':"
                + " Unclosed group near index 1"),
        Arguments.of(
            "fault filter: a typed_config of another type",
            filter(FAULT, com.google.protobuf.Empty.getDefaultInstance()),
            FILTER
                + "(name="
                + FAULT
                + ").typed_config: type.googleapis.com/google.protobuf.Empty is not supported;"
                + " supported: type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault"),
        Arguments.of(
            "jwt_authn: no rules",
            filter(
                JWT, JwtAuthentication.newBuilder().putProviders("origins-0", p.build()).build()),
            FILTER
                + "(name="
                + JWT
                + ").typed_config.rules: 0 rules are not supported; expected istiod's single rule"
                + " for prefix '/'"),
        Arguments.of(
            "jwt_authn: a provider required without allow_missing",
            filter(
                JWT,
                JwtAuthentication.newBuilder()
                    .putProviders("origins-0", p.build())
                    .addRules(rule(byName("origins-0")))
                    .build()),
            FILTER
                + "(name="
                + JWT
                + ").typed_config.rules[0].requires: not supported: expected istiod's requirement:"
                + " any of the providers [origins-0] or a missing token"),
        Arguments.of(
            "jwt_authn: a provider the requirement does not name",
            filter(
                JWT,
                JwtAuthentication.newBuilder()
                    .putProviders("origins-0", p.build())
                    .putProviders("origins-1", p.build())
                    .addRules(rule(any(byName("origins-0"), ALLOW_MISSING)))
                    .build()),
            FILTER
                + "(name="
                + JWT
                + ").typed_config.rules[0].requires: not supported: expected istiod's requirement:"
                + " any of the providers [origins-0, origins-1] or a missing token"),
        Arguments.of(
            "jwt_authn: a rule for some paths only",
            filter(
                JWT,
                authentication(p).toBuilder()
                    .setRules(
                        0,
                        authentication(p).getRules(0).toBuilder()
                            .setMatch(RouteMatch.newBuilder().setPrefix("/api")))
                    .build()),
            FILTER
                + "(name="
                + JWT
                + ").typed_config.rules[0].match: only prefix '/' (istiod's rule) is supported"),
        Arguments.of(
            "jwt_authn: require_expiration",
            filter(JWT, authentication(provider("i", JWKS).setRequireExpiration(true))),
            FILTER
                + "(name="
                + JWT
                + ").typed_config.providers[origins-0].require_expiration: not supported"),
        Arguments.of(
            "jwt_authn: a JWKS file",
            filter(
                JWT,
                authentication(
                    provider("i", JWKS)
                        .setLocalJwks(DataSource.newBuilder().setFilename("/etc/jwks.json")))),
            FILTER
                + "(name="
                + JWT
                + ").typed_config.providers[origins-0].local_jwks: FILENAME is not supported;"
                + " supported: inline_string, inline_bytes"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void rejectsNamingTheField(String description, HttpFilter filter, String message) {
    assertThatThrownBy(() -> parse(filter))
        .isInstanceOf(ResourceInvalidException.class)
        .hasMessage(message);
  }
}
