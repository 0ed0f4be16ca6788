package io.meshagent.core.internal.xds.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.type.matcher.v3.MetadataMatcher;
import io.envoyproxy.envoy.type.matcher.v3.PathMatcher;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.matcher.v3.ValueMatcher;
import io.envoyproxy.envoy.type.v3.Int32Range;
import io.meshagent.core.xds.ResourceInvalidException;
import io.meshagent.model.authz.RbacAction;
import io.meshagent.model.authz.RbacConfig;
import io.meshagent.model.authz.RbacFilter;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RbacFiltersTest {
  private static final String PP = "spiffe://cluster.local/ns/bookinfo/sa/productpage";

  private static StringMatcher exact(String s) {
    return StringMatcher.newBuilder().setExact(s).build();
  }

  private static CidrRange cidr(String a, int len) {
    return CidrRange.newBuilder().setAddressPrefix(a).setPrefixLen(UInt32Value.of(len)).build();
  }

  private static io.meshagent.model.listener.CidrRange modelCidr(String a, int len) {
    return new io.meshagent.model.listener.CidrRange(a, len);
  }

  private static io.meshagent.model.StringMatcher modelExact(String s) {
    return new io.meshagent.model.StringMatcher.Exact(s, false);
  }

  private static final Permission ANY_PERMISSION = Permission.newBuilder().setAny(true).build();
  private static final Principal ANY_PRINCIPAL = Principal.newBuilder().setAny(true).build();

  static Stream<Arguments> permissions() {
    return Stream.of(
        Arguments.of("any", ANY_PERMISSION, new io.meshagent.model.authz.Permission.Any()),
        Arguments.of(
            "destination_port",
            Permission.newBuilder().setDestinationPort(9080).build(),
            new io.meshagent.model.authz.Permission.DestinationPort(9080)),
        Arguments.of(
            "destination_port_range",
            Permission.newBuilder()
                .setDestinationPortRange(Int32Range.newBuilder().setStart(8000).setEnd(9000))
                .build(),
            new io.meshagent.model.authz.Permission.DestinationPortRange(8000, 9000)),
        Arguments.of(
            "destination_ip",
            Permission.newBuilder().setDestinationIp(cidr("fd00::", 8)).build(),
            new io.meshagent.model.authz.Permission.DestinationIp(modelCidr("fd00::", 8))),
        Arguments.of(
            "header (:method)",
            Permission.newBuilder()
                .setHeader(
                    HeaderMatcher.newBuilder().setName(":method").setStringMatch(exact("GET")))
                .build(),
            new io.meshagent.model.authz.Permission.Header(
                new io.meshagent.model.route.HeaderMatcher(
                    ":method", modelExact("GET"), null, null, null, false, false))),
        Arguments.of(
            "url_path",
            Permission.newBuilder()
                .setUrlPath(PathMatcher.newBuilder().setPath(exact("/api")))
                .build(),
            new io.meshagent.model.authz.Permission.UrlPath(modelExact("/api"))),
        Arguments.of(
            "requested_server_name",
            Permission.newBuilder().setRequestedServerName(exact("a.example")).build(),
            new io.meshagent.model.authz.Permission.RequestedServerName(modelExact("a.example"))),
        Arguments.of(
            "not_rule",
            Permission.newBuilder().setNotRule(ANY_PERMISSION).build(),
            new io.meshagent.model.authz.Permission.Not(
                new io.meshagent.model.authz.Permission.Any())),
        Arguments.of(
            "or_rules",
            Permission.newBuilder()
                .setOrRules(Permission.Set.newBuilder().addRules(ANY_PERMISSION))
                .build(),
            new io.meshagent.model.authz.Permission.Or(
                List.of(new io.meshagent.model.authz.Permission.Any()))),
        Arguments.of(
            "and_rules",
            Permission.newBuilder()
                .setAndRules(Permission.Set.newBuilder().addRules(ANY_PERMISSION))
                .build(),
            new io.meshagent.model.authz.Permission.And(
                List.of(new io.meshagent.model.authz.Permission.Any()))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("permissions")
  void convertsPermission(String field, Permission proto, Object expected) throws Exception {
    assertThat(RbacFilters.permission(proto, "")).isEqualTo(expected);
  }

  static Stream<Arguments> principals() {
    return Stream.of(
        Arguments.of("any", ANY_PRINCIPAL, new io.meshagent.model.authz.Principal.Any()),
        Arguments.of(
            "authenticated.principal_name exact (source.principals)",
            Principal.newBuilder()
                .setAuthenticated(Principal.Authenticated.newBuilder().setPrincipalName(exact(PP)))
                .build(),
            new io.meshagent.model.authz.Principal.Authenticated(modelExact(PP))),
        Arguments.of(
            "authenticated without principal_name",
            Principal.newBuilder()
                .setAuthenticated(Principal.Authenticated.getDefaultInstance())
                .build(),
            new io.meshagent.model.authz.Principal.Authenticated(null)),
        Arguments.of(
            "direct_remote_ip",
            Principal.newBuilder().setDirectRemoteIp(cidr("10.0.0.0", 8)).build(),
            new io.meshagent.model.authz.Principal.DirectRemoteIp(modelCidr("10.0.0.0", 8))),
        Arguments.of(
            "remote_ip",
            Principal.newBuilder().setRemoteIp(cidr("10.0.0.0", 8)).build(),
            new io.meshagent.model.authz.Principal.RemoteIp(modelCidr("10.0.0.0", 8))),
        Arguments.of(
            "header",
            Principal.newBuilder()
                .setHeader(HeaderMatcher.newBuilder().setName("X-Id").setPresentMatch(true))
                .build(),
            new io.meshagent.model.authz.Principal.Header(
                new io.meshagent.model.route.HeaderMatcher(
                    "x-id", null, true, null, null, false, false))),
        Arguments.of(
            "url_path",
            Principal.newBuilder()
                .setUrlPath(PathMatcher.newBuilder().setPath(exact("/a")))
                .build(),
            new io.meshagent.model.authz.Principal.UrlPath(modelExact("/a"))),
        Arguments.of(
            "not_id",
            Principal.newBuilder().setNotId(ANY_PRINCIPAL).build(),
            new io.meshagent.model.authz.Principal.Not(
                new io.meshagent.model.authz.Principal.Any())),
        Arguments.of(
            "or_ids",
            Principal.newBuilder()
                .setOrIds(Principal.Set.newBuilder().addIds(ANY_PRINCIPAL))
                .build(),
            new io.meshagent.model.authz.Principal.Or(
                List.of(new io.meshagent.model.authz.Principal.Any()))),
        Arguments.of(
            "metadata (request.auth.principal)",
            Principal.newBuilder().setMetadata(jwt("iss", exact("https://issuer"))).build(),
            new io.meshagent.model.authz.Principal.Metadata(
                new io.meshagent.model.authz.MetadataMatcher(
                    "envoy.filters.http.jwt_authn",
                    List.of("payload", "iss"),
                    new io.meshagent.model.authz.ValueMatcher.StringValue(
                        modelExact("https://issuer")),
                    false))));
  }

  private static MetadataMatcher jwt(String claim, StringMatcher m) {
    return MetadataMatcher.newBuilder()
        .setFilter("envoy.filters.http.jwt_authn")
        .addPath(MetadataMatcher.PathSegment.newBuilder().setKey("payload"))
        .addPath(MetadataMatcher.PathSegment.newBuilder().setKey(claim))
        .setValue(ValueMatcher.newBuilder().setStringMatch(m))
        .build();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("principals")
  void convertsPrincipal(String field, Principal proto, Object expected) throws Exception {
    assertThat(RbacFilters.principal(proto, "")).isEqualTo(expected);
  }

  static Stream<Arguments> errors() {
    return Stream.of(
        Arguments.of(
            "policy condition (CEL)",
            Policy.newBuilder()
                .addPermissions(ANY_PERMISSION)
                .addPrincipals(ANY_PRINCIPAL)
                .setCondition(com.google.api.expr.v1alpha1.Expr.getDefaultInstance()),
            "rules.policies[p].condition: not supported"),
        Arguments.of(
            "uri_template of another extension",
            Policy.newBuilder()
                .addPermissions(
                    Permission.newBuilder()
                        .setUriTemplate(
                            io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig.newBuilder()
                                .setName("custom")
                                .setTypedConfig(
                                    com.google.protobuf.Any.pack(
                                        com.google.protobuf.Struct.getDefaultInstance()))))
                .addPrincipals(ANY_PRINCIPAL),
            "rules.policies[p].permissions[0].uri_template.typed_config:"
                + " 'type.googleapis.com/google.protobuf.Struct' is not supported"),
        Arguments.of(
            "uri_template with a mixed segment",
            Policy.newBuilder()
                .addPermissions(uriTemplate("/img/{name}.jpg"))
                .addPrincipals(ANY_PRINCIPAL),
            "rules.policies[p].permissions[0].uri_template.typed_config.path_template:"
                + " '/img/{name}.jpg': segment '{name}.jpg' is not supported"),
        Arguments.of(
            "uri_template with ** before the end",
            Policy.newBuilder().addPermissions(uriTemplate("/a/**/b")).addPrincipals(ANY_PRINCIPAL),
            "'/a/**/b': '**' must be the last segment"),
        Arguments.of(
            "filter_state principal",
            Policy.newBuilder()
                .addPermissions(ANY_PERMISSION)
                .addPrincipals(
                    Principal.newBuilder()
                        .setFilterState(
                            io.envoyproxy.envoy.type.matcher.v3.FilterStateMatcher.newBuilder()
                                .setKey("io.istio.peer_principal"))),
            "rules.policies[p].principals[0].filter_state: not supported"),
        Arguments.of(
            "metadata of another filter",
            Policy.newBuilder()
                .addPermissions(
                    Permission.newBuilder()
                        .setMetadata(jwt("iss", exact("x")).toBuilder().setFilter("istio_authn")))
                .addPrincipals(ANY_PRINCIPAL),
            "rules.policies[p].permissions[0].metadata.filter: 'istio_authn' is not supported"),
        Arguments.of(
            "nested unsupported kind names the full path",
            Policy.newBuilder()
                .addPermissions(
                    Permission.newBuilder()
                        .setAndRules(
                            Permission.Set.newBuilder()
                                .addRules(
                                    Permission.newBuilder()
                                        .setNotRule(
                                            Permission.newBuilder()
                                                .setMatcher(
                                                    io.envoyproxy.envoy.config.core.v3
                                                        .TypedExtensionConfig.newBuilder()
                                                        .setName("m"))))))
                .addPrincipals(ANY_PRINCIPAL),
            "rules.policies[p].permissions[0].and_rules.rules[0].not_rule.matcher: not supported"),
        Arguments.of(
            "empty principal",
            Policy.newBuilder()
                .addPermissions(ANY_PERMISSION)
                .addPrincipals(Principal.getDefaultInstance()),
            "rules.policies[p].principals[0]: no principal identifier is set"),
        Arguments.of(
            "bad regex",
            Policy.newBuilder()
                .addPermissions(ANY_PERMISSION)
                .addPrincipals(
                    Principal.newBuilder()
                        .setAuthenticated(
                            Principal.Authenticated.newBuilder()
                                .setPrincipalName(
                                    StringMatcher.newBuilder()
                                        .setSafeRegex(RegexMatcher.newBuilder().setRegex("("))))),
            "rules.policies[p].principals[0].authenticated.principal_name.safe_regex: invalid regex"),
        Arguments.of(
            "CIDR that is a host name",
            Policy.newBuilder()
                .addPermissions(ANY_PERMISSION)
                .addPrincipals(Principal.newBuilder().setDirectRemoteIp(cidr("example.com", 8))),
            "rules.policies[p].principals[0].direct_remote_ip.address_prefix"));
  }

  private static Permission uriTemplate(String template) {
    return Permission.newBuilder()
        .setUriTemplate(
            io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig.newBuilder()
                .setName("uri-template")
                .setTypedConfig(
                    com.google.protobuf.Any.pack(
                        io.envoyproxy.envoy.extensions.path.match.uri_template.v3
                            .UriTemplateMatchConfig.newBuilder()
                            .setPathTemplate(template)
                            .build())))
        .build();
  }

  /**
   * istiod's {@code paths: ["/api/{*}/reviews/{**}"]} becomes {@code /api/*}{@code /reviews/**}.
   */
  @ParameterizedTest(name = "{0} on {1}: {2}")
  @org.junit.jupiter.params.provider.CsvSource({
    "/api/*/reviews/**, /api/v1/reviews/1/2, true",
    "/api/*/reviews/**, /api/v1/reviews/, true",
    "/api/*/reviews/**, /api/v1/reviews, false",
    "/api/*/reviews/**, /api//reviews/1, false",
    "/api/*/reviews/**, /api/v1/v2/reviews/1, false",
    "/api/{version}/x, /api/v1/x, true",
    "/api/{rest=**}, /api/a/b/c, true",
    "/a.b/*, /aXb/c, false",
  })
  void convertsUriTemplatesAsEnvoyCompilesThem(String template, String path, boolean matches)
      throws Exception {
    var converted =
        (io.meshagent.model.authz.Permission.UriTemplate)
            RbacFilters.permission(uriTemplate(template), "");

    assertThat(converted.template()).isEqualTo(template);
    assertThat(converted.regex().matcher(path).matches()).isEqualTo(matches);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("errors")
  void refusesWhatItCannotEvaluate(String name, Policy.Builder policy, String message) {
    var proto =
        io.envoyproxy
            .envoy
            .extensions
            .filters
            .http
            .rbac
            .v3
            .RBAC
            .newBuilder()
            .setRules(
                RBAC.newBuilder().setAction(RBAC.Action.ALLOW).putPolicies("p", policy.build()))
            .build();

    assertThatThrownBy(() -> RbacFilters.http(proto, ""))
        .isInstanceOf(ResourceInvalidException.class)
        .hasMessageContaining(message);
  }

  @Test
  void httpFilterKeepsRulesShadowRulesAndPrefix() throws Exception {
    var proto =
        io.envoyproxy
            .envoy
            .extensions
            .filters
            .http
            .rbac
            .v3
            .RBAC
            .newBuilder()
            .setRules(RBAC.newBuilder().setAction(RBAC.Action.DENY))
            .setShadowRules(RBAC.newBuilder().setAction(RBAC.Action.LOG))
            .setShadowRulesStatPrefix("istio_dry_run_deny_")
            .build();

    assertThat(RbacFilters.http(proto, ""))
        .isEqualTo(
            new RbacFilter(
                new RbacConfig(RbacAction.DENY, List.of()),
                new RbacConfig(RbacAction.LOG, List.of()),
                "istio_dry_run_deny_"));
  }

  @Test
  void policiesAreInNameOrderAsEnvoyKeepsThem() throws Exception {
    Policy any =
        Policy.newBuilder().addPermissions(ANY_PERMISSION).addPrincipals(ANY_PRINCIPAL).build();
    RBAC proto =
        RBAC.newBuilder()
            .setAction(RBAC.Action.ALLOW)
            .putPolicies("ns[b]-policy[z]-rule[0]", any)
            .putPolicies("ns[b]-policy[a]-rule[0]", any)
            .build();

    assertThat(RbacFilters.config(proto, "").policies())
        .extracting(io.meshagent.model.authz.RbacPolicy::name)
        .containsExactly("ns[b]-policy[a]-rule[0]", "ns[b]-policy[z]-rule[0]");
  }

  @Test
  void networkFilterRefusesTheMatcherApi() {
    var proto =
        io.envoyproxy
            .envoy
            .extensions
            .filters
            .network
            .rbac
            .v3
            .RBAC
            .newBuilder()
            .setMatcher(com.github.xds.type.matcher.v3.Matcher.getDefaultInstance())
            .build();

    assertThatThrownBy(() -> RbacFilters.network(proto, "typed_config"))
        .isInstanceOf(ResourceInvalidException.class)
        .hasMessageContaining("typed_config.matcher: not supported");
  }
}
