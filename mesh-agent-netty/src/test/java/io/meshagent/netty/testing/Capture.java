package io.meshagent.netty.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.ByteArrayOutputStream;

/**
 * The last handler of a test pipeline: keeps a copy of the bytes it reads, releases the buffers.
 */
public class Capture extends ChannelInboundHandlerAdapter {
  public final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf b = (ByteBuf) msg;
    try {
      bytes.writeBytes(ByteBufUtil.getBytes(b));
    } finally {
      b.release();
    }
  }
}
