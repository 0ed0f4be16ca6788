package io.meshagent.traffic;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An HTTP request to a mesh destination, or one received from the mesh. Immutable.
 *
 * <p>The authority names the destination as the app would dial it: a service host and port ({@code
 * reviews.default.svc.cluster.local:9080}) or an IP and port. The agent picks the listener, route,
 * cluster and endpoint for it exactly as a sidecar would for a connection to that destination.
 */
public final class MeshHttpRequest {
  private final String method;
  private final String authority;
  private final String path;
  private final List<HttpHeader> headers;
  private final byte[] body;
  private final HttpProtocol protocol;

  private MeshHttpRequest(Builder b) {
    this.method = b.method;
    this.authority = b.authority;
    this.path = b.path;
    this.headers = List.copyOf(b.headers);
    this.body = b.body;
    this.protocol = b.protocol;
  }

  private MeshHttpRequest(MeshHttpRequest r, List<HttpHeader> headers) {
    this.method = r.method;
    this.authority = r.authority;
    this.path = r.path;
    this.headers = List.copyOf(headers);
    this.body = r.body;
    this.protocol = r.protocol;
  }

  /** This request with other headers (copied once; a builder would copy them twice more). */
  public MeshHttpRequest withHeaders(List<HttpHeader> headers) {
    return new MeshHttpRequest(this, headers);
  }

  /** A builder for {@code method authority path}; the path includes any query. */
  public static Builder builder(String method, String authority, String path) {
    return new Builder(method, authority, path);
  }

  /** A GET of {@code path} on {@code authority}. */
  public static MeshHttpRequest get(String authority, String path) {
    return builder("GET", authority, path).build();
  }

  /** A builder starting from this request. */
  public Builder toBuilder() {
    Builder b = new Builder(method, authority, path).body(body).protocol(protocol);
    b.headers.addAll(headers);
    return b;
  }

  public String method() {
    return method;
  }

  /** {@code host:port}; the port is required. */
  public String authority() {
    return authority;
  }

  /** The path with its query. */
  public String path() {
    return path;
  }

  /** Headers other than the pseudo-headers, in order. */
  public List<HttpHeader> headers() {
    return headers;
  }

  /** The first value of a header, or null. */
  public @Nullable String header(String name) {
    return Headers.first(headers, name);
  }

  /** The body; a copy. */
  public byte[] body() {
    return body.clone();
  }

  /** The body's length in bytes. */
  public int bodyLength() {
    return body.length;
  }

  /** The body as a read-only view, without copying. */
  public ByteBuffer bodyBuffer() {
    return ByteBuffer.wrap(body).asReadOnlyBuffer();
  }

  /** The HTTP version toward the next hop. */
  public HttpProtocol protocol() {
    return protocol;
  }

  @Override
  public String toString() {
    return method + " " + authority + path;
  }

  /** Builds a {@link MeshHttpRequest}. */
  public static final class Builder {
    private String method;
    private String authority;
    private String path;
    private final List<HttpHeader> headers = new ArrayList<>();
    private byte[] body = new byte[0];
    private HttpProtocol protocol = HttpProtocol.HTTP_1_1;

    private Builder(String method, String authority, String path) {
      this.method = requireNonNull(method, "method");
      this.authority = requireNonNull(authority, "authority");
      this.path = requireNonNull(path, "path");
      if (!path.startsWith("/")) {
        throw new IllegalArgumentException("path must start with '/': " + path);
      }
    }

    /** Adds a header (after those already added). */
    public Builder header(String name, String value) {
      headers.add(new HttpHeader(name, value));
      return this;
    }

    /** Replaces all headers. */
    public Builder headers(List<HttpHeader> headers) {
      this.headers.clear();
      this.headers.addAll(headers);
      return this;
    }

    public Builder method(String method) {
      this.method = requireNonNull(method, "method");
      return this;
    }

    public Builder authority(String authority) {
      this.authority = requireNonNull(authority, "authority");
      return this;
    }

    public Builder path(String path) {
      this.path = requireNonNull(path, "path");
      return this;
    }

    /** The body; the array is not copied, do not modify it afterwards. */
    public Builder body(byte[] body) {
      this.body = requireNonNull(body, "body");
      return this;
    }

    /** A UTF-8 body. */
    public Builder body(String body) {
      return body(body.getBytes(StandardCharsets.UTF_8));
    }

    public Builder protocol(HttpProtocol protocol) {
      this.protocol = requireNonNull(protocol, "protocol");
      return this;
    }

    public MeshHttpRequest build() {
      return new MeshHttpRequest(this);
    }
  }
}
