package io.meshagent.model.authz;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One provider of {@code envoy.filters.http.jwt_authn}, as istiod translates a
 * RequestAuthentication's {@code jwtRules}.
 *
 * <p>The agent verifies tokens against the inline JWKS ({@code local_jwks}, which istiod fills with
 * the JWKS it fetched) and never fetches JWKS itself: tokens of a provider with only {@code
 * remote_jwks} fail verification.
 *
 * @param name the provider's name
 * @param issuer the required {@code iss}, or empty for any
 * @param audiences accepted {@code aud} values, empty for any
 * @param localJwks the inline JWKS ({@code local_jwks.inline_string}), or null
 * @param remoteJwksUri the JWKS URI ({@code remote_jwks.http_uri.uri}), or null
 * @param fromHeaders headers the token is read from
 * @param fromParams query parameters the token is read from
 * @param fromCookies cookies the token is read from (without any of the three: {@code
 *     Authorization: Bearer} and the {@code access_token} parameter)
 * @param forward whether the token is forwarded upstream
 * @param payloadInMetadata the metadata key the verified payload is stored under, or empty
 * @param spaceDelimitedClaims claims whose space-delimited string value is stored in metadata as a
 *     list ({@code normalize_payload_in_metadata}; istiod: {@code scope} and {@code permission})
 * @param forwardPayloadHeader the header the verified payload is forwarded in (base64url), or empty
 * @param padForwardPayloadHeader whether that payload is padded
 * @param claimToHeaders claims copied into request headers
 * @param clockSkewSeconds {@code clock_skew_seconds}; 0 means Envoy's default of 60
 */
public record JwtRequirement(
    String name,
    String issuer,
    List<String> audiences,
    @Nullable String localJwks,
    @Nullable String remoteJwksUri,
    List<FromHeader> fromHeaders,
    List<String> fromParams,
    List<String> fromCookies,
    boolean forward,
    String payloadInMetadata,
    List<String> spaceDelimitedClaims,
    String forwardPayloadHeader,
    boolean padForwardPayloadHeader,
    List<ClaimToHeader> claimToHeaders,
    int clockSkewSeconds) {

  public JwtRequirement {
    requireNonNull(name, "name");
    requireNonNull(issuer, "issuer");
    audiences = List.copyOf(audiences);
    fromHeaders = List.copyOf(fromHeaders);
    fromParams = List.copyOf(fromParams);
    fromCookies = List.copyOf(fromCookies);
    requireNonNull(payloadInMetadata, "payloadInMetadata");
    spaceDelimitedClaims = List.copyOf(spaceDelimitedClaims);
    requireNonNull(forwardPayloadHeader, "forwardPayloadHeader");
    claimToHeaders = List.copyOf(claimToHeaders);
  }

  /** A provider without cookies, payload or claim headers, normalization or clock skew. */
  public JwtRequirement(
      String name,
      String issuer,
      List<String> audiences,
      @Nullable String localJwks,
      @Nullable String remoteJwksUri,
      List<FromHeader> fromHeaders,
      List<String> fromParams,
      boolean forward,
      String payloadInMetadata) {
    this(
        name,
        issuer,
        audiences,
        localJwks,
        remoteJwksUri,
        fromHeaders,
        fromParams,
        List.of(),
        forward,
        payloadInMetadata,
        List.of(),
        "",
        false,
        List.of(),
        0);
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

  /**
   * A claim copied into a request header ({@code claim_to_headers}).
   *
   * @param headerName the header
   * @param claimName the claim; nested claims are dot-separated
   */
  public record ClaimToHeader(String headerName, String claimName) {
    public ClaimToHeader {
      requireNonNull(headerName, "headerName");
      requireNonNull(claimName, "claimName");
    }
  }
}
