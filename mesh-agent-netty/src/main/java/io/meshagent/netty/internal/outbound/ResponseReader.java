package io.meshagent.netty.internal.outbound;

import io.meshagent.netty.internal.hbone.HboneTunnel;
import io.meshagent.netty.internal.tls.PeerIdentity;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;

/**
 * Completes the current {@link Exchange} with the aggregated response on an HTTP/1.1 connection,
 * one exchange after another, and fails it when the connection ends first. HTTP/2 streams have
 * {@link Http2ResponseReader}.
 */
final class ResponseReader extends ChannelInboundHandlerAdapter {
  private volatile @Nullable Runnable onIdle;
  private @Nullable Exchange current;
  private boolean keepAlive = true;

  /** Called on the event loop after each response that leaves the connection reusable. */
  void onIdle(Runnable r) {
    onIdle = r;
  }

  /** Starts an exchange; on the channel's event loop. */
  void begin(Exchange e) {
    current = e;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Exchange e = current;
    if (!(msg instanceof FullHttpResponse r) || e == null) {
      ReferenceCountUtil.release(msg);
      ctx.close(); // an answer nobody asked for: the connection is out of step
      return;
    }
    try {
      current = null;
      keepAlive = HttpUtil.isKeepAlive(r);
      e.tunnelBaggage = HboneTunnel.baggageOf(ctx.channel());
      e.response.complete(HttpMessages.fromNetty(r, ctx.channel().attr(PeerIdentity.PEER).get()));
    } finally {
      r.release();
    }
    Runnable idle = onIdle;
    if (keepAlive && idle != null) {
      idle.run();
    } else if (!keepAlive) {
      ctx.close();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    failCurrent("upstream connection closed before the response was complete");
    super.channelInactive(ctx);
  }

  // Every way this reader fails is the connection ending under the request (Envoy's UC).

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
      // The upstream half-closed: whatever follows cannot be a response.
      failCurrent("upstream half-closed before the response was complete");
      ctx.close();
      return;
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    failCurrent("upstream failed: " + cause.getMessage());
    ctx.close();
  }

  private void failCurrent(String why) {
    Exchange e = current;
    current = null;
    if (e != null) {
      e.response.completeExceptionally(UpstreamResetException.connectionEnded(why));
    }
  }
}
