package io.meshagent.model.authz;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * One RBAC filter ({@code envoy.filters.http.rbac} or {@code envoy.filters.network.rbac}).
 *
 * <p>istiod sends one filter per action, in the order CUSTOM (shadow rules only, stat prefix
 * {@value #EXT_AUTHZ_SHADOW_PREFIX}), DENY, ALLOW, AUDIT; dry-run policies are shadow rules.
 *
 * @param rules the enforced rules, or null when the filter enforces nothing
 * @param shadowRules rules evaluated and recorded but never enforced, or null
 * @param shadowRulesStatPrefix the prefix of the shadow result's metadata keys, or empty
 */
public record RbacFilter(
    @Nullable RbacConfig rules, @Nullable RbacConfig shadowRules, String shadowRulesStatPrefix) {

  /**
   * The shadow stat prefix istiod gives the rules of CUSTOM policies: a shadow match means the
   * request must be sent to the external authorizer.
   */
  public static final String EXT_AUTHZ_SHADOW_PREFIX = "istio_ext_authz_";

  public RbacFilter {
    requireNonNull(shadowRulesStatPrefix, "shadowRulesStatPrefix");
  }
}
