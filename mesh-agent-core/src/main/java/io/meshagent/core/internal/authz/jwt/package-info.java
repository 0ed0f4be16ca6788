/**
 * Internal: JWT verification as Envoy's {@code envoy.filters.http.jwt_authn} does it for the
 * requirement istiod builds from RequestAuthentication, as pure, lock-free functions of the
 * providers, a request and a clock. Keys come only from the inline JWKS istiod sends; nothing is
 * fetched. Not API; it changes without notice.
 */
@NullMarked
package io.meshagent.core.internal.authz.jwt;

import org.jspecify.annotations.NullMarked;
