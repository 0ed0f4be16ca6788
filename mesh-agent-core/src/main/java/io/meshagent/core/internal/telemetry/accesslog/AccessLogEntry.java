package io.meshagent.core.internal.telemetry.accesslog;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What one access-log line says about a request or connection: the operands of Istio's default
 * format ({@link IstioAccessLogFormat}). A null field is one Envoy would print as {@code -}; for a
 * TCP connection the request fields are null and {@code responseCode} is 0.
 *
 * @param startTime when the first byte arrived ({@code %START_TIME%})
 * @param method {@code %REQ(:METHOD)%}
 * @param path {@code %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%}: the path before any rewrite
 * @param protocol {@code HTTP/1.1}, {@code HTTP/2} ({@code %PROTOCOL%})
 * @param responseCode the HTTP status, 0 when none was sent
 * @param responseFlags Envoy's short response flags, null or empty for none
 * @param responseCodeDetails why the response has its code, {@code via_upstream} when the upstream
 *     sent it
 * @param connectionTerminationDetails why the connection was closed, when the agent closed it
 * @param upstreamTransportFailureReason why the upstream connection failed (TLS errors)
 * @param bytesReceived body bytes received from downstream
 * @param bytesSent body bytes sent to downstream
 * @param durationMillis from the first byte in to the last byte out, null if not finished
 * @param upstreamServiceTimeMillis the upstream's processing time ({@code
 *     %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%})
 * @param forwardedFor {@code x-forwarded-for}
 * @param userAgent {@code user-agent}
 * @param requestId {@code x-request-id}
 * @param authority {@code :authority}
 * @param upstreamHost the upstream endpoint, {@code ip:port}
 * @param upstreamCluster the upstream cluster's name ({@code outbound|9080||reviews...})
 * @param upstreamLocalAddress the local address of the upstream connection
 * @param downstreamLocalAddress the address the downstream connected to
 * @param downstreamRemoteAddress the downstream peer's address
 * @param requestedServerName the SNI the downstream sent
 * @param routeName the route's name
 */
public record AccessLogEntry(
    Instant startTime,
    @Nullable String method,
    @Nullable String path,
    @Nullable String protocol,
    int responseCode,
    @Nullable String responseFlags,
    @Nullable String responseCodeDetails,
    @Nullable String connectionTerminationDetails,
    @Nullable String upstreamTransportFailureReason,
    long bytesReceived,
    long bytesSent,
    @Nullable Long durationMillis,
    @Nullable Long upstreamServiceTimeMillis,
    @Nullable String forwardedFor,
    @Nullable String userAgent,
    @Nullable String requestId,
    @Nullable String authority,
    @Nullable String upstreamHost,
    @Nullable String upstreamCluster,
    @Nullable String upstreamLocalAddress,
    @Nullable String downstreamLocalAddress,
    @Nullable String downstreamRemoteAddress,
    @Nullable String requestedServerName,
    @Nullable String routeName) {

  public AccessLogEntry {
    requireNonNull(startTime, "startTime");
  }

  public static Builder builder(Instant startTime) {
    return new Builder(startTime);
  }

  /** Builds an {@link AccessLogEntry}; fields not set are {@code -} in the line. */
  public static final class Builder {
    private final Instant startTime;
    private @Nullable String method;
    private @Nullable String path;
    private @Nullable String protocol;
    private int responseCode;
    private @Nullable String responseFlags;
    private @Nullable String responseCodeDetails;
    private @Nullable String connectionTerminationDetails;
    private @Nullable String upstreamTransportFailureReason;
    private long bytesReceived;
    private long bytesSent;
    private @Nullable Long durationMillis;
    private @Nullable Long upstreamServiceTimeMillis;
    private @Nullable String forwardedFor;
    private @Nullable String userAgent;
    private @Nullable String requestId;
    private @Nullable String authority;
    private @Nullable String upstreamHost;
    private @Nullable String upstreamCluster;
    private @Nullable String upstreamLocalAddress;
    private @Nullable String downstreamLocalAddress;
    private @Nullable String downstreamRemoteAddress;
    private @Nullable String requestedServerName;
    private @Nullable String routeName;

    Builder(Instant startTime) {
      this.startTime = requireNonNull(startTime, "startTime");
    }

    /** The request line: method, the path before rewrites, and the protocol. */
    public Builder request(String method, String path, String protocol) {
      this.method = requireNonNull(method, "method");
      this.path = requireNonNull(path, "path");
      this.protocol = requireNonNull(protocol, "protocol");
      return this;
    }

    /** The response code, its flags and details. */
    public Builder response(int code, @Nullable String flags, @Nullable String details) {
      this.responseCode = code;
      this.responseFlags = flags;
      this.responseCodeDetails = details;
      return this;
    }

    public Builder connectionTerminationDetails(@Nullable String details) {
      this.connectionTerminationDetails = details;
      return this;
    }

    public Builder upstreamTransportFailureReason(@Nullable String reason) {
      this.upstreamTransportFailureReason = reason;
      return this;
    }

    /** Body bytes received from and sent to downstream. */
    public Builder bytes(long received, long sent) {
      this.bytesReceived = received;
      this.bytesSent = sent;
      return this;
    }

    public Builder durationMillis(@Nullable Long millis) {
      this.durationMillis = millis;
      return this;
    }

    public Builder upstreamServiceTimeMillis(@Nullable Long millis) {
      this.upstreamServiceTimeMillis = millis;
      return this;
    }

    /** The request headers the line quotes. */
    public Builder headers(
        @Nullable String forwardedFor,
        @Nullable String userAgent,
        @Nullable String requestId,
        @Nullable String authority) {
      this.forwardedFor = forwardedFor;
      this.userAgent = userAgent;
      this.requestId = requestId;
      this.authority = authority;
      return this;
    }

    /** The upstream: endpoint, cluster, and the local address of the connection to it. */
    public Builder upstream(
        @Nullable String host, @Nullable String cluster, @Nullable String localAddress) {
      this.upstreamHost = host;
      this.upstreamCluster = cluster;
      this.upstreamLocalAddress = localAddress;
      return this;
    }

    /** The downstream connection: its local and remote addresses and the SNI it sent. */
    public Builder downstream(
        @Nullable String localAddress,
        @Nullable String remoteAddress,
        @Nullable String requestedServerName) {
      this.downstreamLocalAddress = localAddress;
      this.downstreamRemoteAddress = remoteAddress;
      this.requestedServerName = requestedServerName;
      return this;
    }

    public Builder routeName(@Nullable String routeName) {
      this.routeName = routeName;
      return this;
    }

    public AccessLogEntry build() {
      return new AccessLogEntry(
          startTime,
          method,
          path,
          protocol,
          responseCode,
          responseFlags,
          responseCodeDetails,
          connectionTerminationDetails,
          upstreamTransportFailureReason,
          bytesReceived,
          bytesSent,
          durationMillis,
          upstreamServiceTimeMillis,
          forwardedFor,
          userAgent,
          requestId,
          authority,
          upstreamHost,
          upstreamCluster,
          upstreamLocalAddress,
          downstreamLocalAddress,
          downstreamRemoteAddress,
          requestedServerName,
          routeName);
    }
  }
}
