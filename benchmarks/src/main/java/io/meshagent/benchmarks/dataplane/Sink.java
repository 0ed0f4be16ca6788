package io.meshagent.benchmarks.dataplane;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * The bulk sink, per connection: reads an 8-byte length {@code n}, then discards {@code n} bytes
 * and answers with the count received (8 bytes). The client's clock stops when it reads the answer,
 * so a transfer is timed to the last byte arriving. Releases every buffer it reads.
 */
final class Sink extends ChannelInboundHandlerAdapter {
  private int headerBytes;
  private long expected;
  private long received;
  private boolean answered;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf buf)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    try {
      while (headerBytes < Long.BYTES && buf.isReadable()) {
        expected = (expected << 8) | buf.readUnsignedByte();
        headerBytes++;
      }
      received += buf.readableBytes();
    } finally {
      buf.release();
    }
    if (!answered && headerBytes == Long.BYTES && received >= expected) {
      answered = true;
      ctx.writeAndFlush(ctx.alloc().buffer(Long.BYTES).writeLong(received));
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close(); // the client sees the closed connection and reports it
  }
}
