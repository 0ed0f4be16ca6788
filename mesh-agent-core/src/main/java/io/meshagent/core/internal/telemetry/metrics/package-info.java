/**
 * Internal: Istio's standard metrics ({@code istio_requests_total}, {@code
 * istio_request_duration_milliseconds}, {@code istio_tcp_*}, ...) recorded through the
 * OpenTelemetry API with Istio's names, labels and buckets, so the Prometheus exposition reads like
 * an Envoy sidecar's. Recording is lock-free. Not API; it changes without notice.
 */
@NullMarked
package io.meshagent.core.internal.telemetry.metrics;

import org.jspecify.annotations.NullMarked;
