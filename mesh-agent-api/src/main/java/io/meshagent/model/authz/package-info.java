/**
 * Inbound authorization as Envoy reads it: the RBAC configuration istiod translates
 * AuthorizationPolicy into ({@code envoy.filters.http.rbac}, {@code envoy.filters.network.rbac})
 * and the JWT providers it translates RequestAuthentication into ({@code
 * envoy.filters.http.jwt_authn}).
 */
@NullMarked
@ExperimentalApi("the domain models grow with routing and data-plane features")
package io.meshagent.model.authz;

import io.meshagent.ExperimentalApi;
import org.jspecify.annotations.NullMarked;
