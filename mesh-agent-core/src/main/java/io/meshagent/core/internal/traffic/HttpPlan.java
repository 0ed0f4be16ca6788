package io.meshagent.core.internal.traffic;

import io.meshagent.core.internal.routing.RouteDecision;
import io.meshagent.model.listener.HttpConnectionManager;

/** What the outbound side does with an HTTP request, before any endpoint is picked. */
public sealed interface HttpPlan {

  /**
   * Route it: the decision says what to do (forward, redirect, direct response, no route).
   *
   * @param listener the listener name, for logs and telemetry
   * @param hcm the HTTP connection manager of the chosen filter chain
   * @param decision the route decision
   */
  record Routed(String listener, HttpConnectionManager hcm, RouteDecision decision)
      implements HttpPlan {}

  /**
   * The destination's filter chain is a TCP proxy: the request's bytes go to this cluster as they
   * are, with no HTTP routing (Envoy does the same for HTTP sent to a TCP port).
   */
  record Tcp(String listener, String cluster) implements HttpPlan {}

  /**
   * Nothing serves the destination; Envoy would close the connection (no listener, no matching
   * filter chain, a blackhole). Answered as 503 with response flag {@code NR}.
   *
   * @param reason what is missing, naming the destination and the resource
   */
  record Unroutable(String reason) implements HttpPlan {}
}
