package io.meshagent.netty.internal.hbone;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameLogger;
import io.netty.handler.logging.LogLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs the streams a connection's peer opened beyond MAX_CONCURRENT_STREAMS. Netty refuses them
 * itself (RST_STREAM REFUSED_STREAM) before any handler sees them, and says so only at DEBUG; this
 * frame logger sees the reset go out. The first of a connection is logged, then every 100th with
 * the count, so a flood costs a few lines. Every other frame it passes over: its Netty logger is at
 * TRACE, under a name no one enables by accident. One per connection (the count is its own).
 */
final class RefusedStreams extends Http2FrameLogger {
  private static final Logger log = LoggerFactory.getLogger(RefusedStreams.class);
  private static final int EVERY = 100;

  private final long maxConcurrentStreams;
  private long refused;

  RefusedStreams(long maxConcurrentStreams) {
    super(LogLevel.TRACE, "io.meshagent.netty.internal.hbone.frames");
    this.maxConcurrentStreams = maxConcurrentStreams;
  }

  @Override
  public void logRstStream(
      Direction direction, ChannelHandlerContext ctx, int streamId, long errorCode) {
    super.logRstStream(direction, ctx, streamId, errorCode);
    if (direction != Direction.OUTBOUND || errorCode != Http2Error.REFUSED_STREAM.code()) {
      return;
    }
    // Only the event loop writes frames: the count needs no synchronization.
    if (refused++ % EVERY == 0) {
      log.warn(
          "HBONE connection from {} on {}: stream {} refused, over MAX_CONCURRENT_STREAMS {} ({}"
              + " refused so far)",
          ctx.channel().remoteAddress(),
          ctx.channel().localAddress(),
          streamId,
          maxConcurrentStreams,
          refused);
    }
  }
}
