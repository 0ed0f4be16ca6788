package io.meshagent.netty.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2StreamChannel;

/**
 * How an HTTP/2 connection's flushes become writes: gathered, and written once about a TLS record's
 * worth is waiting ({@link ConnectionFlushes#BYTES_PER_WRITE}) or at the end of the read loop or
 * event-loop turn that asked for them. The connection's handler ({@link #handler()}) sits between
 * the TLS handler and the HTTP/2 codec; each stream passes its flushes on to it ({@link
 * #stream()}).
 *
 * <p>Why both. Every stream flushes its own message, and without gathering each flush was a TLS
 * record and a {@code writev} of its own. But Netty drops a stream's flush while its connection is
 * in a read loop and flushes the connection once at the end of it, so the answers to everything one
 * read brought in left in one write: the peer sat idle while this side produced them, then this
 * side while the peer worked, and with 64 requests outstanding the two event loops took turns
 * instead of working at once. Passed on and counted in bytes, the first answers leave while the
 * rest are produced. In alternating runs at 64 outstanding: plain TLS 92,000–98,000 requests/s
 * against 72,000–76,000, the agent over Istio mTLS 89,000–100,000 against 78,000–84,000, over HBONE
 * 63,000–73,000 against 49,000–58,000, CPU per request within the runs' spread.
 */
public final class FlushBatching {
  private FlushBatching() {}

  /**
   * Adds the handler to a connection's pipeline, unless the connection runs inside an HBONE tunnel
   * (an HTTP/2 stream): the tunnel's own connection gathers the flushes, and the tunnel's codec
   * what was written between them; a second deferral inside only delayed each message by another
   * event-loop turn.
   */
  public static void addUnlessTunnelled(Channel ch) {
    if (!(ch instanceof Http2StreamChannel)) {
      ch.pipeline().addLast(handler());
    }
  }

  /** A new connection handler (it holds per-connection state). */
  public static ChannelHandler handler() {
    return new ConnectionFlushes();
  }

  /**
   * The handler that passes a stream's flushes on to its connection; first in the stream's
   * pipeline, so that it sees every handler's flush. Shared.
   */
  public static ChannelHandler stream() {
    return StreamFlushes.INSTANCE;
  }

  @ChannelHandler.Sharable
  private static final class StreamFlushes extends ChannelOutboundHandlerAdapter {
    static final StreamFlushes INSTANCE = new StreamFlushes();

    // The connection's flush covers the stream's: a stream writes straight into its connection's
    // pipeline. Not flushing the stream as well keeps one flush per message; the stream's own,
    // which Netty still runs at the end of a read loop, then finds nothing new.
    @Override
    public void flush(ChannelHandlerContext ctx) {
      Channel connection = ctx.channel().parent();
      if (connection != null) {
        connection.flush();
      } else {
        ctx.flush();
      }
    }
  }
}
