/**
 * Internal: Istio's default access log — Envoy's text format as istiod configures it — written
 * through SLF4J. Not API; it changes without notice.
 */
@NullMarked
package io.meshagent.core.internal.telemetry.accesslog;

import org.jspecify.annotations.NullMarked;
