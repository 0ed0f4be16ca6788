package io.meshagent.model.authz;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Envoy's {@code config.rbac.v3.Policy}: matches when some permission and some principal match.
 * istiod names them {@code ns[<namespace>]-policy[<name>]-rule[<index>]}.
 *
 * @param name the policy's name (its key in {@code RBAC.policies})
 * @param permissions what the request does, any of which must match
 * @param principals who sends it, any of which must match
 */
public record RbacPolicy(String name, List<Permission> permissions, List<Principal> principals) {
  public RbacPolicy {
    requireNonNull(name, "name");
    permissions = List.copyOf(permissions);
    principals = List.copyOf(principals);
  }
}
