package io.meshagent.netty.internal.observe;

import io.meshagent.core.internal.telemetry.metrics.TcpConnectionMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * Counts the bytes of a proxied connection for {@code istio_tcp_received_bytes_total} (read from
 * the peer) and {@code istio_tcp_sent_bytes_total} (written to it), reported per read batch and per
 * write: counters only, no lock.
 */
public final class ByteCounter extends ChannelDuplexHandler {
  private final TcpConnectionMetrics metrics;
  private long received;

  public ByteCounter(TcpConnectionMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf b) {
      received += b.readableBytes();
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (received > 0) {
      metrics.recordBytes(0, received);
      received = 0;
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof ByteBuf b && b.isReadable()) {
      metrics.recordBytes(b.readableBytes(), 0);
    }
    ctx.write(msg, promise);
  }
}
