package io.meshagent.netty.internal.outbound;

import io.meshagent.core.internal.routing.RequestHeaders;
import io.meshagent.identity.SpiffeId;
import io.meshagent.netty.internal.observe.OwnFields;
import io.meshagent.traffic.HttpHeader;
import io.meshagent.traffic.MeshHttpRequest;
import io.meshagent.traffic.MeshHttpResponse;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.HttpConversionUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Conversions between the API's messages and Netty's, for both directions of the data plane. */
public final class HttpMessages {
  private HttpMessages() {}

  /** What routing, hashing, CORS and JWT decisions read of a request. */
  public static RequestHeaders requestHeaders(MeshHttpRequest request) {
    RequestHeaders.Builder b =
        RequestHeaders.builder(request.authority(), request.path()).method(request.method());
    for (HttpHeader h : request.headers()) {
      b.add(h.name(), h.value());
    }
    return b.build();
  }

  /** Headers Netty's HTTP/1 ↔ HTTP/2 conversion adds, which the app never sent. */
  private static final String EXTENSION_PREFIX = "x-http2-";

  /** A Netty request for {@code r}; the body is wrapped, not copied. */
  public static FullHttpRequest toNetty(MeshHttpRequest r) {
    return toNetty(r, null);
  }

  /** The same, with our metadata-exchange fields {@code own} in place of any the app set. */
  public static FullHttpRequest toNetty(MeshHttpRequest r, @Nullable OwnFields own) {
    FullHttpRequest req =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1,
            HttpMethod.valueOf(r.method()),
            r.path(),
            Unpooled.wrappedBuffer(r.bodyBuffer()));
    req.headers().set(HttpHeaderNames.HOST, r.authority());
    for (HttpHeader h : r.headers()) {
      if (!h.name().equals("host")
          && !h.name().equals("content-length")
          && (own == null || !OwnFields.isExchangeField(h.name()))) {
        req.headers().add(h.name(), h.value());
      }
    }
    if (own != null) {
      own.addTo(req.headers());
    }
    req.headers().set(HttpHeaderNames.CONTENT_LENGTH, r.bodyLength());
    req.headers().set(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(), "http");
    return req;
  }

  /** The API's response for a Netty one (the body is copied; the caller releases {@code r}). */
  public static MeshHttpResponse fromNetty(FullHttpResponse r, @Nullable SpiffeId peer) {
    return new MeshHttpResponse(
            r.status().code(), headers(r.headers()), ByteBufUtil.getBytes(r.content()))
        .withUpstream(peer, "", "", 0, "");
  }

  /** Header fields, lower case, without Netty's HTTP/2 conversion extensions. */
  public static List<HttpHeader> headers(io.netty.handler.codec.http.HttpHeaders hs) {
    List<HttpHeader> out = new ArrayList<>(hs.size());
    for (Map.Entry<String, String> e : hs) {
      String name = e.getKey().toLowerCase(Locale.ROOT);
      if (!name.startsWith(EXTENSION_PREFIX)) {
        out.add(new HttpHeader(name, e.getValue()));
      }
    }
    return out;
  }
}
