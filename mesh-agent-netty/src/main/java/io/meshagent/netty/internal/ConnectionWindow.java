package io.meshagent.netty.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2FrameCodec;

/**
 * Raises an HTTP/2 connection's receive window from the protocol's 64 KiB to {@link #CONNECTION}
 * with one WINDOW_UPDATE on stream 0 (SETTINGS only sets stream windows, {@link #STREAM}), once the
 * codec is on an active channel. With 64 KiB, a connection carrying dozens of concurrent requests
 * waited for the peer's WINDOW_UPDATE every few dozen kilobytes; Envoy's own defaults are larger
 * still (256 MiB). Added after the codec; messages pass through.
 */
public final class ConnectionWindow extends ChannelInboundHandlerAdapter {
  /** Stream flow-control window: 4 MiB (HBONE's, and the data plane's other HTTP/2). */
  public static final int STREAM = 4 * 1024 * 1024;

  /** Connection flow-control window: 16 MiB. */
  public static final int CONNECTION = 16 * 1024 * 1024;

  private boolean raised;

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      raise(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    raise(ctx);
    super.channelActive(ctx);
  }

  private void raise(ChannelHandlerContext ctx) {
    if (raised) {
      return;
    }
    raised = true;
    // Relative to the window now: Netty may already have raised it when it sent the preface.
    Http2Connection connection = ctx.pipeline().get(Http2FrameCodec.class).connection();
    int now = connection.local().flowController().initialWindowSize(connection.connectionStream());
    if (now < CONNECTION) {
      ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(CONNECTION - now));
    }
  }
}
