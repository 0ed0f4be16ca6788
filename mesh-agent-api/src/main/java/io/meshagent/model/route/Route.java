package io.meshagent.model.route;

import org.jspecify.annotations.Nullable;

/**
 * A route: what it matches and what it does.
 *
 * @param name the route's name (istiod names them after the VirtualService)
 * @param match the match
 * @param action the action
 * @param headerOps the route-level header changes
 * @param fault the route's fault injection, or null (the virtual host's then applies)
 */
public record Route(
    String name,
    RouteMatch match,
    RouteAction action,
    HeaderOps headerOps,
    @Nullable FaultPolicy fault) {}
