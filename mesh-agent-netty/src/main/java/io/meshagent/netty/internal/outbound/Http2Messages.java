package io.meshagent.netty.internal.outbound;

import io.meshagent.core.internal.cache.BoundedCache;
import io.meshagent.core.internal.telemetry.peer.PeerMetadataHeaders;
import io.meshagent.netty.internal.observe.OwnFields;
import io.meshagent.netty.internal.observe.ReceivedFields;
import io.meshagent.traffic.HttpHeader;
import io.meshagent.traffic.MeshHttpRequest;
import io.meshagent.traffic.MeshHttpResponse;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOutboundInvoker;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The API's messages as HTTP/2 header blocks and back, for both directions of the data plane,
 * without Netty's HTTP/1 objects in between: converting each message to HTTP/1 and back validated
 * and copied every header twice more, a fifth of a request's CPU (issue 5's profile).
 *
 * <p>Header names arrive lower case (Netty's decoder refuses others); values are checked here for
 * the characters RFC 9113 §8.2.1 forbids, which HPACK would otherwise carry through.
 */
public final class Http2Messages {
  private Http2Messages() {}

  private static final AsciiString SCHEME_HTTP = AsciiString.cached("http");
  private static final AsciiString CONTENT_LENGTH = AsciiString.cached("content-length");

  /** A long value and its AsciiString. */
  private record LongValue(String string, AsciiString ascii) {}

  private static final int LONG = 128;
  private static final LongValue[] LONG_VALUES = new LongValue[16];

  /**
   * The value as HPACK should see it. A long value sent again and again (the peer metadata, on
   * every message) goes out as the same {@link AsciiString}: its hash is computed once, and the
   * encoder finds it in its dynamic table by identity instead of comparing hundreds of bytes in
   * constant time. Slots are racy on purpose: a lost write costs one more conversion.
   */
  private static CharSequence value(String v) {
    if (v.length() < LONG) {
      return v;
    }
    int slot = System.identityHashCode(v) & (LONG_VALUES.length - 1);
    LongValue e = LONG_VALUES[slot];
    if (e != null && e.string == v) {
      return e.ascii;
    }
    AsciiString a = new AsciiString(v);
    LONG_VALUES[slot] = new LongValue(v, a);
    return a;
  }

  /**
   * Field names as {@link AsciiString}s kept from last time: the header map and HPACK hash every
   * name they are given, and a String's hash would be computed again on each message.
   */
  private static final BoundedCache<String, AsciiString> NAMES = new BoundedCache<>(512);

  /**
   * The header block of a request; {@code content-length} is the body's, and our metadata-exchange
   * fields {@code own} (null for none) replace any the app set.
   */
  public static Http2Headers requestHeaders(MeshHttpRequest r, @Nullable OwnFields own) {
    Http2Headers h = new DefaultHttp2Headers(false, r.headers().size() + 7);
    h.method(r.method()).scheme(SCHEME_HTTP).authority(r.authority()).path(r.path());
    return withFields(h, r.headers(), r.bodyLength(), own);
  }

  /** The header block of a response, as {@link #requestHeaders} makes a request's. */
  public static Http2Headers responseHeaders(MeshHttpResponse r, @Nullable OwnFields own) {
    Http2Headers h = new DefaultHttp2Headers(false, r.headers().size() + 4);
    h.status(HttpResponseStatus.valueOf(r.status()).codeAsText());
    return withFields(h, r.headers(), r.bodyLength(), own);
  }

  /** The forwarded fields and {@code own} added to {@code h}, and {@code content-length}. */
  private static Http2Headers withFields(
      Http2Headers h, List<HttpHeader> fields, int bodyLength, @Nullable OwnFields own) {
    for (int i = 0, n = fields.size(); i < n; i++) { // the API's lists are random-access
      HttpHeader x = fields.get(i);
      if (forwarded(x, own != null)) {
        h.add(NAMES.get(x.name(), AsciiString::cached), value(x.value()));
      }
    }
    if (own != null) {
      own.addTo(h);
    }
    h.setInt(CONTENT_LENGTH, bodyLength);
    return h;
  }

  /**
   * Writes a message: its header block, and its body as one DATA frame, END_STREAM on the last. The
   * caller flushes.
   *
   * @return the future of the last frame written
   */
  public static ChannelFuture write(ChannelOutboundInvoker out, Http2Headers h, ByteBuffer body) {
    return write(out, h, body, List.of());
  }

  /**
   * Writes a message as {@link #write(ChannelOutboundInvoker, Http2Headers, ByteBuffer)} does, and
   * then its trailers, when there are any, as the last header block.
   */
  public static ChannelFuture write(
      ChannelOutboundInvoker out, Http2Headers h, ByteBuffer body, List<HttpHeader> trailers) {
    boolean last = trailers.isEmpty();
    boolean empty = !body.hasRemaining();
    ChannelFuture f = out.write(new DefaultHttp2HeadersFrame(h, empty && last));
    if (!empty) {
      f = out.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), last));
    }
    if (last) {
      return f;
    }
    Http2Headers t = new DefaultHttp2Headers(false, trailers.size());
    for (int i = 0, n = trailers.size(); i < n; i++) { // the API's lists are random-access
      HttpHeader x = trailers.get(i);
      // What HTTP/2 forbids in trailers is left out, as from headers; a strict peer would reset.
      if (forwarded(x, false) && !x.name().startsWith(":") && clean(x.value())) {
        t.add(NAMES.get(x.name(), AsciiString::cached), x.value());
      }
    }
    return out.write(new DefaultHttp2HeadersFrame(t, true));
  }

  /**
   * The fields of a trailer block ({@code grpc-status}, {@code grpc-message}, ...).
   *
   * @throws IllegalArgumentException when it holds a pseudo-header or a malformed value
   */
  public static List<HttpHeader> trailers(Http2Headers h) {
    List<HttpHeader> out = new ArrayList<>(h.size());
    for (Map.Entry<CharSequence, CharSequence> e : h) {
      String n = e.getKey().toString();
      if (n.isEmpty() || n.charAt(0) == ':') {
        throw new IllegalArgumentException("trailers with the pseudo-header " + n);
      }
      checkValue(n, e.getValue());
      out.add(field(n, e.getValue().toString()));
    }
    return out;
  }

  /**
   * A request from a received header block and body. With {@code noted} (telemetry's, or null), the
   * fields telemetry reads are noted there as they are read, and the metadata-exchange fields are
   * left out of the request.
   *
   * @throws IllegalArgumentException when a pseudo-header is missing or a value is malformed
   */
  public static MeshHttpRequest request(
      Http2Headers h, byte[] body, @Nullable ReceivedFields noted) {
    CharSequence method = h.method();
    CharSequence path = h.path();
    CharSequence authority = h.authority();
    if (authority == null) {
      authority = h.get("host");
    }
    if (method == null || path == null) {
      throw new IllegalArgumentException("request without :method or :path");
    }
    MeshHttpRequest.Builder b =
        MeshHttpRequest.builder(
                method.toString(), authority == null ? "" : authority.toString(), path.toString())
            .protocol(io.meshagent.traffic.HttpProtocol.HTTP_2)
            .body(body);
    return b.headers(fields(h, true, body.length, noted)).build();
  }

  /**
   * A response from a received header block and body, {@code noted} as for {@link #request}.
   *
   * @throws IllegalArgumentException when {@code :status} is missing or a value is malformed
   */
  public static MeshHttpResponse response(
      Http2Headers h, byte[] body, @Nullable ReceivedFields noted) {
    return new MeshHttpResponse(status(h), fields(h, false, body.length, noted), body);
  }

  /** The {@code :status} of a response header block. */
  public static int status(Http2Headers h) {
    CharSequence s = h.status();
    if (s == null) {
      throw new IllegalArgumentException("response without :status");
    }
    try {
      return Integer.parseInt(s.toString());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("response :status is not a number: " + s, e);
    }
  }

  /**
   * The regular fields of a block: pseudo-headers left out, and {@code host} for requests; a
   * request's {@code cookie} fields joined into one with {@code "; "} (RFC 9113 §8.2.3), as Envoy
   * and Netty's HTTP/1 conversion do; {@code content-length} added from the body when the peer sent
   * none, as the aggregator before did.
   */
  private static List<HttpHeader> fields(
      Http2Headers h, boolean request, int bodyLength, @Nullable ReceivedFields noted) {
    List<HttpHeader> out = new ArrayList<>(h.size() + 1);
    StringBuilder cookies = null;
    boolean length = false;
    for (Map.Entry<CharSequence, CharSequence> e : h) {
      CharSequence name = e.getKey();
      if (name.length() == 0 || name.charAt(0) == ':') {
        continue;
      }
      // AsciiString caches its String: an HPACK-indexed field (the peer metadata, sent on every
      // message) is the same String each time, with its hash already computed.
      String n = name.toString();
      if (request && n.equals("host")) {
        continue;
      }
      CharSequence value = e.getValue();
      checkValue(n, value);
      if (request && n.equals("cookie")) {
        cookies = cookies == null ? new StringBuilder() : cookies.append("; ");
        cookies.append(value);
        continue;
      }
      String v = value.toString();
      if (noted != null && noted.note(n, v)) {
        continue;
      }
      length |= n.equals("content-length");
      out.add(field(n, v));
    }
    if (cookies != null) {
      out.add(new HttpHeader("cookie", cookies.toString()));
    }
    if (!length) {
      out.add(new HttpHeader("content-length", Integer.toString(bodyLength)));
    }
    return out;
  }

  private static final HttpHeader[] FIELDS = new HttpHeader[64];

  /**
   * The API's field for a name and value. A field HPACK's table delivers again arrives as the same
   * two Strings (their AsciiStrings keep them), and gets the same immutable {@link HttpHeader}: no
   * allocation, and no lower-casing scan of the name. Slots go by identity (two peers' metadata
   * come under one name, and would evict each other by name) and are racy on purpose.
   */
  private static HttpHeader field(String name, String value) {
    int slot =
        (System.identityHashCode(value) * 31 + System.identityHashCode(name)) & (FIELDS.length - 1);
    HttpHeader f = FIELDS[slot];
    if (f != null && f.value() == value && f.name() == name) {
      return f;
    }
    f = new HttpHeader(name, value);
    if (f.name() == name) { // names arrive lower case; a record that copied it would never match
      FIELDS[slot] = f;
    }
    return f;
  }

  // By identity: two peers' metadata come under one name, and would evict each other.
  private static final String[] CHECKED = new String[64];

  /**
   * Refuses CR, LF and NUL in a value. The metadata-exchange fields, which come on every message
   * and which HPACK's table delivers again as the same String (its AsciiString keeps it), are
   * scanned once per String. Only they are remembered: every request's new {@code x-request-id} or
   * {@code traceparent} would take slots and evict them.
   */
  private static void checkValue(String name, CharSequence value) {
    if (value instanceof AsciiString a
        && (name.equals(PeerMetadataHeaders.METADATA)
            || name.equals(PeerMetadataHeaders.METADATA_ID))) {
      String s = a.toString();
      // Two slots per value: each agent in a process has its two fields, and two values sharing a
      // single slot would evict each other on every message.
      int slot = System.identityHashCode(s) & (CHECKED.length - 1);
      int other = slot ^ 1;
      if (CHECKED[slot] == s || CHECKED[other] == s) {
        return;
      }
      scan(name, value);
      CHECKED[CHECKED[slot] == null ? slot : other] = s;
      return;
    }
    scan(name, value);
  }

  /** Whether a value holds no CR, LF or NUL. */
  private static boolean clean(CharSequence value) {
    return forbiddenAt(value) < 0;
  }

  private static void scan(String name, CharSequence value) {
    int at = forbiddenAt(value);
    if (at >= 0) {
      throw new IllegalArgumentException(
          "header " + name + " has a forbidden character (CR, LF or NUL) at " + at);
    }
  }

  /** Where a value holds its first CR, LF or NUL, or -1. */
  private static int forbiddenAt(CharSequence value) {
    if (value instanceof AsciiString a) {
      // The decoder's values: their bytes, without an interface call per character.
      byte[] b = a.array();
      int from = a.arrayOffset();
      for (int i = 0, n = a.length(); i < n; i++) {
        byte c = b[from + i];
        if (c == '\r' || c == '\n' || c == 0) {
          return i;
        }
      }
      return -1;
    }
    for (int i = 0, n = value.length(); i < n; i++) {
      char c = value.charAt(i);
      if (c == '\r' || c == '\n' || c == 0) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Whether a field goes into an HTTP/2 block: not the connection-specific ones (RFC 9113 §8.2.2),
   * not {@code host} (it is {@code :authority}), not {@code content-length} (set from the body),
   * {@code te} only as {@code trailers}; the metadata-exchange fields not when ours replace them.
   */
  private static boolean forwarded(HttpHeader h, boolean ownExchangeFields) {
    return switch (h.name()) {
      case PeerMetadataHeaders.METADATA, PeerMetadataHeaders.METADATA_ID -> !ownExchangeFields;
      case "connection",
          "keep-alive",
          "proxy-connection",
          "transfer-encoding",
          "upgrade",
          "host",
          "content-length" ->
          false;
      case "te" -> h.value().equalsIgnoreCase("trailers");
      default -> true;
    };
  }
}
