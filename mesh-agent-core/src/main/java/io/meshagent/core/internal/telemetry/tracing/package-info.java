/**
 * Internal: trace propagation (W3C {@code traceparent}/{@code tracestate}, B3 single and multi
 * header) and a client and a server span per request, through the OpenTelemetry API: spans are
 * no-ops until the application installs an SDK, while the incoming trace context is forwarded
 * either way. Not API; it changes without notice.
 */
@NullMarked
package io.meshagent.core.internal.telemetry.tracing;

import org.jspecify.annotations.NullMarked;
