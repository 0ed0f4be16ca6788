package io.meshagent.netty.internal.hbone;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.util.ReferenceCountUtil;

/**
 * Raises the connection's receive window from HTTP/2's 64 KiB to 16 MiB with one WINDOW_UPDATE on
 * stream 0 (SETTINGS only sets stream windows), and releases the connection-level frames nobody
 * else consumed (SETTINGS, GOAWAY, ...). Last on the connection pipeline; one per connection.
 */
final class ConnectionWindow extends ChannelInboundHandlerAdapter {
  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    // Relative to the window now: Netty may already have raised it when it sent the preface.
    Http2Connection connection = ctx.pipeline().get(Http2FrameCodec.class).connection();
    int now = connection.local().flowController().initialWindowSize(connection.connectionStream());
    if (now < HboneSettings.CONNECTION_WINDOW) {
      ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(HboneSettings.CONNECTION_WINDOW - now));
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ReferenceCountUtil.release(msg);
  }
}
