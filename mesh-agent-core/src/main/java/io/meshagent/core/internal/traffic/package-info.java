/**
 * Outbound traffic decisions, transport-agnostic: which listener, filter chain, route and cluster a
 * destination reaches ({@link io.meshagent.core.internal.traffic.OutboundPlanner}), and the live
 * state of clusters — endpoint sets, pickers, outlier detection and circuit breakers — that
 * survives configuration updates ({@link io.meshagent.core.internal.traffic.ClusterManager}).
 */
@NullMarked
package io.meshagent.core.internal.traffic;

import org.jspecify.annotations.NullMarked;
