package io.meshagent.netty.internal.observe;

import io.meshagent.core.internal.telemetry.WorkloadMetadata;
import io.meshagent.core.internal.telemetry.peer.TcpMetadataExchange;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Istio's TCP metadata exchange on one mTLS connection whose ALPN asked for it ({@link
 * TcpMetadataExchange}): writes our frame when added, takes the peer's frame off the stream, and
 * completes {@link #peer()} with the peer's workload (null when it sent none). It reads by itself
 * until it knows; the bytes after the frame go on to the handlers after it, exactly as sent.
 *
 * <p>Without a frame it decides as Envoy's filter does: bytes that do not start with the magic are
 * the app's, and at the end of input the peer is unknown. When nothing came for {@link
 * #TIMEOUT_MILLIS} (a peer that waits for our app to speak first, or a slow one), {@link #peer()}
 * completes with null so that the app can start, but the first bytes are still looked at: a frame
 * that comes late is taken off the stream all the same, never handed to the app. A frame longer
 * than {@link TcpMetadataExchange#MAX_BODY_BYTES} ends the connection.
 */
public final class TcpPeerExchange extends ByteToMessageDecoder {
  private static final Logger log = LoggerFactory.getLogger(TcpPeerExchange.class);

  /** How long to wait for the peer's first bytes (istiod's protocol detection timeout). */
  static final long TIMEOUT_MILLIS = 1_000;

  private final byte[] frame;
  private final String where;
  private final CompletableFuture<@Nullable WorkloadMetadata> peer = new CompletableFuture<>();
  private @Nullable ScheduledFuture<?> timer;
  // On the event loop: the stream's start is resolved (a frame taken off, or the app's bytes).
  private boolean decided;

  /**
   * @param frame our frame ({@link Telemetry#tcpExchangeFrame()})
   * @param where names the connection in log lines
   */
  public TcpPeerExchange(byte[] frame, String where) {
    this.frame = frame;
    this.where = where;
  }

  /** The peer's workload, or null when it sent none; completes on the channel's event loop. */
  public CompletableFuture<@Nullable WorkloadMetadata> peer() {
    return peer;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    super.handlerAdded(ctx);
    ctx.writeAndFlush(Unpooled.wrappedBuffer(frame));
    // Only the wait ends: the stream's first bytes are still checked for a frame when they come.
    timer =
        ctx.executor().schedule(() -> peer.complete(null), TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    ctx.read();
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (decided) {
      return;
    }
    int n = Math.min(in.readableBytes(), 4);
    for (int i = 0; i < n; i++) {
      byte expected = (byte) (TcpMetadataExchange.MAGIC >>> (24 - 8 * i));
      if (in.getByte(in.readerIndex() + i) != expected) {
        decide(ctx, null); // the app's bytes: the peer does not exchange
        return;
      }
    }
    if (in.readableBytes() < TcpMetadataExchange.HEADER_BYTES) {
      return;
    }
    long length = in.getUnsignedInt(in.readerIndex() + 4);
    if (length > TcpMetadataExchange.MAX_BODY_BYTES) {
      log.warn(
          "TCP metadata exchange on {}: the peer's frame announces {} bytes, over the {} allowed;"
              + " closing",
          where,
          length,
          TcpMetadataExchange.MAX_BODY_BYTES);
      in.skipBytes(in.readableBytes());
      decided = true;
      peer.complete(null);
      ctx.close();
      return;
    }
    if (in.readableBytes() < TcpMetadataExchange.HEADER_BYTES + length) {
      return;
    }
    in.skipBytes(TcpMetadataExchange.HEADER_BYTES);
    byte[] body = new byte[(int) length];
    in.readBytes(body);
    WorkloadMetadata w = TcpMetadataExchange.parse(body);
    if (w == null) {
      log.debug("TCP metadata exchange on {}: the peer's frame has no readable metadata", where);
    }
    decide(ctx, w);
  }

  /** Done: the peer is {@code w}; what follows, held or not, goes to the next handlers. */
  private void decide(ChannelHandlerContext ctx, @Nullable WorkloadMetadata w) {
    if (decided) {
      return;
    }
    decided = true;
    peer.complete(w); // unless the wait already ended
    if (ctx.pipeline().context(this) != null) {
      ctx.pipeline().remove(this); // passes the held bytes on
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
    super.channelReadComplete(ctx);
    if (!decided) {
      ctx.read();
    }
  }

  @Override
  protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (!decided) {
      decided = true;
      peer.complete(null); // the input ended first: what came, if anything, is the app's
      if (in.isReadable()) {
        out.add(in.readRetainedSlice(in.readableBytes()));
      }
    }
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    if (timer != null) {
      timer.cancel(false);
    }
    peer.complete(null); // removed before deciding: the peer is unknown
  }
}
