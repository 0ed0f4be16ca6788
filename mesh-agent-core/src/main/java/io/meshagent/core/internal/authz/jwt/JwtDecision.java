package io.meshagent.core.internal.authz.jwt;

import static java.util.Objects.requireNonNull;

import io.meshagent.core.internal.authz.AuthzRequest;
import io.meshagent.model.route.HeaderToAdd;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** What {@code envoy.filters.http.jwt_authn} does with a request ({@link JwtAuthenticator}). */
public sealed interface JwtDecision {

  /**
   * The request goes on to authorization. Apply {@code requestHeadersToRemove} before {@code
   * requestHeadersToAdd}: the first strips what a client could forge, the second adds what the
   * filter vouches for.
   *
   * @param verified the provider's result when a token verified; null when the request carries no
   *     token (RBAC then judges it without {@code request.auth.*}), or the filter did not run
   * @param rbacPayload what RBAC's {@code request.auth.*} conditions read: the payload the provider
   *     stores under {@code payload} in the filter's metadata, with {@code
   *     normalize_payload_in_metadata} applied; null when there is none
   * @param requestHeadersToRemove lower-case names: the providers' payload and claim headers, and
   *     the verified token's header when the provider does not {@code forward} it
   * @param requestHeadersToAdd the verified payload ({@code forward_payload_header}) and claims
   *     ({@code claim_to_headers})
   * @param queryParametersToRemove the verified token's parameter when it is not forwarded
   */
  record Allowed(
      TokenResult.@Nullable Valid verified,
      @Nullable Map<String, Object> rbacPayload,
      List<String> requestHeadersToRemove,
      List<HeaderToAdd> requestHeadersToAdd,
      List<String> queryParametersToRemove)
      implements JwtDecision {
    public Allowed {
      rbacPayload = rbacPayload == null ? null : Map.copyOf(rbacPayload);
      requestHeadersToRemove = List.copyOf(requestHeadersToRemove);
      requestHeadersToAdd = List.copyOf(requestHeadersToAdd);
      queryParametersToRemove = List.copyOf(queryParametersToRemove);
    }

    /** The verified payloads by provider name: empty without a token. */
    public Map<String, Map<String, Object>> payloads() {
      return verified == null ? Map.of() : Map.of(verified.provider(), verified.payload());
    }

    /** {@code request} with the payload RBAC reads, when there is one. */
    public AuthzRequest applyTo(AuthzRequest request) {
      return rbacPayload == null ? request : request.withJwtPayload(rbacPayload);
    }
  }

  /**
   * Envoy answers the request itself.
   *
   * @param status 401, or 403 for a disallowed audience
   * @param reason the body: Envoy's message, for example {@code Jwt verification fails}
   * @param wwwAuthenticate the {@code www-authenticate} header: {@code Bearer realm="<url>",
   *     error="invalid_token"}
   * @param provider the provider whose failure is reported
   */
  record Denied(int status, String reason, String wwwAuthenticate, String provider)
      implements JwtDecision {
    public Denied {
      requireNonNull(reason, "reason");
      requireNonNull(wwwAuthenticate, "wwwAuthenticate");
      requireNonNull(provider, "provider");
    }
  }
}
