package io.meshagent.model.listener;

import static java.util.Objects.requireNonNull;

import io.meshagent.model.authz.RbacFilter;

/**
 * {@code envoy.filters.network.rbac}: authorization of a connection.
 *
 * @param name the filter name
 * @param statPrefix the stat prefix ({@code tcp.} from istiod)
 * @param rbac the rules
 */
public record NetworkRbac(String name, String statPrefix, RbacFilter rbac)
    implements NetworkFilter {
  public NetworkRbac {
    requireNonNull(name, "name");
    requireNonNull(statPrefix, "statPrefix");
    requireNonNull(rbac, "rbac");
  }
}
