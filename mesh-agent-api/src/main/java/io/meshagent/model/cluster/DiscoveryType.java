package io.meshagent.model.cluster;

/** How a cluster finds its endpoints. */
public enum DiscoveryType {
  STATIC,
  STRICT_DNS,
  LOGICAL_DNS,
  EDS,
  ORIGINAL_DST
}
