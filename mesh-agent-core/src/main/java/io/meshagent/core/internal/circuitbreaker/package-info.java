/**
 * Internal: Envoy's cluster circuit breakers ({@code max_connections}, {@code
 * max_pending_requests}, {@code max_requests}, {@code max_retries} per routing priority) as
 * lock-free counters handing out idempotent permits. Not API; it changes without notice.
 */
@NullMarked
package io.meshagent.core.internal.circuitbreaker;

import org.jspecify.annotations.NullMarked;
