package io.meshagent.core.internal.authz;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.type.matcher.v3.ListMatcher;
import io.envoyproxy.envoy.type.matcher.v3.MetadataMatcher;
import io.envoyproxy.envoy.type.matcher.v3.OrMatcher;
import io.envoyproxy.envoy.type.matcher.v3.PathMatcher;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.matcher.v3.ValueMatcher;
import io.meshagent.core.internal.xds.resource.RbacFilters;
import io.meshagent.core.xds.ResourceInvalidException;
import io.meshagent.model.authz.RbacFilter;
import java.util.Arrays;

/**
 * Envoy RBAC protos shaped as istiod emits them for AuthorizationPolicy (pilot/pkg/security/authz
 * builder and model), run through the parser.
 */
public final class IstioRbac {
  private IstioRbac() {}

  /** The {@code envoy.filters.http.rbac} config with {@code rules} only. */
  public static RbacFilter http(RBAC rules) {
    return parse(
        io.envoyproxy
            .envoy
            .extensions
            .filters
            .http
            .rbac
            .v3
            .RBAC
            .newBuilder()
            .setRules(rules)
            .build());
  }

  /** Parses an HTTP RBAC filter, failing the test on a parse error. */
  public static RbacFilter parse(io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC proto) {
    try {
      return RbacFilters.http(proto, "");
    } catch (ResourceInvalidException e) {
      throw new AssertionError(e);
    }
  }

  /** {@code RBAC} with {@code action} and named policies. */
  public static RBAC rbac(RBAC.Action action, Object... namesAndPolicies) {
    var b = RBAC.newBuilder().setAction(action);
    for (int i = 0; i < namesAndPolicies.length; i += 2) {
      b.putPolicies((String) namesAndPolicies[i], (Policy) namesAndPolicies[i + 1]);
    }
    return b.build();
  }

  /** istiod's rule: {@code and_rules} of the {@code to} conditions, {@code and_ids} of the from. */
  public static Policy policy(Permission permission, Principal principal) {
    return Policy.newBuilder()
        .addPermissions(
            Permission.newBuilder().setAndRules(Permission.Set.newBuilder().addRules(permission)))
        .addPrincipals(
            Principal.newBuilder().setAndIds(Principal.Set.newBuilder().addIds(principal)))
        .build();
  }

  public static StringMatcher exact(String s) {
    return StringMatcher.newBuilder().setExact(s).build();
  }

  public static StringMatcher prefix(String s) {
    return StringMatcher.newBuilder().setPrefix(s).build();
  }

  public static StringMatcher suffix(String s) {
    return StringMatcher.newBuilder().setSuffix(s).build();
  }

  public static StringMatcher regex(String s) {
    return StringMatcher.newBuilder().setSafeRegex(RegexMatcher.newBuilder().setRegex(s)).build();
  }

  /** {@code source.principals: [p]}: istiod prepends {@code spiffe://}. */
  public static Principal principalName(StringMatcher m) {
    return Principal.newBuilder()
        .setAuthenticated(Principal.Authenticated.newBuilder().setPrincipalName(m))
        .build();
  }

  /** {@code source.namespaces: [ns]}. */
  public static Principal namespace(String ns) {
    return principalName(regex(".*/ns/" + ns + "/.*"));
  }

  public static Principal anyPrincipal() {
    return Principal.newBuilder().setAny(true).build();
  }

  public static Principal notId(Principal p) {
    return Principal.newBuilder().setNotId(p).build();
  }

  public static Principal orIds(Principal... ids) {
    return Principal.newBuilder()
        .setOrIds(Principal.Set.newBuilder().addAllIds(Arrays.asList(ids)))
        .build();
  }

  public static Principal andIds(Principal... ids) {
    return Principal.newBuilder()
        .setAndIds(Principal.Set.newBuilder().addAllIds(Arrays.asList(ids)))
        .build();
  }

  public static CidrRange cidr(String address, int length) {
    return CidrRange.newBuilder()
        .setAddressPrefix(address)
        .setPrefixLen(UInt32Value.of(length))
        .build();
  }

  /** {@code source.ipBlocks}. */
  public static Principal directRemoteIp(String address, int length) {
    return Principal.newBuilder().setDirectRemoteIp(cidr(address, length)).build();
  }

  /** {@code source.remoteIpBlocks}. */
  public static Principal remoteIp(String address, int length) {
    return Principal.newBuilder().setRemoteIp(cidr(address, length)).build();
  }

  /** {@code when: request.auth.claims[claim]} with istiod's list-or-string matcher. */
  public static Principal claim(String claim, String value) {
    ValueMatcher string = ValueMatcher.newBuilder().setStringMatch(exact(value)).build();
    ValueMatcher orOfOne =
        ValueMatcher.newBuilder()
            .setOrMatch(OrMatcher.newBuilder().addValueMatchers(string).addValueMatchers(string))
            .build();
    ValueMatcher listOrString =
        ValueMatcher.newBuilder()
            .setOrMatch(
                OrMatcher.newBuilder()
                    .addValueMatchers(
                        ValueMatcher.newBuilder()
                            .setListMatch(ListMatcher.newBuilder().setOneOf(orOfOne)))
                    .addValueMatchers(orOfOne))
            .build();
    return Principal.newBuilder()
        .setMetadata(
            MetadataMatcher.newBuilder()
                .setFilter("envoy.filters.http.jwt_authn")
                .addPath(MetadataMatcher.PathSegment.newBuilder().setKey("payload"))
                .addPath(MetadataMatcher.PathSegment.newBuilder().setKey(claim))
                .setValue(listOrString))
        .build();
  }

  public static Permission anyPermission() {
    return Permission.newBuilder().setAny(true).build();
  }

  public static Permission port(int port) {
    return Permission.newBuilder().setDestinationPort(port).build();
  }

  public static Permission destinationIp(String address, int length) {
    return Permission.newBuilder().setDestinationIp(cidr(address, length)).build();
  }

  /** {@code to.operation.methods} / {@code hosts}: a header matcher on {@code :method}. */
  public static Permission header(String name, StringMatcher m) {
    return Permission.newBuilder()
        .setHeader(HeaderMatcher.newBuilder().setName(name).setStringMatch(m))
        .build();
  }

  /** {@code to.operation.paths}. */
  public static Permission path(StringMatcher m) {
    return Permission.newBuilder().setUrlPath(PathMatcher.newBuilder().setPath(m)).build();
  }

  /** {@code to.operation.paths} with {@code {*}} / {@code {**}}, as istiod rewrites them. */
  public static Permission pathTemplate(String template) {
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

  public static Permission sni(StringMatcher m) {
    return Permission.newBuilder().setRequestedServerName(m).build();
  }

  public static Permission notRule(Permission p) {
    return Permission.newBuilder().setNotRule(p).build();
  }

  public static Permission orRules(Permission... rules) {
    return Permission.newBuilder()
        .setOrRules(Permission.Set.newBuilder().addAllRules(Arrays.asList(rules)))
        .build();
  }

  public static Permission andRules(Permission... rules) {
    return Permission.newBuilder()
        .setAndRules(Permission.Set.newBuilder().addAllRules(Arrays.asList(rules)))
        .build();
  }
}
