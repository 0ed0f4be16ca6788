package io.meshagent.core.internal.traffic;

import io.meshagent.core.internal.lb.EndpointPicker;
import io.meshagent.core.internal.outlier.Result;
import io.meshagent.model.cluster.Cluster;
import io.meshagent.model.cluster.UpstreamTransport;
import io.meshagent.model.endpoint.Endpoint;
import org.jspecify.annotations.Nullable;

/**
 * One endpoint picked for one attempt, with the transport its cluster chooses for it.
 *
 * @param cluster the cluster
 * @param endpoint the endpoint
 * @param transport plaintext, Istio mTLS, TLS or HBONE, as {@code transport_socket_matches} say
 * @param state the cluster's live state, where results go
 * @param index the endpoint's index in the picker's set (for least-request accounting), or -1
 * @param picker the picker that chose it, or null
 * @param key {@code ip:port}, computed once
 */
public record Upstream(
    Cluster cluster,
    Endpoint endpoint,
    UpstreamTransport transport,
    ClusterState state,
    int index,
    @Nullable EndpointPicker picker,
    String key) {

  /** An upstream; {@link #key()} is {@code ip:port}, the key outlier detection knows it by. */
  Upstream(
      Cluster cluster,
      Endpoint endpoint,
      UpstreamTransport transport,
      ClusterState state,
      int index,
      @Nullable EndpointPicker picker) {
    this(cluster, endpoint, transport, state, index, picker, ClusterState.key(endpoint));
  }

  /** Marks the start of a request on this endpoint (least-request weighting). */
  public void started() {
    state.started(this);
  }

  /** Reports the attempt's result: outlier detection and least-request accounting. */
  public void finished(Result result) {
    state.finished(this, result);
  }
}
