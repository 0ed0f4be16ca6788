/**
 * Internal: OpenTelemetry metrics in Prometheus text exposition format 0.0.4, named as recorded (no
 * unit or scope decorations, so Istio's names come out as Istio writes them). Not API; it changes
 * without notice.
 */
@NullMarked
package io.meshagent.core.internal.telemetry.prometheus;

import org.jspecify.annotations.NullMarked;
