package io.meshagent.netty.internal.hbone;

import io.meshagent.netty.internal.tls.PeerIdentity;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Sends one CONNECT ({@code :method} and {@code :authority} only) on a new stream and completes the
 * future with the tunnel on a 200, or fails it with the status on anything else. On the 200 it
 * hands the stream over to a {@link TunnelCodec}, which holds data until the caller reads. One
 * instance per stream.
 */
final class ClientStreamHandler extends ChannelInboundHandlerAdapter {
  private final String authority;
  private final CompletableFuture<HboneTunnel> result;

  private final @Nullable String baggage;

  ClientStreamHandler(
      String authority, @Nullable String baggage, CompletableFuture<HboneTunnel> result) {
    this.baggage = baggage;
    this.authority = authority;
    this.result = result;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    sendConnect(ctx);
    super.channelActive(ctx);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      sendConnect(ctx);
    }
  }

  private boolean sent;

  private void sendConnect(ChannelHandlerContext ctx) {
    if (sent) {
      return;
    }
    sent = true;
    ctx.writeAndFlush(new DefaultHttp2HeadersFrame(connectHeaders(), false))
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                fail(ctx, "CONNECT " + authority + " could not be sent: " + f.cause(), 0);
              }
            });
  }

  private DefaultHttp2Headers connectHeaders() {
    DefaultHttp2Headers h = new DefaultHttp2Headers();
    h.method("CONNECT").authority(authority);
    if (baggage != null) {
      h.add("baggage", baggage);
    }
    return h;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof Http2HeadersFrame headers) {
      CharSequence status = headers.headers().status();
      if (status != null && "200".contentEquals(status) && !headers.isEndStream()) {
        CharSequence peerBaggage = headers.headers().get("baggage");
        if (peerBaggage != null) {
          // ztunnel's (and our) answer names the destination workload: for the source's labels.
          ctx.channel().attr(HboneTunnel.BAGGAGE).set(peerBaggage.toString());
        }
        ctx.channel().config().setAutoRead(false);
        ctx.pipeline().replace(this, null, new TunnelCodec());
        if (!result.complete(new HboneTunnel((Http2StreamChannel) ctx.channel()))) {
          ctx.close();
        }
        return;
      }
      int code = parse(status);
      fail(ctx, "CONNECT " + authority + " refused with status " + status, code);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof Http2ResetFrame reset) {
      fail(ctx, "CONNECT " + authority + " reset by the server: code " + reset.errorCode(), 0);
    }
    super.userEventTriggered(ctx, evt);
  }

  private static int parse(CharSequence status) {
    try {
      return status == null ? 0 : Integer.parseInt(status.toString());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private void fail(ChannelHandlerContext ctx, String message, int status) {
    result.completeExceptionally(new HboneException(message, status));
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    result.completeExceptionally(
        new HboneException(
            "CONNECT "
                + authority
                + ": stream closed before an answer"
                + PeerIdentity.tlsFailure(ctx.channel().parent()),
            0));
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(ctx, "CONNECT " + authority + " failed: " + cause, 0);
  }
}
