package io.meshagent.model.route;

import org.jspecify.annotations.Nullable;

/**
 * A route: what it matches and what it does.
 *
 * @param name the route's name (istiod names them after the VirtualService)
 * @param match the match
 * @param action the action
 * @param headerOps the route-level header changes
 * @param fault the route's fault injection override, or null (the virtual host's then applies)
 * @param cors the route's CORS policy, or null
 */
public record Route(
    String name,
    RouteMatch match,
    RouteAction action,
    HeaderOps headerOps,
    @Nullable FaultPolicy fault,
    @Nullable CorsPolicy cors) {

  /** A route without a CORS policy. */
  public Route(
      String name,
      RouteMatch match,
      RouteAction action,
      HeaderOps headerOps,
      @Nullable FaultPolicy fault) {
    this(name, match, action, headerOps, fault, null);
  }
}
