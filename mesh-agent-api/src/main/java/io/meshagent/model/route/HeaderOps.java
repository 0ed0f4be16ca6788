package io.meshagent.model.route;

import java.util.List;

/**
 * Header additions and removals at one level of a route configuration (route configuration, virtual
 * host, route or weighted cluster), as Envoy's {@code request_headers_to_add}, {@code
 * request_headers_to_remove}, {@code response_headers_to_add} and {@code
 * response_headers_to_remove}.
 *
 * @param requestToAdd request headers to add, in order
 * @param requestToRemove request header names to remove, lower case
 * @param responseToAdd response headers to add, in order
 * @param responseToRemove response header names to remove, lower case
 */
public record HeaderOps(
    List<HeaderToAdd> requestToAdd,
    List<String> requestToRemove,
    List<HeaderToAdd> responseToAdd,
    List<String> responseToRemove) {
  /** No header changes. */
  public static final HeaderOps NONE = new HeaderOps(List.of(), List.of(), List.of(), List.of());

  public HeaderOps {
    requestToAdd = List.copyOf(requestToAdd);
    requestToRemove = List.copyOf(requestToRemove);
    responseToAdd = List.copyOf(responseToAdd);
    responseToRemove = List.copyOf(responseToRemove);
  }

  /** Whether this changes nothing. */
  public boolean isEmpty() {
    return requestToAdd.isEmpty()
        && requestToRemove.isEmpty()
        && responseToAdd.isEmpty()
        && responseToRemove.isEmpty();
  }
}
