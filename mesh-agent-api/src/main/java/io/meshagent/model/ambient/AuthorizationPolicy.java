package io.meshagent.model.ambient;

import java.util.List;

/**
 * An ambient authorization policy (istio.security.Authorization): the request is matched when any
 * rule matches; a rule matches when all its clauses do; a clause when any of its matches does.
 *
 * @param name the policy's name
 * @param namespace its namespace
 * @param scope where it applies
 * @param action allow or deny
 * @param dryRun whether it only logs
 * @param rules the rules
 */
public record AuthorizationPolicy(
    String name,
    String namespace,
    Scope scope,
    Action action,
    boolean dryRun,
    List<List<List<AuthorizationMatch>>> rules) {

  /** Where a policy applies. */
  public enum Scope {
    GLOBAL,
    NAMESPACE,
    WORKLOAD_SELECTOR
  }

  /** What a matching policy does. */
  public enum Action {
    ALLOW,
    DENY
  }

  public AuthorizationPolicy {
    rules = rules.stream().map(r -> r.stream().map(List::copyOf).toList()).toList();
  }
}
