package io.meshagent.core.internal.authz;

import io.meshagent.core.internal.authz.AuthzDecision.ShadowResult;
import io.meshagent.model.authz.RbacConfig;
import io.meshagent.model.authz.RbacFilter;
import io.meshagent.model.authz.RbacPolicy;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Envoy's RBAC filters as a pure function: no locks, no I/O.
 *
 * <p>Semantics are Envoy's: ALLOW allows iff some policy matches (so ALLOW without policies denies
 * everything); DENY denies iff some policy matches (without policies it allows everything); LOG
 * always allows and marks the request for access logging when a policy matches; a filter without
 * {@code rules} enforces nothing; shadow rules are evaluated and reported but never enforced.
 *
 * <p>Principals: a connection without a peer identity (plaintext) never matches {@code
 * authenticated}, so it never matches {@code source.principals} / {@code namespaces} but does match
 * their negation ({@code notPrincipals}), exactly as in Envoy. Unlike Envoy, a TLS connection
 * without a client certificate is not "authenticated" either: the agent only knows peers by SPIFFE
 * id.
 *
 * <p>Fail-closed rule: a matcher that needs what the request does not carry is unknown (HTTP
 * headers, paths and JWT metadata of a TCP connection; Envoy would read them as absent, and istiod
 * never emits them in network filters). An unknown that could change the outcome denies: under
 * ALLOW, when no policy surely matches; under DENY, when no policy surely matches but one might.
 *
 * <p>Istio's CUSTOM action is enforced by an external authorizer that the agent does not implement:
 * a match of shadow rules with the stat prefix {@value RbacFilter#EXT_AUTHZ_SHADOW_PREFIX} (the
 * request would be sent to it) denies.
 */
public final class Authorizer {
  private Authorizer() {}

  /** Evaluates one RBAC filter. */
  public static AuthzDecision evaluate(RbacFilter filter, AuthzRequest request) {
    List<ShadowResult> shadow = new ArrayList<>(1);
    AuthzDecision denied = null;
    RbacConfig shadowRules = filter.shadowRules();
    if (shadowRules != null) {
      Outcome o = outcome(shadowRules, request);
      String prefix = filter.shadowRulesStatPrefix();
      shadow.add(new ShadowResult(prefix, o.allowed, o.policy));
      if (prefix.equals(RbacFilter.EXT_AUTHZ_SHADOW_PREFIX) && (o.policy != null || o.unknown)) {
        denied =
            new AuthzDecision(
                false,
                o.policy,
                "CUSTOM policy "
                    + (o.policy != null ? "'" + o.policy + "'" : "(possibly)")
                    + " needs an external authorizer, which mesh-agent does not implement",
                false,
                shadow);
      }
    }
    RbacConfig rules = filter.rules();
    if (rules == null) {
      return denied != null ? denied : new AuthzDecision(true, null, "no rules", false, shadow);
    }
    Outcome o = outcome(rules, request);
    if (denied != null) {
      return denied;
    }
    return new AuthzDecision(o.allowed, o.policy, o.reason, o.logged, shadow);
  }

  /**
   * Evaluates RBAC filters in order, as an HTTP or network filter chain does (istiod: CUSTOM, DENY,
   * ALLOW, AUDIT): the first denial stops the chain; otherwise the request is allowed.
   */
  public static AuthzDecision evaluateChain(List<RbacFilter> filters, AuthzRequest request) {
    List<ShadowResult> shadow = new ArrayList<>();
    boolean logged = false;
    String policy = null;
    String reason = filters.isEmpty() ? "no RBAC filters" : "no rules";
    for (RbacFilter filter : filters) {
      AuthzDecision d = evaluate(filter, request);
      shadow.addAll(d.shadow());
      logged |= d.logged();
      if (!d.allowed()) {
        return new AuthzDecision(false, d.policy(), d.reason(), logged, shadow);
      }
      // The allowing policy worth reporting is the last one that decided (ALLOW), not a LOG match.
      if (d.policy() != null && !d.logged() || policy == null && filter.rules() != null) {
        policy = d.policy();
        reason = d.reason();
      }
    }
    return new AuthzDecision(true, policy, reason, logged, shadow);
  }

  private static Outcome outcome(RbacConfig config, AuthzRequest request) {
    String matched = null;
    String unknown = null;
    for (RbacPolicy p : config.policies()) {
      Tri t = RbacMatching.policy(p, request);
      if (t == Tri.TRUE) {
        matched = p.name();
        break;
      }
      if (t == Tri.UNKNOWN && unknown == null) {
        unknown = p.name();
      }
    }
    return switch (config.action()) {
      case ALLOW -> {
        if (matched != null) {
          yield new Outcome(true, matched, "allowed by policy '" + matched + "'", false, false);
        }
        if (unknown != null) {
          yield new Outcome(false, null, cannotEvaluate(unknown, "ALLOW"), false, true);
        }
        yield new Outcome(false, null, "no ALLOW policy matched", false, false);
      }
      case DENY -> {
        if (matched != null) {
          yield new Outcome(false, matched, "denied by policy '" + matched + "'", false, false);
        }
        if (unknown != null) {
          yield new Outcome(false, unknown, cannotEvaluate(unknown, "DENY"), false, true);
        }
        yield new Outcome(true, null, "no DENY policy matched", false, false);
      }
      case LOG ->
          new Outcome(
              true,
              matched,
              matched != null ? "logged by policy '" + matched + "'" : "no LOG policy matched",
              matched != null,
              false);
    };
  }

  private static String cannotEvaluate(String policy, String action) {
    return action
        + " policy '"
        + policy
        + "' needs attributes the request does not carry (HTTP fields on a TCP connection); denied"
        + " to fail closed";
  }

  private record Outcome(
      boolean allowed, @Nullable String policy, String reason, boolean logged, boolean unknown) {}
}
