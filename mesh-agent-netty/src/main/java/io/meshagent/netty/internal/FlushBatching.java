package io.meshagent.netty.internal;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.flush.FlushConsolidationHandler;

/**
 * Flushes of an HTTP/2 connection gathered into one per event-loop turn, placed between the TLS
 * handler and the HTTP/2 codec: every stream flushes its own message, and without this each flush
 * was a TLS record and a {@code writev} of its own. Under load the responses and requests of many
 * streams now leave in one; a lone message leaves at the end of the turn that wrote it.
 */
public final class FlushBatching {
  private FlushBatching() {}

  /**
   * Adds the handler to a connection's pipeline, unless the connection runs inside an HBONE tunnel
   * (an HTTP/2 stream): the tunnel's own connection batches its flushes, and the tunnel's codec
   * gathers what was written between flushes; a second deferral inside only delayed each message by
   * another event-loop turn.
   */
  public static void addUnlessTunnelled(Channel ch) {
    if (!(ch instanceof Http2StreamChannel)) {
      ch.pipeline().addLast(handler());
    }
  }

  /** A new handler (it holds per-connection state). */
  public static FlushConsolidationHandler handler() {
    return new FlushConsolidationHandler(
        FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true);
  }
}
