package io.meshagent.netty.internal.admin;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A GET to an admin endpoint.
 *
 * @param path the path, without the query
 * @param parameters the decoded query parameters
 * @param headers the request's headers (a copy, owned by the request)
 */
record AdminRequest(String path, Map<String, List<String>> parameters, HttpHeaders headers) {
  AdminRequest {
    parameters = Map.copyOf(parameters);
  }

  /** The first value of a query parameter, empty for a bare {@code ?name}, or null if absent. */
  @Nullable String parameter(String name) {
    List<String> values = parameters.get(name);
    return values == null ? null : values.isEmpty() ? "" : values.get(0);
  }

  /** Whether the query names {@code name}, with or without a value ({@code ?include_eds}). */
  boolean has(String name) {
    return parameters.containsKey(name);
  }
}
