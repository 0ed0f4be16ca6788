package io.meshagent.model.authz;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Envoy's {@code type.matcher.v3.MetadataMatcher} over dynamic metadata. istiod emits it for {@code
 * request.auth.*} conditions, on the verified JWT payload that {@code envoy.filters.http.jwt_authn}
 * stores under {@value #JWT_FILTER} / {@value #JWT_PAYLOAD_KEY}. Only that filter's namespace is
 * supported: other metadata is not known to the agent.
 *
 * @param filter the metadata namespace, {@value #JWT_FILTER}
 * @param path the keys into it, starting with {@value #JWT_PAYLOAD_KEY}
 * @param value what the value found there must match
 * @param invert whether the result is inverted
 */
public record MetadataMatcher(
    String filter, List<String> path, ValueMatcher value, boolean invert) {

  /** The JWT filter's metadata namespace. */
  public static final String JWT_FILTER = "envoy.filters.http.jwt_authn";

  /** The key istiod stores the verified JWT payload under ({@code payload_in_metadata}). */
  public static final String JWT_PAYLOAD_KEY = "payload";

  public MetadataMatcher {
    requireNonNull(filter, "filter");
    path = List.copyOf(path);
    requireNonNull(value, "value");
  }
}
