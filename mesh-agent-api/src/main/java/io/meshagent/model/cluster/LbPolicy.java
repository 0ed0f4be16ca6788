package io.meshagent.model.cluster;

/** The load-balancing policies the agent implements (Envoy's names). */
public enum LbPolicy {
  ROUND_ROBIN,
  LEAST_REQUEST,
  RING_HASH,
  RANDOM,
  MAGLEV,
  /** The cluster picks its own endpoint, as {@code ORIGINAL_DST} clusters do. */
  CLUSTER_PROVIDED
}
