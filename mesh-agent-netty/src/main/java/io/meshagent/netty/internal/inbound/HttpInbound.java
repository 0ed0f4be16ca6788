package io.meshagent.netty.internal.inbound;

import io.meshagent.core.internal.authz.Authorizer;
import io.meshagent.core.internal.authz.AuthzDecision;
import io.meshagent.core.internal.authz.AuthzRequest;
import io.meshagent.core.internal.authz.jwt.JwtAuthenticator;
import io.meshagent.core.internal.authz.jwt.JwtDecision;
import io.meshagent.core.internal.telemetry.accesslog.ResponseCodeDetails;
import io.meshagent.core.internal.traffic.HeaderEdits;
import io.meshagent.identity.SpiffeId;
import io.meshagent.model.listener.HttpConnectionManager;
import io.meshagent.netty.internal.Loops;
import io.meshagent.netty.internal.observe.OwnFields;
import io.meshagent.netty.internal.observe.ReceivedFields;
import io.meshagent.netty.internal.observe.Telemetry;
import io.meshagent.netty.internal.outbound.BodyBuffer;
import io.meshagent.netty.internal.outbound.Http2Messages;
import io.meshagent.netty.internal.outbound.HttpMessages;
import io.meshagent.traffic.HttpHeader;
import io.meshagent.traffic.HttpProtocol;
import io.meshagent.traffic.InboundContext;
import io.meshagent.traffic.MeshHttpHandler;
import io.meshagent.traffic.MeshHttpRequest;
import io.meshagent.traffic.MeshHttpResponse;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.opentelemetry.context.Scope;
import java.net.InetAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the HTTP requests of one inbound connection (HTTP/1.1) or stream (HTTP/2): the HTTP
 * connection manager's RBAC filters, in order, as Envoy runs them; a denial is Envoy's {@code 403
 * RBAC: access denied}; then the app's handler. A handler that fails or throws gives a 500; a check
 * that cannot be evaluated denies.
 */
final class HttpInbound extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(HttpInbound.class);

  private final @Nullable HttpConnectionManager hcm;
  private final MeshHttpHandler handler;
  private final Connection connection;
  private final boolean http2;
  private final int maxBody;
  private final Telemetry telemetry;

  /**
   * What the requests of one connection share; {@code startNanos} is when it was accepted (an HBONE
   * stream: when its CONNECT came), a {@link System#nanoTime}.
   */
  record Connection(
      @Nullable SpiffeId peer,
      InetAddress sourceIp,
      int sourcePort,
      InetAddress destinationIp,
      int destinationPort,
      String serverName,
      String transport,
      @Nullable String tunnelBaggage,
      String inboundCluster,
      long startNanos) {}

  HttpInbound(
      @Nullable HttpConnectionManager hcm,
      MeshHttpHandler handler,
      Connection connection,
      boolean http2,
      int maxBody,
      Telemetry telemetry) {
    this.telemetry = telemetry;
    this.hcm = hcm;
    this.handler = handler;
    this.connection = connection;
    this.http2 = http2;
    this.h2Body = new BodyBuffer(maxBody);
    this.maxBody = maxBody;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof FullHttpRequest req) {
        onHttp1(ctx, req);
      } else if (msg instanceof Http2HeadersFrame f) {
        onHttp2Headers(ctx, f);
      } else if (msg instanceof Http2DataFrame f) {
        onHttp2Data(ctx, f);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onHttp1(ChannelHandlerContext ctx, FullHttpRequest req) {
    if (req.decoderResult().isFailure()) {
      log.info(
          "inbound request from {} is malformed: {}",
          connection.sourceIp().getHostAddress(),
          req.decoderResult().cause().toString());
      respond(ctx, MeshHttpResponse.of(400, "malformed request"), false);
      return;
    }
    MeshHttpRequest received;
    try {
      received = toMesh(req);
    } catch (IllegalArgumentException e) {
      respond(ctx, MeshHttpResponse.of(400, "bad request: " + e.getMessage()), false);
      return;
    }
    serve(ctx, received, null, HttpUtil.isKeepAlive(req));
  }

  // One stream, one request: its header block, DATA frames and maybe trailers (not kept).
  private @Nullable Http2Headers h2Headers;
  private final BodyBuffer h2Body;
  private boolean h2Done;

  private void onHttp2Headers(ChannelHandlerContext ctx, Http2HeadersFrame f) {
    if (h2Done) {
      return;
    }
    if (h2Headers == null) {
      Http2Headers h = f.headers();
      h2Headers = h;
      CharSequence expect = h.get(EXPECT);
      if (expect != null && !f.isEndStream()) {
        // As Envoy's connection manager: it answers 100-continue itself and the app never sees
        // the expectation (a client waiting for the 100 would otherwise stall).
        h.remove(EXPECT);
        if (AsciiString.contentEqualsIgnoreCase(expect, CONTINUE)) {
          long declared = h.getLong(CONTENT_LENGTH, -1L);
          if (declared > maxBody) {
            h2Done = true;
            respond(ctx, MeshHttpResponse.of(413, "Payload Too Large"), false);
            return;
          }
          ctx.writeAndFlush(
              new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status(CONTINUE_STATUS)));
        }
      }
    }
    if (f.isEndStream()) {
      endHttp2(ctx);
    }
  }

  private static final AsciiString EXPECT = AsciiString.cached("expect");
  private static final AsciiString CONTINUE = AsciiString.cached("100-continue");
  private static final AsciiString CONTINUE_STATUS = AsciiString.cached("100");
  private static final AsciiString CONTENT_LENGTH = AsciiString.cached("content-length");

  /** The multiplexer delivers RST_STREAM as a user event: the client gave up on the request. */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof Http2ResetFrame) {
      h2Body.release();
      h2Done = true;
    }
    super.userEventTriggered(ctx, evt);
  }

  private void onHttp2Data(ChannelHandlerContext ctx, Http2DataFrame f) {
    if (h2Done) {
      return;
    }
    if (h2Headers == null) {
      h2Done = true;
      respond(ctx, MeshHttpResponse.of(400, "bad request: DATA before headers"), false);
    } else if (!h2Body.add(f.content())) {
      h2Done = true;
      h2Body.release();
      respond(ctx, MeshHttpResponse.of(413, "Payload Too Large"), false);
    } else if (f.isEndStream()) {
      endHttp2(ctx);
    }
  }

  private void endHttp2(ChannelHandlerContext ctx) {
    h2Done = true;
    MeshHttpRequest received;
    ReceivedFields noted = telemetry.isEnabled() ? new ReceivedFields() : null;
    try {
      received = Http2Messages.request(h2Headers, h2Body.take(), noted);
    } catch (IllegalArgumentException e) {
      log.info(
          "inbound request from {} is malformed: {}",
          connection.sourceIp().getHostAddress(),
          e.getMessage());
      respond(ctx, MeshHttpResponse.of(400, "bad request: " + e.getMessage()), false);
      return;
    }
    serve(ctx, received, noted, true);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    h2Body.release();
    super.channelInactive(ctx);
  }

  /**
   * @param noted what the decoder noted of the request's fields for telemetry (the request is then
   *     without the metadata-exchange fields), or null
   */
  private void serve(
      ChannelHandlerContext ctx,
      MeshHttpRequest received,
      @Nullable ReceivedFields noted,
      boolean keepAlive) {
    InboundContext context =
        new InboundContext(
            connection.peer(),
            connection.sourceIp().getHostAddress() + ":" + connection.sourcePort(),
            connection.transport());
    Telemetry.Inbound t =
        telemetry.inbound(
            received, noted, context, connection.tunnelBaggage(), connection.inboundCluster());
    t.downstreamLocal(connection.destinationIp(), connection.destinationPort());
    MeshHttpRequest request = t.request();
    JwtDecision jwt = authenticate(request);
    if (jwt instanceof JwtDecision.Denied d) {
      log.info(
          "inbound {} {} from {} ({}) refused by JWT provider {}: {}",
          request.method(),
          request.path(),
          connection.sourceIp().getHostAddress(),
          connection.peer(),
          d.provider(),
          d.reason());
      respond(
          ctx,
          t.finish(
              MeshHttpResponse.of(d.status(), d.reason())
                  .withHeaders(
                      List.of(
                          new HttpHeader("content-type", "text/plain"),
                          new HttpHeader("www-authenticate", d.wwwAuthenticate()))),
              "",
              ResponseCodeDetails.jwtDenied(d.reason())),
          keepAlive);
      return;
    }
    JwtDecision.Allowed allowed = (JwtDecision.Allowed) jwt;
    if (!allowed.requestHeadersToRemove().isEmpty() || !allowed.requestHeadersToAdd().isEmpty()) {
      request =
          request.toBuilder()
              .headers(
                  HeaderEdits.apply(
                      request.headers(),
                      allowed.requestHeadersToRemove(),
                      allowed.requestHeadersToAdd()))
              .build();
    }
    AuthzDecision denied = authorize(request, allowed);
    if (denied != null) {
      log.info(
          "inbound {} {} from {} ({}) denied: {}",
          request.method(),
          request.path(),
          connection.sourceIp().getHostAddress(),
          connection.peer(),
          denied.reason());
      respond(
          ctx,
          t.finish(
              MeshHttpResponse.of(403, "RBAC: access denied"),
              "",
              ResponseCodeDetails.rbacDenied(denied.policy())),
          keepAlive);
      return;
    }
    MeshHttpRequest admitted = request;
    CompletableFuture<MeshHttpResponse> answer;
    Scope span = t.makeSpanCurrent();
    try {
      answer = handler.handle(admitted, context);
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    } finally {
      span.close();
    }
    AppForwarder.Forwarded forwarded =
        answer instanceof AppForwarder.Forwarded f ? f : null; // the app behind a port it forwards
    answer.whenComplete(
        (resp, err) ->
            Loops.run(
                ctx.executor(),
                () -> {
                  if (forwarded != null) {
                    t.forwardedTo(forwarded.app, forwarded.local);
                  }
                  if (!ctx.channel().isActive()) {
                    // The caller went away (its FIN or reset closed the connection or stream):
                    // nothing can be sent, and the request is Envoy's 0 DC, not the app's answer.
                    t.abandoned();
                    return;
                  }
                  if (err != null || resp == null) {
                    log.warn("handler for {} failed", admitted, err);
                    respond(
                        ctx, t.finish(MeshHttpResponse.of(500, "handler failed"), ""), keepAlive);
                  } else {
                    // Flags only on the forwarder's own 503s (the app could not answer).
                    String flags = resp.responseFlags();
                    respond(
                        ctx,
                        t.finish(
                            resp,
                            flags,
                            flags.isEmpty()
                                ? ResponseCodeDetails.VIA_UPSTREAM
                                : ResponseCodeDetails.ofReset(flags)),
                        keepAlive);
                  }
                }));
  }

  /**
   * The {@code jwt_authn} filter's decision: a token that does not verify is refused (401); a
   * request without one goes on, to be judged by RBAC. A provider that cannot be evaluated refuses.
   */
  private JwtDecision authenticate(MeshHttpRequest request) {
    if (hcm == null || hcm.jwtProviders().isEmpty()) {
      return NO_JWT;
    }
    try {
      return JwtAuthenticator.of(hcm)
          .authenticate(HttpMessages.requestHeaders(request), Clock.systemUTC());
    } catch (RuntimeException e) {
      return new JwtDecision.Denied(
          401, "Jwt verification fails: " + e.getMessage(), "Bearer error=\"invalid_token\"", "");
    }
  }

  private static final JwtDecision NO_JWT =
      new JwtDecision.Allowed(null, null, List.of(), List.of(), List.of());

  /** The decision that denies the request, or null when it is allowed. */
  private @Nullable AuthzDecision authorize(MeshHttpRequest request, JwtDecision.Allowed jwt) {
    if (hcm == null || hcm.rbacFilters().isEmpty()) {
      return null;
    }
    try {
      Map<String, List<String>> headers = new HashMap<>();
      for (HttpHeader h : request.headers()) {
        headers.computeIfAbsent(h.name(), k -> new ArrayList<>()).add(h.value());
      }
      AuthzRequest az =
          AuthzRequest.tcp(
                  connection.peer(),
                  connection.sourceIp(),
                  connection.destinationIp(),
                  connection.destinationPort(),
                  connection.serverName())
              .withHttp(
                  new AuthzRequest.Http(
                      request.method(), request.path(), request.authority(), headers));
      az = jwt.applyTo(az);
      AuthzDecision d = Authorizer.evaluateChain(hcm.rbacFilters(), az);
      return d.allowed() ? null : d;
    } catch (RuntimeException e) {
      return AuthzDecision.failedClosed(e);
    }
  }

  private MeshHttpRequest toMesh(FullHttpRequest req) {
    String authority = req.headers().get(HttpHeaderNames.HOST, "");
    MeshHttpRequest.Builder b =
        MeshHttpRequest.builder(req.method().name(), authority, req.uri())
            .protocol(http2 ? HttpProtocol.HTTP_2 : HttpProtocol.HTTP_1_1)
            .body(ByteBufUtil.getBytes(req.content()));
    for (HttpHeader h : HttpMessages.headers(req.headers())) {
      if (!h.name().equals("host")) {
        b.header(h.name(), h.value());
      }
    }
    return b.build();
  }

  private void respond(ChannelHandlerContext ctx, MeshHttpResponse resp, boolean keepAlive) {
    if (http2) {
      var f =
          Http2Messages.write(
              ctx,
              Http2Messages.responseHeaders(resp, telemetry.ownFields()),
              resp.bodyBuffer(),
              resp.trailers());
      ctx.flush();
      if (!keepAlive) {
        f.addListener(ChannelFutureListener.CLOSE);
      }
      return;
    }
    FullHttpResponse r =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(resp.status()),
            Unpooled.wrappedBuffer(resp.bodyBuffer()));
    OwnFields own = telemetry.ownFields();
    for (HttpHeader h : resp.headers()) {
      if (!h.name().equals("content-length")
          && !h.name().equals("connection")
          && !h.name().equals("transfer-encoding")
          && (own == null || !OwnFields.isExchangeField(h.name()))) {
        r.headers().add(h.name(), h.value());
      }
    }
    if (own != null) {
      own.addTo(r.headers());
    }
    r.headers().set(HttpHeaderNames.CONTENT_LENGTH, resp.bodyLength());
    if (!http2) {
      r.headers()
          .set(
              HttpHeaderNames.CONNECTION,
              keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
    }
    var f = ctx.writeAndFlush(r);
    if (!keepAlive) {
      f.addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("inbound HTTP from {} failed: {}", connection.sourceIp(), cause.toString());
    ctx.close();
  }
}
