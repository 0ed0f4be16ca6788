package io.meshagent.model.route;

/**
 * A route: what it matches and what it does.
 *
 * @param name the route's name (istiod names them after the VirtualService)
 * @param match the match
 * @param action the action
 */
public record Route(String name, RouteMatch match, RouteAction action) {}
