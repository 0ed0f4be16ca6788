/**
 * Internal: the workload metadata Istio's proxies exchange so both ends can label a request —
 * {@code x-envoy-peer-metadata} / {@code x-envoy-peer-metadata-id} between sidecars, W3C {@code
 * baggage} with ztunnel and waypoints — encoded from the agent's xDS node and decoded into {@link
 * io.meshagent.core.internal.telemetry.WorkloadMetadata}. Not API; it changes without notice.
 */
@NullMarked
package io.meshagent.core.internal.telemetry.peer;

import org.jspecify.annotations.NullMarked;
