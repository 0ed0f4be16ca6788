package io.meshagent.model.authz;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One provider of {@code envoy.filters.http.jwt_authn}, as istiod translates a
 * RequestAuthentication's {@code jwtRules}.
 *
 * <p>This is configuration only: the agent does not fetch JWKS or verify tokens. A request's JWT
 * claims reach authorization only when the embedding application verified the token and supplied
 * its payload; otherwise {@code request.auth.*} conditions never match, as in Envoy without a valid
 * token.
 *
 * @param name the provider's name
 * @param issuer the required {@code iss}, or empty for any
 * @param audiences accepted {@code aud} values, empty for any
 * @param localJwks the inline JWKS ({@code local_jwks.inline_string}), or null
 * @param remoteJwksUri the JWKS URI ({@code remote_jwks.http_uri.uri}), or null
 * @param fromHeaders headers the token is read from
 * @param fromParams query parameters the token is read from
 * @param forward whether the token is forwarded upstream
 * @param payloadInMetadata the metadata key the verified payload is stored under, or empty
 */
public record JwtRequirement(
    String name,
    String issuer,
    List<String> audiences,
    @Nullable String localJwks,
    @Nullable String remoteJwksUri,
    List<FromHeader> fromHeaders,
    List<String> fromParams,
    boolean forward,
    String payloadInMetadata) {

  public JwtRequirement {
    requireNonNull(name, "name");
    requireNonNull(issuer, "issuer");
    audiences = List.copyOf(audiences);
    fromHeaders = List.copyOf(fromHeaders);
    fromParams = List.copyOf(fromParams);
    requireNonNull(payloadInMetadata, "payloadInMetadata");
  }

  /**
   * A header carrying the token.
   *
   * @param name the header name
   * @param valuePrefix the prefix before the token, for example {@code Bearer }
   */
  public record FromHeader(String name, String valuePrefix) {
    public FromHeader {
      requireNonNull(name, "name");
      requireNonNull(valuePrefix, "valuePrefix");
    }
  }
}
