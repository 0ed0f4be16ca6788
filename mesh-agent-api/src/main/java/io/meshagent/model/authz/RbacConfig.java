package io.meshagent.model.authz;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Envoy's {@code config.rbac.v3.RBAC}: an action and named policies.
 *
 * <p>Envoy keeps the policies in a map ordered by name and reports the first matching one, so
 * {@code policies} are in name order.
 *
 * @param action what a match means
 * @param policies the policies, ordered by name, names unique
 */
public record RbacConfig(RbacAction action, List<RbacPolicy> policies) {
  public RbacConfig {
    requireNonNull(action, "action");
    policies = List.copyOf(policies);
  }
}
