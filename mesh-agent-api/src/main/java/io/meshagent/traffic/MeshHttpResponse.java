package io.meshagent.traffic;

import static java.util.Objects.requireNonNull;

import io.meshagent.identity.SpiffeId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An HTTP response. Immutable.
 *
 * <p>On the outbound side it also says how the request went: the upstream identity the agent
 * verified ({@link #peer()}, null over plaintext), the cluster and endpoint that answered, the
 * attempts made, and Envoy's response flags when the agent answered itself (for example {@code UF}
 * upstream connect failure, {@code UT} timeout, {@code FI} injected fault, {@code NR} no route).
 *
 * <p>Trailers (the header block after the body, where gRPC puts {@code grpc-status}) travel over
 * HTTP/2; HTTP/1.1 carries none, as Envoy drops them there unless told otherwise.
 */
public final class MeshHttpResponse {
  private final int status;
  private final List<HttpHeader> headers;
  private final byte[] body;
  private final @Nullable SpiffeId peer;
  private final String upstreamCluster;
  private final String upstreamHost;
  private final int attempts;
  private final String responseFlags;
  private final List<HttpHeader> trailers;

  /**
   * @param status the HTTP status
   * @param headers the headers, in order
   * @param body the body; not copied
   */
  public MeshHttpResponse(int status, List<HttpHeader> headers, byte[] body) {
    this(status, headers, body, null, "", "", 0, "");
  }

  /**
   * A response with the outbound details.
   *
   * @param peer the verified upstream identity, or null
   * @param upstreamCluster the cluster, or empty
   * @param upstreamHost the endpoint {@code ip:port}, or empty
   * @param attempts the attempts made (1 + retries); 0 when nothing was sent upstream
   * @param responseFlags Envoy's response flags, comma separated, or empty
   */
  public MeshHttpResponse(
      int status,
      List<HttpHeader> headers,
      byte[] body,
      @Nullable SpiffeId peer,
      String upstreamCluster,
      String upstreamHost,
      int attempts,
      String responseFlags) {
    this(status, headers, body, peer, upstreamCluster, upstreamHost, attempts, responseFlags, null);
  }

  private MeshHttpResponse(
      int status,
      List<HttpHeader> headers,
      byte[] body,
      @Nullable SpiffeId peer,
      String upstreamCluster,
      String upstreamHost,
      int attempts,
      String responseFlags,
      @Nullable List<HttpHeader> trailers) {
    if (status < 100 || status > 999) {
      throw new IllegalArgumentException("status out of range: " + status);
    }
    this.status = status;
    this.headers = List.copyOf(headers);
    this.body = requireNonNull(body, "body");
    this.peer = peer;
    this.upstreamCluster = requireNonNull(upstreamCluster, "upstreamCluster");
    this.upstreamHost = requireNonNull(upstreamHost, "upstreamHost");
    this.attempts = attempts;
    this.responseFlags = requireNonNull(responseFlags, "responseFlags");
    this.trailers = trailers == null ? List.of() : List.copyOf(trailers);
  }

  /** A response with {@code status} and a UTF-8 text body. */
  public static MeshHttpResponse of(int status, String body) {
    return new MeshHttpResponse(
        status,
        List.of(new HttpHeader("content-type", "text/plain; charset=utf-8")),
        body.getBytes(StandardCharsets.UTF_8));
  }

  public int status() {
    return status;
  }

  public List<HttpHeader> headers() {
    return headers;
  }

  /** The first value of a header, or null. */
  public @Nullable String header(String name) {
    return Headers.first(headers, name);
  }

  /** All values of a header. */
  public List<String> headerValues(String name) {
    return Headers.all(headers, name);
  }

  /** The trailers, in order; empty when none came. */
  public List<HttpHeader> trailers() {
    return trailers;
  }

  /** The first value of a trailer, or null. */
  public @Nullable String trailer(String name) {
    return Headers.first(trailers, name);
  }

  /** The body; a copy. */
  public byte[] body() {
    return body.clone();
  }

  /** The body as a read-only view, without copying. */
  public ByteBuffer bodyBuffer() {
    return ByteBuffer.wrap(body).asReadOnlyBuffer();
  }

  /** The body as UTF-8 text. */
  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** The body's length in bytes. */
  public int bodyLength() {
    return body.length;
  }

  /** The upstream's SPIFFE identity as the agent verified it, or null (plaintext, local answer). */
  public @Nullable SpiffeId peer() {
    return peer;
  }

  public String upstreamCluster() {
    return upstreamCluster;
  }

  public String upstreamHost() {
    return upstreamHost;
  }

  public int attempts() {
    return attempts;
  }

  public String responseFlags() {
    return responseFlags;
  }

  /** This response with the outbound details. */
  public MeshHttpResponse withUpstream(
      @Nullable SpiffeId peer, String cluster, String host, int attempts, String flags) {
    return new MeshHttpResponse(
        status, headers, body, peer, cluster, host, attempts, flags, trailers);
  }

  /** This response with other headers. */
  public MeshHttpResponse withHeaders(List<HttpHeader> headers) {
    return new MeshHttpResponse(
        status,
        headers,
        body,
        peer,
        upstreamCluster,
        upstreamHost,
        attempts,
        responseFlags,
        trailers);
  }

  /** This response with these trailers (names lower case, as HTTP/2 sends them). */
  public MeshHttpResponse withTrailers(List<HttpHeader> trailers) {
    return new MeshHttpResponse(
        status,
        headers,
        body,
        peer,
        upstreamCluster,
        upstreamHost,
        attempts,
        responseFlags,
        requireNonNull(trailers, "trailers"));
  }

  @Override
  public String toString() {
    return status
        + (responseFlags.isEmpty() ? "" : " " + responseFlags)
        + " ("
        + body.length
        + " bytes)";
  }
}
