package io.meshagent.core.internal.telemetry.tracing;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * What a request span is named and tagged with when it starts.
 *
 * @param operation the span name; Istio's sidecars use the route's decorator, {@code
 *     <service-host>:<port>/*}, which keeps names few
 * @param method the HTTP method
 * @param authority {@code :authority} / {@code Host}
 * @param path the path, query included
 * @param protocol {@code HTTP/1.1}, {@code HTTP/2}
 * @param requestId {@code x-request-id}, which Envoy tags spans with so logs and traces join
 * @param upstreamCluster the cluster the request goes to, null for a server span
 */
public record SpanRequest(
    String operation,
    String method,
    String authority,
    String path,
    String protocol,
    @Nullable String requestId,
    @Nullable String upstreamCluster) {

  public SpanRequest {
    requireNonNull(operation, "operation");
    requireNonNull(method, "method");
    requireNonNull(authority, "authority");
    requireNonNull(path, "path");
    requireNonNull(protocol, "protocol");
  }
}
