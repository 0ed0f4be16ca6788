package io.meshagent.model.endpoint;

import java.util.List;

/**
 * The endpoints of one locality at one priority.
 *
 * @param locality where they run
 * @param priority 0 is the highest
 * @param weight the locality's weight, 0 when unset
 * @param endpoints the endpoints
 */
public record LocalityEndpoints(
    Locality locality, int priority, int weight, List<Endpoint> endpoints) {
  public LocalityEndpoints {
    endpoints = List.copyOf(endpoints);
  }
}
