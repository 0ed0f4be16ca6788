package io.meshagent.netty.internal.inbound;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Holds what arrives (bytes and events) while the next stage is being set up asynchronously, then
 * replays it in order to the handlers added after it and leaves; released if the channel ends
 * first. Nothing the peer sent is dropped.
 */
final class Hold extends ChannelInboundHandlerAdapter {
  private final ArrayDeque<Object> held = new ArrayDeque<>();

  private record Event(Object evt) {}

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    held.add(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {}

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    held.add(new Event(evt));
  }

  /** Replays and removes itself; on the channel's event loop. */
  void release(ChannelHandlerContext ctx) {
    boolean any = !held.isEmpty();
    for (Object o; (o = held.poll()) != null; ) {
      if (o instanceof Event e) {
        ctx.fireUserEventTriggered(e.evt());
      } else {
        ctx.fireChannelRead(o);
      }
    }
    if (any) {
      ctx.fireChannelReadComplete();
    }
    ctx.pipeline().remove(this);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    for (Object o; (o = held.poll()) != null; ) {
      ReferenceCountUtil.release(o);
    }
  }
}
