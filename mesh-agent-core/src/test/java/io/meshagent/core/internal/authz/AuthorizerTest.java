package io.meshagent.core.internal.authz;

import static io.envoyproxy.envoy.config.rbac.v3.RBAC.Action.ALLOW;
import static io.envoyproxy.envoy.config.rbac.v3.RBAC.Action.DENY;
import static io.envoyproxy.envoy.config.rbac.v3.RBAC.Action.LOG;
import static io.meshagent.core.internal.authz.IstioRbac.andIds;
import static io.meshagent.core.internal.authz.IstioRbac.andRules;
import static io.meshagent.core.internal.authz.IstioRbac.anyPermission;
import static io.meshagent.core.internal.authz.IstioRbac.anyPrincipal;
import static io.meshagent.core.internal.authz.IstioRbac.claim;
import static io.meshagent.core.internal.authz.IstioRbac.destinationIp;
import static io.meshagent.core.internal.authz.IstioRbac.directRemoteIp;
import static io.meshagent.core.internal.authz.IstioRbac.exact;
import static io.meshagent.core.internal.authz.IstioRbac.header;
import static io.meshagent.core.internal.authz.IstioRbac.http;
import static io.meshagent.core.internal.authz.IstioRbac.namespace;
import static io.meshagent.core.internal.authz.IstioRbac.notId;
import static io.meshagent.core.internal.authz.IstioRbac.notRule;
import static io.meshagent.core.internal.authz.IstioRbac.orIds;
import static io.meshagent.core.internal.authz.IstioRbac.orRules;
import static io.meshagent.core.internal.authz.IstioRbac.path;
import static io.meshagent.core.internal.authz.IstioRbac.policy;
import static io.meshagent.core.internal.authz.IstioRbac.port;
import static io.meshagent.core.internal.authz.IstioRbac.prefix;
import static io.meshagent.core.internal.authz.IstioRbac.principalName;
import static io.meshagent.core.internal.authz.IstioRbac.rbac;
import static io.meshagent.core.internal.authz.IstioRbac.regex;
import static io.meshagent.core.internal.authz.IstioRbac.remoteIp;
import static io.meshagent.core.internal.authz.IstioRbac.sni;
import static io.meshagent.core.internal.authz.IstioRbac.suffix;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.meshagent.identity.SpiffeId;
import io.meshagent.model.authz.RbacFilter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AuthorizerTest {
  static final SpiffeId PRODUCTPAGE =
      SpiffeId.parse("spiffe://cluster.local/ns/bookinfo/sa/productpage");
  static final SpiffeId RATINGS = SpiffeId.parse("spiffe://cluster.local/ns/ratings/sa/ratings");

  static InetAddress ip(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** mTLS from productpage at 10.1.2.3 to 10.0.0.5:9080, no SNI, TCP. */
  static AuthzRequest tcp() {
    return tcp(PRODUCTPAGE, "10.1.2.3", 9080);
  }

  static AuthzRequest tcp(@Nullable SpiffeId peer, String source, int port) {
    return AuthzRequest.tcp(peer, ip(source), ip("10.0.0.5"), port, "");
  }

  /** GET reviews:9080/api/v1/reviews?page=2 with x-token: abc. */
  static AuthzRequest get() {
    return get(PRODUCTPAGE);
  }

  static AuthzRequest get(@Nullable SpiffeId peer) {
    return tcp(peer, "10.1.2.3", 9080)
        .withHttp(
            new AuthzRequest.Http(
                "GET",
                "/api/v1/reviews?page=2",
                "reviews:9080",
                Map.of("X-Token", List.of("abc"))));
  }

  /** One ALLOW policy {@code p} with {@code permission} and {@code principal}. */
  static RbacFilter allow(Permission permission, Principal principal) {
    return http(rbac(ALLOW, "ns[bookinfo]-policy[p]-rule[0]", policy(permission, principal)));
  }

  static RbacFilter allowFrom(Principal principal) {
    return allow(anyPermission(), principal);
  }

  static RbacFilter allowTo(Permission permission) {
    return allow(permission, anyPrincipal());
  }

  static final String P = "ns[bookinfo]-policy[p]-rule[0]";

  record Row(
      String name,
      RbacFilter filter,
      AuthzRequest request,
      boolean allowed,
      @Nullable String policy) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Row allowed(String name, RbacFilter f, AuthzRequest r) {
    return new Row(name, f, r, true, P);
  }

  static Row denied(String name, RbacFilter f, AuthzRequest r) {
    return new Row(name, f, r, false, null);
  }

  static Stream<Row> rows() {
    String pp = "spiffe://cluster.local/ns/bookinfo/sa/productpage";
    return Stream.of(
        allowed("principal exact", allowFrom(principalName(exact(pp))), tcp()),
        denied(
            "principal exact, other peer",
            allowFrom(principalName(exact(pp))),
            tcp(RATINGS, "10.1.2.3", 9080)),
        allowed(
            "principal prefix",
            allowFrom(principalName(prefix("spiffe://cluster.local/ns/bookinfo/"))),
            tcp()),
        allowed("principal suffix", allowFrom(principalName(suffix("/sa/productpage"))), tcp()),
        allowed("principal * (regex .+)", allowFrom(principalName(regex(".+"))), tcp()),
        denied(
            "principal * on plaintext",
            allowFrom(principalName(regex(".+"))),
            tcp(null, "10.1.2.3", 9080)),
        allowed("namespace regex", allowFrom(namespace("bookinfo")), tcp()),
        denied(
            "namespace regex, other namespace",
            allowFrom(namespace("bookinfo")),
            tcp(RATINGS, "10.1.2.3", 9080)),
        denied(
            "namespace on plaintext: no principal never matches",
            allowFrom(namespace("bookinfo")),
            tcp(null, "10.1.2.3", 9080)),
        allowed(
            "notNamespaces on plaintext matches (Envoy)",
            allowFrom(notId(namespace("ratings"))),
            tcp(null, "10.1.2.3", 9080)),
        denied(
            "notNamespaces excludes the namespace", allowFrom(notId(namespace("bookinfo"))), tcp()),
        allowed(
            "and_ids: namespace and ipBlock",
            allowFrom(andIds(namespace("bookinfo"), directRemoteIp("10.1.0.0", 16))),
            tcp()),
        denied(
            "and_ids: one fails",
            allowFrom(andIds(namespace("bookinfo"), directRemoteIp("10.2.0.0", 16))),
            tcp()),
        allowed(
            "or_ids: one matches",
            allowFrom(orIds(namespace("ratings"), namespace("bookinfo"))),
            tcp()),
        denied(
            "or_ids: none matches",
            allowFrom(orIds(namespace("ratings"), namespace("default"))),
            tcp()),
        allowed("ipBlocks IPv4", allowFrom(directRemoteIp("10.1.0.0", 16)), tcp()),
        denied("ipBlocks IPv4 outside", allowFrom(directRemoteIp("10.1.3.0", 24)), tcp()),
        allowed("ipBlocks IPv4 /32", allowFrom(directRemoteIp("10.1.2.3", 32)), tcp()),
        allowed(
            "ipBlocks IPv6",
            allowFrom(directRemoteIp("2001:db8::", 32)),
            tcp(PRODUCTPAGE, "2001:db8::7", 9080)),
        denied(
            "ipBlocks IPv6 outside",
            allowFrom(directRemoteIp("2001:db9::", 32)),
            tcp(PRODUCTPAGE, "2001:db8::7", 9080)),
        denied(
            "ipBlocks IPv4 never matches IPv6",
            allowFrom(directRemoteIp("0.0.0.0", 0)),
            tcp(PRODUCTPAGE, "2001:db8::7", 9080)),
        allowed(
            "remoteIpBlocks reads the client address",
            allowFrom(remoteIp("192.168.0.0", 16)),
            tcp().withRemoteIp(ip("192.168.7.7"))),
        denied(
            "remoteIpBlocks ignores the peer address",
            allowFrom(remoteIp("10.1.0.0", 16)),
            tcp().withRemoteIp(ip("192.168.7.7"))),
        allowed("ports", allowTo(port(9080)), tcp()),
        denied("ports, other port", allowTo(port(9090)), tcp()),
        denied("notPorts", allowTo(notRule(port(9080))), tcp()),
        allowed("or_rules of ports", allowTo(orRules(port(9090), port(9080))), tcp()),
        denied(
            "and_rules nested with not_rule",
            allowTo(andRules(port(9080), notRule(orRules(port(1), port(9080))))),
            tcp()),
        allowed("destination ip", allowTo(destinationIp("10.0.0.0", 24)), tcp()),
        denied("destination ip outside", allowTo(destinationIp("10.0.1.0", 24)), tcp()),
        allowed("sni empty without TLS SNI", allowTo(sni(exact(""))), tcp()),
        denied("sni", allowTo(sni(exact("reviews.bookinfo.svc.cluster.local"))), tcp()),
        allowed("methods via :method", allowTo(header(":method", exact("GET"))), get()),
        denied("methods, other method", allowTo(header(":method", exact("POST"))), get()),
        allowed("paths exact ignores the query", allowTo(path(exact("/api/v1/reviews"))), get()),
        allowed("paths prefix", allowTo(path(prefix("/api/"))), get()),
        denied("paths, other path", allowTo(path(exact("/admin"))), get()),
        allowed("paths template {*}", allowTo(IstioRbac.pathTemplate("/api/*/reviews")), get()),
        denied(
            "paths template {*} is one segment",
            allowTo(IstioRbac.pathTemplate("/*/reviews")),
            get()),
        denied("paths template on TCP fails closed", allowTo(IstioRbac.pathTemplate("/**")), tcp()),
        denied("notPaths", allowTo(notRule(path(prefix("/api/")))), get()),
        allowed(
            "hosts via :authority", allowTo(header(":authority", exact("reviews:9080"))), get()),
        allowed(
            "request.headers, case-insensitive name",
            allowTo(header("x-token", exact("abc"))),
            get()),
        denied("request.headers, absent", allowTo(header("x-other", exact("abc"))), get()),
        allowed(
            "request.auth.claims list",
            allowFrom(claim("groups", "admin")),
            get().withJwtPayload(Map.of("groups", List.of("dev", "admin")))),
        allowed(
            "request.auth.claims string",
            allowFrom(claim("groups", "admin")),
            get().withJwtPayload(Map.of("groups", "admin"))),
        denied(
            "request.auth.claims other value",
            allowFrom(claim("groups", "admin")),
            get().withJwtPayload(Map.of("groups", List.of("dev")))),
        denied("request.auth.claims without a token", allowFrom(claim("groups", "admin")), get()),
        denied("ALLOW without policies denies everything", http(rbac(ALLOW)), get()),
        new Row("DENY without policies allows everything", http(rbac(DENY)), get(), true, null),
        new Row(
            "DENY matching",
            http(rbac(DENY, P, policy(port(9080), anyPrincipal()))),
            get(),
            false,
            P),
        new Row(
            "DENY not matching",
            http(rbac(DENY, P, policy(port(9090), anyPrincipal()))),
            get(),
            true,
            null),
        new Row(
            "DENY reports the first policy by name",
            http(
                rbac(
                    DENY,
                    "z",
                    policy(anyPermission(), anyPrincipal()),
                    "a",
                    policy(anyPermission(), anyPrincipal()))),
            get(),
            false,
            "a"),
        new Row(
            "LOG matching allows",
            http(rbac(LOG, P, policy(anyPermission(), anyPrincipal()))),
            get(),
            true,
            P),
        new Row(
            "LOG not matching allows",
            http(rbac(LOG, P, policy(port(1), anyPrincipal()))),
            get(),
            true,
            null),
        denied(
            "ALLOW with an HTTP field on TCP fails closed",
            allowTo(header(":method", exact("GET"))),
            tcp()),
        denied(
            "ALLOW with not HTTP field on TCP fails closed",
            allowTo(notRule(path(exact("/admin")))),
            tcp()),
        new Row(
            "DENY with an HTTP field on TCP fails closed",
            http(rbac(DENY, P, policy(header(":method", exact("GET")), anyPrincipal()))),
            tcp(),
            false,
            P),
        new Row(
            "DENY whose TCP part cannot match allows",
            http(
                rbac(
                    DENY,
                    P,
                    policy(andRules(port(7777), header(":method", exact("GET"))), anyPrincipal()))),
            tcp(),
            true,
            null),
        allowed(
            "ALLOW whose TCP part matches and HTTP part is any",
            allow(orRules(port(9080), path(exact("/x"))), anyPrincipal()),
            tcp()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void decides(Row row) {
    AuthzDecision d = Authorizer.evaluate(row.filter(), row.request());
    assertThat(d.allowed()).as(d.reason()).isEqualTo(row.allowed());
    assertThat(d.policy()).as(d.reason()).isEqualTo(row.policy());
  }
}
