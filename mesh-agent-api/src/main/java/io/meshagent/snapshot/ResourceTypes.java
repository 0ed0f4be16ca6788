package io.meshagent.snapshot;

/** The type URLs of the resources a snapshot holds. */
public final class ResourceTypes {
  /** Envoy listeners (LDS). */
  public static final String LISTENER = "type.googleapis.com/envoy.config.listener.v3.Listener";

  /** Envoy route configurations (RDS). */
  public static final String ROUTE_CONFIGURATION =
      "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";

  /** Envoy clusters (CDS). */
  public static final String CLUSTER = "type.googleapis.com/envoy.config.cluster.v3.Cluster";

  /** Envoy endpoints (EDS). */
  public static final String CLUSTER_LOAD_ASSIGNMENT =
      "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";

  /** Istio ambient workloads and services (WDS). */
  public static final String WORKLOAD_ADDRESS = "type.googleapis.com/istio.workload.Address";

  /** Istio ambient authorization policies. */
  public static final String AUTHORIZATION = "type.googleapis.com/istio.security.Authorization";

  private ResourceTypes() {}
}
