/**
 * Internal: Istio's telemetry, transport-independent, for the data plane to call per request and
 * per connection. {@link io.meshagent.core.internal.telemetry.WorkloadMetadata} is who a side of a
 * request is; sub-packages record Istio's standard metrics ({@code metrics}), expose them in
 * Prometheus text format ({@code prometheus}), exchange workload metadata with peers ({@code
 * peer}), write Istio's access log ({@code accesslog}) and propagate traces ({@code tracing}). Not
 * API; it changes without notice.
 */
@NullMarked
package io.meshagent.core.internal.telemetry;

import org.jspecify.annotations.NullMarked;
