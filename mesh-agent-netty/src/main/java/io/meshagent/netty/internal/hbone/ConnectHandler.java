package io.meshagent.netty.internal.hbone;

import io.meshagent.identity.SpiffeId;
import io.meshagent.netty.internal.ReadSize;
import io.meshagent.netty.internal.tls.PeerIdentity;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one HBONE CONNECT on its {@code Http2StreamChannel}, in ztunnel's order ({@code
 * src/proxy/inbound.rs}): request checks (400), authorization (401), upstream connect (503), then
 * 200 and the byte pump ({@link Relay}). Frames arriving before the 200 are held (and released if
 * the stream is refused or goes away). Every refusal is logged with the peer and the reason, and
 * ends only this stream. One instance per stream.
 *
 * <p>The rules, and where they differ from ztunnel:
 *
 * <ul>
 *   <li>{@code :method} must be CONNECT (400), as ztunnel's {@code build_inbound_request}.
 *   <li>{@code :scheme} or {@code :path} present: 400. ztunnel never sees such a request: its h2
 *       library resets a non-extended CONNECT carrying them as malformed (RST_STREAM
 *       PROTOCOL_ERROR). Either way the client gets no tunnel.
 *   <li>{@code :authority} must be a literal {@code ip:port} or {@code [v6]:port} (400). ztunnel
 *       also accepts {@code hostname:port} (a service name, from gateways) and resolves it through
 *       its service registry; there is none here, so a name is a 400.
 *   <li>The authority IP must equal the connection's local (destination) IP, both canonical
 *       (IPv4-mapped IPv6 as IPv4), else 400: ztunnel's {@code validate_destination}. ztunnel lets
 *       a mismatch through only when the local workload has an application tunnel (PROXY protocol)
 *       or the authority's workload/service names this workload as its waypoint; this server has
 *       neither, so a mismatch is always refused.
 *   <li>Self-call: the port of the destination is checked against 15001, 15006 and 15008 (400),
 *       after the IP check, as ztunnel checks its {@code illegal_ports} on the resolved target (for
 *       an {@code ip:port} authority, its port).
 *   <li>Authorization (401) comes after all request checks, then the upstream connect (503); the
 *       200 is sent only once the upstream socket is connected. ztunnel connects to the destination
 *       IP with the authority's port; this server connects where {@code upstream} maps the
 *       authority (by default 127.0.0.1 and the same port), since the app shares the host rather
 *       than a pod network namespace.
 * </ul>
 */
final class ConnectHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ConnectHandler.class);

  private final HboneServer.Config config;
  private final ArrayDeque<Object> early = new ArrayDeque<>();
  private boolean started;
  private @Nullable Channel upstream;

  ConnectHandler(HboneServer.Config config) {
    this.config = config;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!started && msg instanceof Http2HeadersFrame headers) {
      started = true;
      connect(ctx, headers.headers());
    } else if (started) {
      early.add(msg);
    } else {
      ReferenceCountUtil.release(msg);
      ctx.close();
    }
  }

  private void connect(ChannelHandlerContext ctx, Http2Headers h) {
    Channel connection = ctx.channel().parent();
    SpiffeId peer = connection.attr(PeerIdentity.PEER).get();
    String authority = h.authority() == null ? null : h.authority().toString();
    if (!"CONNECT".contentEquals(h.method() == null ? "" : h.method())) {
      refuse(ctx, peer, authority, 400, "method " + h.method() + ", not CONNECT");
      return;
    }
    if (h.scheme() != null || h.path() != null) {
      refuse(ctx, peer, authority, 400, "a CONNECT with :scheme or :path");
      return;
    }
    InetSocketAddress destination = Authority.parse(authority);
    if (destination == null) {
      refuse(ctx, peer, authority, 400, "authority is not ip:port");
      return;
    }
    // ztunnel's validate_destination: the authority IP must be the IP the client connected to.
    InetSocketAddress local = (InetSocketAddress) connection.localAddress();
    if (!Authority.canonical(local.getAddress())
        .equals(Authority.canonical(destination.getAddress()))) {
      refuse(
          ctx,
          peer,
          authority,
          400,
          "authority IP differs from the connection's destination " + local.getAddress());
      return;
    }
    // ztunnel blocks the ports it listens on; ours is the one this CONNECT came in on, wherever
    // the HBONE server was bound.
    if (HboneSettings.SELF_CALL_PORTS.contains(destination.getPort())
        || destination.getPort() == local.getPort()) {
      refuse(ctx, peer, authority, 400, "self-call to port " + destination.getPort());
      return;
    }
    if (peer == null || !authorized(peer, destination)) {
      refuse(ctx, peer, authority, 401, "denied by policy");
      return;
    }
    java.util.function.Consumer<Channel> localService;
    try {
      localService = config.local().serve(destination);
    } catch (RuntimeException e) {
      refuse(ctx, peer, authority, 503, "local service failed: " + e);
      return;
    }
    if (localService != null) {
      CharSequence baggage = h.get("baggage");
      if (baggage != null) {
        ctx.channel().attr(HboneTunnel.BAGGAGE).set(baggage.toString());
      }
      serveLocally(ctx, localService);
      return;
    }
    InetSocketAddress target;
    try {
      target = config.upstream().apply(destination);
    } catch (RuntimeException e) {
      refuse(ctx, peer, authority, 503, "no upstream: " + e);
      return;
    }
    ctx.channel().config().setAutoRead(false); // hold the client until the upstream answers
    ChannelFuture f =
        new Bootstrap()
            .group(ctx.channel().eventLoop())
            .channel(NioSocketChannel.class)
            .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .option(ChannelOption.AUTO_READ, false)
            .option(ChannelOption.RECVBUF_ALLOCATOR, ReadSize.allocator())
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, config.connectTimeoutMillis())
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {}
                })
            .connect(target);
    upstream = f.channel();
    f.addListener(
        x -> {
          if (!x.isSuccess()) {
            refuse(ctx, peer, authority, 503, "upstream " + target + ": " + x.cause());
          } else if (!ctx.channel().isActive()) {
            f.channel().close();
          } else {
            established(ctx, f.channel());
          }
        });
  }

  private boolean authorized(SpiffeId peer, InetSocketAddress destination) {
    try {
      return config.authorizer().allow(peer, destination);
    } catch (RuntimeException e) {
      log.warn("HBONE authorizer failed for {} -> {}; denying", peer, destination, e);
      return false;
    }
  }

  private void serveLocally(ChannelHandlerContext ctx, java.util.function.Consumer<Channel> local) {
    ctx.channel().config().setAutoRead(false);
    ctx.writeAndFlush(new DefaultHttp2HeadersFrame(accepted()));
    ctx.pipeline().addLast(new TunnelCodec());
    for (Object msg; (msg = early.poll()) != null; ) {
      ctx.fireChannelRead(msg); // into the codec, which holds it until the first read()
    }
    ctx.pipeline().remove(this);
    local.accept(ctx.channel());
  }

  // The 200, with our workload's baggage when we have it, as ztunnel answers.
  private DefaultHttp2Headers accepted() {
    DefaultHttp2Headers h = new DefaultHttp2Headers();
    h.status("200");
    String baggage = null;
    try {
      baggage = config.baggage().get();
    } catch (RuntimeException e) {
      log.debug("no baggage for the CONNECT answer", e);
    }
    if (baggage != null && isFieldValue(baggage)) {
      h.add("baggage", baggage);
    } else if (baggage != null) {
      log.debug("baggage for the CONNECT answer is not a valid field value; left out: {}", baggage);
    }
    return h;
  }

  // Visible ASCII and space only: a CR, LF or NUL would make the peer reset the stream, and other
  // characters would not survive HTTP/2's Latin-1 header encoding. PeerBaggage percent-encodes.
  private static boolean isFieldValue(String v) {
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }

  private void established(ChannelHandlerContext ctx, Channel socket) {
    ctx.writeAndFlush(new DefaultHttp2HeadersFrame(accepted()));
    new Relay.Pair(ctx.channel(), socket).install(new TunnelCodec());
    for (Object msg; (msg = early.poll()) != null; ) {
      ctx.fireChannelRead(msg); // into the codec, which holds it until the first read()
    }
    ctx.pipeline().remove(this);
    ctx.channel().config().setAutoRead(true);
    socket.config().setAutoRead(true);
  }

  private void refuse(
      ChannelHandlerContext ctx,
      @Nullable SpiffeId peer,
      @Nullable String authority,
      int status,
      String reason) {
    Channel connection = ctx.channel().parent();
    log.warn(
        "HBONE CONNECT from {} ({}) to {} refused with {}: {}",
        connection.remoteAddress(),
        peer,
        authority,
        status,
        reason);
    if (!ctx.channel().isActive()) {
      return;
    }
    ctx.write(
        new DefaultHttp2HeadersFrame(
            new DefaultHttp2Headers().status(String.valueOf(status)), true));
    // The answer is complete; the request side is not needed (RFC 9113 §8.1).
    ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR));
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (upstream != null) {
      upstream.close(); // the client went away while we were connecting
    }
    super.channelInactive(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    for (Object msg; (msg = early.poll()) != null; ) {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("HBONE stream {} failed: {}", ctx.channel(), cause.toString());
    ctx.close();
  }
}
