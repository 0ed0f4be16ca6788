package io.meshagent.netty.internal.hbone;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP/2 liveness, as ztunnel's {@code do_ping_pong}: a PING every interval (10 s) and the
 * connection closed when a PING stays unanswered for the timeout (20 s). Runs on the connection's
 * event loop as a scheduled task; never blocks. Sits on the connection pipeline after the {@code
 * Http2MultiplexHandler}, consumes PING acks (which own no buffer) and passes everything else on.
 * One instance per connection.
 */
final class Keepalive extends ChannelDuplexHandler {
  private static final Logger log = LoggerFactory.getLogger(Keepalive.class);

  private final long intervalNanos;
  private final long timeoutNanos;
  private @Nullable ScheduledFuture<?> ticker;
  private long outstanding; // content of the unanswered PING
  private long sentAt = -1; // -1: no PING unanswered

  Keepalive(Duration interval, Duration timeout) {
    this.intervalNanos = interval.toNanos();
    this.timeoutNanos = timeout.toNanos();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      start(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    start(ctx);
    super.channelActive(ctx);
  }

  private void start(ChannelHandlerContext ctx) {
    if (ticker == null) {
      ticker =
          ctx.executor()
              .scheduleAtFixedRate(
                  () -> tick(ctx), intervalNanos, intervalNanos, TimeUnit.NANOSECONDS);
    }
  }

  private void tick(ChannelHandlerContext ctx) {
    long now = ctx.executor().ticker().nanoTime();
    if (sentAt >= 0) {
      if (now - sentAt >= timeoutNanos) {
        log.warn(
            "HBONE connection with {}: no PING answer for {} ms; closing",
            ctx.channel().remoteAddress(),
            TimeUnit.NANOSECONDS.toMillis(now - sentAt));
        stop();
        // The peer is gone: GOAWAY and close now, without waiting for streams to drain
        // (ztunnel's abrupt_shutdown).
        Http2ConnectionHandler h2 = ctx.pipeline().get(Http2ConnectionHandler.class);
        if (h2 != null) {
          h2.gracefulShutdownTimeoutMillis(0);
        }
        ctx.close();
      }
      return;
    }
    outstanding = now;
    sentAt = now;
    ctx.writeAndFlush(new DefaultHttp2PingFrame(outstanding));
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof Http2PingFrame ping && ping.ack()) {
      if (ping.content() == outstanding) {
        sentAt = -1;
      }
      ReferenceCountUtil.release(msg);
      return;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    stop();
    super.channelInactive(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    stop();
  }

  private void stop() {
    if (ticker != null) {
      ticker.cancel(false);
      ticker = null;
    }
  }
}
