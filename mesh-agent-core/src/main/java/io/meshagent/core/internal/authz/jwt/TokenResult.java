package io.meshagent.core.internal.authz.jwt;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/** What one provider makes of a request's tokens ({@link JwtVerifier#verify}). */
public sealed interface TokenResult {

  /**
   * Every token in the provider's locations verified.
   *
   * @param provider the provider's name
   * @param payload the (last) token's claims as JSON values: String, Boolean, Double, List, Map
   * @param payloadBase64 that token's payload section, as {@code forward_payload_header} sends it
   * @param locations where the verified tokens were found
   */
  record Valid(
      String provider, Map<String, Object> payload, String payloadBase64, List<Location> locations)
      implements TokenResult {
    public Valid {
      requireNonNull(provider, "provider");
      payload = Map.copyOf(payload);
      requireNonNull(payloadBase64, "payloadBase64");
      locations = List.copyOf(locations);
    }

    /**
     * Istio's {@code request.auth.principal}: {@code iss/sub}, with empty parts for absent claims.
     */
    public String principal() {
      return payload.getOrDefault("iss", "") + "/" + payload.getOrDefault("sub", "");
    }
  }

  /** No token in the provider's locations. */
  record Missing() implements TokenResult {}

  /**
   * A token the provider rejects.
   *
   * @param provider the provider's name
   * @param status why
   */
  record Invalid(String provider, JwtStatus status) implements TokenResult {
    public Invalid {
      requireNonNull(provider, "provider");
      requireNonNull(status, "status");
    }

    /** Envoy's message for it. */
    public String reason() {
      return status.message();
    }
  }

  /**
   * Where a token is read from.
   *
   * @param kind header, query parameter or cookie
   * @param name the header (lower case), parameter or cookie name
   * @param valuePrefix for a header, the text before the token, or empty
   */
  record Location(Kind kind, String name, String valuePrefix) {
    public Location {
      requireNonNull(kind, "kind");
      requireNonNull(name, "name");
      requireNonNull(valuePrefix, "valuePrefix");
    }

    /** The kinds of location. */
    public enum Kind {
      HEADER,
      QUERY_PARAMETER,
      COOKIE
    }
  }
}
