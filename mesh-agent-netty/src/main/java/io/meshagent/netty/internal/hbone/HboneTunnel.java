package io.meshagent.netty.internal.hbone;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http2.Http2StreamChannel;

/**
 * An established HBONE tunnel (the CONNECT got its 200): a byte pipe over one HTTP/2 stream.
 *
 * <p>The channel's pipeline starts with a {@link TunnelCodec}: handlers added after it read {@link
 * ByteBuf}s (they own each one and must release it) and see {@link
 * ChannelInputShutdownEvent#INSTANCE} when the server half-closed (END_STREAM, or RST_STREAM
 * NO_ERROR/CANCEL). Writing a {@link ByteBuf} passes its ownership to the channel. Reading is off
 * until you ask: {@link #start} adds your handler and turns reading on, on the channel's event
 * loop; nothing that arrived before is lost. (Doing both by hand from another thread races: the
 * event loop may read before the handler is added.) Closing the channel resets the stream (CANCEL)
 * if it is not finished.
 */
public final class HboneTunnel {
  /**
   * The peer's {@code baggage}: on a served stream, the CONNECT's; on a stream we opened, the 200's
   * (ztunnel 1.30 and the agent answer with theirs).
   */
  public static final io.netty.util.AttributeKey<String> BAGGAGE =
      io.netty.util.AttributeKey.valueOf("mesh-agent.hbone-baggage");

  /**
   * The peer's {@code baggage} on {@code ch}, or null: a channel that is no tunnel has none, and
   * asking with {@code attr()} would add an entry to it (to every stream on the mTLS path).
   */
  public static @org.jspecify.annotations.Nullable String baggageOf(io.netty.channel.Channel ch) {
    return ch.hasAttr(BAGGAGE) ? ch.attr(BAGGAGE).get() : null;
  }

  private final Http2StreamChannel channel;

  HboneTunnel(Http2StreamChannel channel) {
    this.channel = channel;
  }

  /** The stream; its parent is the pooled HBONE connection. */
  public Http2StreamChannel channel() {
    return channel;
  }

  /** Adds {@code handler} after the tunnel codec, then starts reading, on the event loop. */
  public void start(ChannelHandler handler) {
    channel
        .eventLoop()
        .execute(
            () -> {
              channel.pipeline().addLast(handler);
              channel.config().setAutoRead(true);
            });
  }

  /** Writes and flushes {@code data}; its ownership passes to the tunnel. */
  public ChannelFuture writeAndFlush(ByteBuf data) {
    return channel.writeAndFlush(data);
  }

  /** Half-closes: sends END_STREAM after the data written before. Reading goes on. */
  public ChannelFuture shutdownOutput() {
    return channel.writeAndFlush(TunnelCodec.END_STREAM);
  }
}
