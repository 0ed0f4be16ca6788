/**
 * Internal: Envoy's endpoint selection as pure functions over an immutable {@link
 * io.meshagent.core.internal.lb.EndpointSet}: priority and locality selection with Envoy's
 * overprovisioning math, then round robin, random, least request, ring hash or maglev. Not API; it
 * changes without notice.
 */
@NullMarked
package io.meshagent.core.internal.lb;

import org.jspecify.annotations.NullMarked;
