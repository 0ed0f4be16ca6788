package io.meshagent.model.listener;

/** Envoy's {@code TrafficDirection}. */
public enum TrafficDirection {
  UNSPECIFIED,
  INBOUND,
  OUTBOUND
}
