package io.meshagent.core.internal.authz;

import static io.envoyproxy.envoy.config.rbac.v3.RBAC.Action.ALLOW;
import static io.envoyproxy.envoy.config.rbac.v3.RBAC.Action.DENY;
import static io.envoyproxy.envoy.config.rbac.v3.RBAC.Action.LOG;
import static io.meshagent.core.internal.authz.AuthorizerTest.get;
import static io.meshagent.core.internal.authz.IstioRbac.anyPermission;
import static io.meshagent.core.internal.authz.IstioRbac.anyPrincipal;
import static io.meshagent.core.internal.authz.IstioRbac.exact;
import static io.meshagent.core.internal.authz.IstioRbac.header;
import static io.meshagent.core.internal.authz.IstioRbac.http;
import static io.meshagent.core.internal.authz.IstioRbac.namespace;
import static io.meshagent.core.internal.authz.IstioRbac.parse;
import static io.meshagent.core.internal.authz.IstioRbac.policy;
import static io.meshagent.core.internal.authz.IstioRbac.port;
import static io.meshagent.core.internal.authz.IstioRbac.rbac;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshagent.core.internal.authz.AuthzDecision.ShadowResult;
import io.meshagent.model.authz.RbacFilter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Shadow rules, CUSTOM, and Istio's CUSTOM → DENY → ALLOW → AUDIT chain. */
class AuthorizerChainTest {
  private static final RbacFilter DENY_POST =
      http(rbac(DENY, "deny-post", policy(header(":method", exact("POST")), anyPrincipal())));
  private static final RbacFilter DENY_GET =
      http(rbac(DENY, "deny-get", policy(header(":method", exact("GET")), anyPrincipal())));
  private static final RbacFilter ALLOW_BOOKINFO =
      http(rbac(ALLOW, "allow-bookinfo", policy(anyPermission(), namespace("bookinfo"))));
  private static final RbacFilter ALLOW_RATINGS =
      http(rbac(ALLOW, "allow-ratings", policy(anyPermission(), namespace("ratings"))));
  private static final RbacFilter AUDIT_ALL =
      http(rbac(LOG, "audit", policy(anyPermission(), anyPrincipal())));

  private static RbacFilter shadow(String prefix, io.envoyproxy.envoy.config.rbac.v3.RBAC rules) {
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
            .setShadowRules(rules)
            .setShadowRulesStatPrefix(prefix)
            .build());
  }

  @Test
  void shadowRulesAreReportedNeverEnforced() {
    RbacFilter dryRunDeny =
        shadow("istio_dry_run_deny_", rbac(DENY, "dry", policy(port(9080), anyPrincipal())));

    AuthzDecision d = Authorizer.evaluate(dryRunDeny, get());

    assertThat(d.allowed()).isTrue();
    assertThat(d.shadow()).containsExactly(new ShadowResult("istio_dry_run_deny_", false, "dry"));
  }

  @Test
  void shadowAllowWithoutMatchReportsDenied() {
    RbacFilter dryRunAllow =
        shadow("istio_dry_run_allow_", rbac(ALLOW, "dry", policy(port(1), anyPrincipal())));

    AuthzDecision d = Authorizer.evaluate(dryRunAllow, get());

    assertThat(d.allowed()).isTrue();
    assertThat(d.shadow()).containsExactly(new ShadowResult("istio_dry_run_allow_", false, null));
  }

  @Test
  void customPolicyMatchDeniesBecauseExtAuthzIsNotImplemented() {
    RbacFilter custom =
        shadow(
            RbacFilter.EXT_AUTHZ_SHADOW_PREFIX,
            rbac(
                DENY,
                "istio-ext-authz-ns[bookinfo]-policy[c]-rule[0]",
                policy(port(9080), anyPrincipal())));

    AuthzDecision d = Authorizer.evaluate(custom, get());

    assertThat(d.allowed()).isFalse();
    assertThat(d.policy()).isEqualTo("istio-ext-authz-ns[bookinfo]-policy[c]-rule[0]");
  }

  @Test
  void customPolicyWithoutMatchAllows() {
    RbacFilter custom =
        shadow(
            RbacFilter.EXT_AUTHZ_SHADOW_PREFIX,
            rbac(DENY, "istio-ext-authz-c", policy(port(1), anyPrincipal())));

    assertThat(Authorizer.evaluate(custom, get()).allowed()).isTrue();
  }

  @Test
  void denyBeforeAllowStopsTheChain() {
    AuthzDecision d = Authorizer.evaluateChain(List.of(DENY_GET, ALLOW_BOOKINFO), get());

    assertThat(d.allowed()).isFalse();
    assertThat(d.policy()).isEqualTo("deny-get");
  }

  @Test
  void chainAllowsWhenNoDenyMatchesAndAnAllowDoes() {
    AuthzDecision d =
        Authorizer.evaluateChain(List.of(DENY_POST, ALLOW_BOOKINFO, AUDIT_ALL), get());

    assertThat(d.allowed()).isTrue();
    assertThat(d.policy()).isEqualTo("allow-bookinfo");
    assertThat(d.logged()).isTrue();
  }

  @Test
  void chainDeniesWhenNoAllowMatches() {
    AuthzDecision d = Authorizer.evaluateChain(List.of(DENY_POST, ALLOW_RATINGS), get());

    assertThat(d.allowed()).isFalse();
    assertThat(d.reason()).contains("no ALLOW policy matched");
  }

  @Test
  void auditAfterDenialIsNotEvaluated() {
    AuthzDecision d = Authorizer.evaluateChain(List.of(DENY_GET, AUDIT_ALL), get());

    assertThat(d.allowed()).isFalse();
    assertThat(d.logged()).isFalse();
  }

  @Test
  void emptyChainAllows() {
    assertThat(Authorizer.evaluateChain(List.of(), get()).allowed()).isTrue();
  }

  @Test
  void chainCollectsShadowResultsInOrder() {
    RbacFilter dryRun =
        shadow("istio_dry_run_allow_", rbac(ALLOW, "dry", policy(anyPermission(), anyPrincipal())));

    AuthzDecision d = Authorizer.evaluateChain(List.of(dryRun, DENY_POST, ALLOW_BOOKINFO), get());

    assertThat(d.allowed()).isTrue();
    assertThat(d.shadow()).containsExactly(new ShadowResult("istio_dry_run_allow_", true, "dry"));
  }
}
