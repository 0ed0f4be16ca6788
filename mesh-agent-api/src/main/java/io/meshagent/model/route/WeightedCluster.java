package io.meshagent.model.route;

import org.jspecify.annotations.Nullable;

/**
 * One cluster of a weighted split.
 *
 * @param name the cluster
 * @param weight its weight
 * @param headerOps the header changes when this cluster is picked
 * @param fault the fault injection override when this cluster is picked, or null (the route's then
 *     applies)
 * @param cors the CORS policy when this cluster is picked, or null
 */
public record WeightedCluster(
    String name,
    int weight,
    HeaderOps headerOps,
    @Nullable FaultPolicy fault,
    @Nullable CorsPolicy cors) {

  /** A weighted cluster without a CORS policy. */
  public WeightedCluster(
      String name, int weight, HeaderOps headerOps, @Nullable FaultPolicy fault) {
    this(name, weight, headerOps, fault, null);
  }
}
