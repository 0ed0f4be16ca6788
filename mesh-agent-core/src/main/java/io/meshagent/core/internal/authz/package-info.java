/**
 * Internal: inbound authorization as Envoy's RBAC filters evaluate it, as a pure, lock-free
 * function of the RBAC configuration istiod sends and a request, returning an {@link
 * io.meshagent.core.internal.authz.AuthzDecision}. Fails closed: what cannot be evaluated denies.
 * Not API; it changes without notice.
 */
@NullMarked
package io.meshagent.core.internal.authz;

import org.jspecify.annotations.NullMarked;
