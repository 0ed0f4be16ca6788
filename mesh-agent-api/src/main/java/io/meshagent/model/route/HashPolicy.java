package io.meshagent.model.route;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * One of Envoy's {@code RouteAction.HashPolicy}: what a request's hash for ring hash and maglev is
 * computed from. Policies are evaluated in order; a policy that yields a hash and is {@code
 * terminal} stops the evaluation.
 */
public sealed interface HashPolicy {
  /** Whether a hash from this policy ends the evaluation. */
  boolean terminal();

  /** The value of a request header. */
  record Header(String name, boolean terminal) implements HashPolicy {}

  /**
   * The value of a cookie.
   *
   * @param ttl when set, Envoy generates the cookie if it is absent; null otherwise
   * @param path the generated cookie's path, or empty
   */
  record Cookie(String name, @Nullable Duration ttl, String path, boolean terminal)
      implements HashPolicy {}

  /** The downstream source IP ({@code connection_properties.source_ip}). */
  record SourceIp(boolean terminal) implements HashPolicy {}

  /** The value of a query parameter. */
  record QueryParameter(String name, boolean terminal) implements HashPolicy {}
}
