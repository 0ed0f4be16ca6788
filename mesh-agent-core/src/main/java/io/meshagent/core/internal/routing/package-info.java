/**
 * Internal: HTTP routing as Envoy does it, as pure, lock-free functions of an immutable route
 * configuration and a request, returning a {@link
 * io.meshagent.core.internal.routing.RouteDecision}. Not API; it changes without notice.
 */
@NullMarked
package io.meshagent.core.internal.routing;

import org.jspecify.annotations.NullMarked;
