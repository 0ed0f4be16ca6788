package io.meshagent.core.internal.authz;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of one RBAC filter or a chain of them.
 *
 * @param allowed whether the request may proceed
 * @param policy the policy that decided (the matching ALLOW or DENY policy), or null when none
 *     matched
 * @param reason why, for logs and the 403 detail
 * @param logged whether a LOG (istiod AUDIT) policy matched: the request should be access-logged
 * @param shadow the shadow (dry-run, CUSTOM) results of the evaluated filters, in filter order
 */
public record AuthzDecision(
    boolean allowed,
    @Nullable String policy,
    String reason,
    boolean logged,
    List<ShadowResult> shadow) {

  public AuthzDecision {
    requireNonNull(reason, "reason");
    shadow = List.copyOf(shadow);
  }

  /**
   * A denial because the rules could not be evaluated ({@code e} says why): a check that cannot be
   * made fails closed, and no policy matched.
   */
  public static AuthzDecision failedClosed(RuntimeException e) {
    return new AuthzDecision(false, null, "could not be evaluated: " + e, false, List.of());
  }

  /**
   * The result of shadow rules: never enforced, recorded as Envoy's {@code
   * <prefix>shadow_effective_policy_id} and {@code <prefix>shadow_engine_result}.
   *
   * @param statPrefix the filter's {@code shadow_rules_stat_prefix}
   * @param allowed what the rules would have decided
   * @param policy the matching policy, or null
   */
  public record ShadowResult(String statPrefix, boolean allowed, @Nullable String policy) {
    public ShadowResult {
      requireNonNull(statPrefix, "statPrefix");
    }
  }
}
