package io.meshagent.model.route;

import java.util.List;

/**
 * Envoy's {@code RouteMatch}.
 *
 * @param path the path match
 * @param caseSensitive whether the path match is case sensitive (Envoy's default: true)
 * @param headers all must match
 * @param queryParameters all must match
 * @param runtimeFractionPerMillion the share of requests matched, in parts per million (1,000,000
 *     when the route has no runtime fraction)
 * @param grpcOnly whether only gRPC requests match
 */
public record RouteMatch(
    PathMatch path,
    boolean caseSensitive,
    List<HeaderMatcher> headers,
    List<QueryParameterMatcher> queryParameters,
    int runtimeFractionPerMillion,
    boolean grpcOnly) {
  public RouteMatch {
    headers = List.copyOf(headers);
    queryParameters = List.copyOf(queryParameters);
  }
}
