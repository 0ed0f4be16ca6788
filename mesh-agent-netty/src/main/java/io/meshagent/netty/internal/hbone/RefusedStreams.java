package io.meshagent.netty.internal.hbone;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HBONE server's codec, which logs the streams a peer opens beyond MAX_CONCURRENT_STREAMS.
 * Netty refuses them itself (RST_STREAM REFUSED_STREAM) before any handler sees them, and says so
 * only at DEBUG; the refusal passes through {@link #onError}, so hooking it costs the frames that
 * are not refused nothing. The first of a connection is logged, then every 100th with the count, so
 * a flood costs a few lines.
 */
final class RefusedStreams extends Http2FrameCodec {
  private static final Logger log = LoggerFactory.getLogger(RefusedStreams.class);
  private static final int EVERY = 100;

  private final long maxConcurrentStreams;
  private long refused; // the event loop's only

  private RefusedStreams(
      Http2ConnectionEncoder encoder,
      Http2ConnectionDecoder decoder,
      Http2Settings settings,
      boolean decoupleCloseAndGoAway,
      boolean flushPreface) {
    super(encoder, decoder, settings, decoupleCloseAndGoAway, flushPreface);
    Long max = settings.maxConcurrentStreams();
    this.maxConcurrentStreams = max == null ? Long.MAX_VALUE : max;
  }

  /** A server builder whose codec is this one. */
  static Http2FrameCodecBuilder serverBuilder() {
    return new Builder();
  }

  private static final class Builder extends Http2FrameCodecBuilder {
    Builder() {
      server(true);
      gracefulShutdownTimeoutMillis(0);
    }

    @Override
    protected Http2FrameCodec build(
        Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings) {
      RefusedStreams codec =
          new RefusedStreams(encoder, decoder, settings, decoupleCloseAndGoAway(), flushPreface());
      codec.gracefulShutdownTimeoutMillis(gracefulShutdownTimeoutMillis());
      return codec;
    }
  }

  @Override
  public void onError(ChannelHandlerContext ctx, boolean outbound, Throwable cause) {
    Http2Exception e = Http2CodecUtil.getEmbeddedHttp2Exception(cause);
    if (!outbound
        && e instanceof Http2Exception.StreamException s
        && s.error() == Http2Error.REFUSED_STREAM
        && refused++ % EVERY == 0) {
      log.warn(
          "HBONE connection from {} on {}: stream {} refused, over MAX_CONCURRENT_STREAMS {} ({}"
              + " refused so far)",
          ctx.channel().remoteAddress(),
          ctx.channel().localAddress(),
          s.streamId(),
          maxConcurrentStreams,
          refused);
    }
    super.onError(ctx, outbound, cause);
  }
}
