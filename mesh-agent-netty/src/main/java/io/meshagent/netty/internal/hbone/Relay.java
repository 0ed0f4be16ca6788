package io.meshagent.netty.internal.hbone;

import io.meshagent.netty.internal.ReadSize;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pumps bytes between two byte pipes — an HBONE stream (behind a {@link TunnelCodec}), a TCP socket
 * (with or without TLS) — one instance on each of the two channels, both on the same event loop.
 *
 * <p>Ownership: each {@code ByteBuf} read on one side is written to the other unchanged, so its
 * ownership passes to the other channel's outbound path, which releases it once written (or on
 * failure); if the other side is already gone it is released here.
 *
 * <p>Back-pressure: after a read batch, when the other channel is not writable, this side stops
 * reading (autoRead off); when the other channel becomes writable again, its relay turns reading
 * back on here. On the stream side not reading also stops returning the flow-control window, so the
 * HBONE peer stops sending.
 *
 * <p>Half-close: an EOF on one side (TCP FIN, or END_STREAM / RST NO_ERROR|CANCEL on the stream)
 * becomes, after the writes before it, a TCP {@code shutdownOutput()} or an END_STREAM on the
 * other. When both directions are done the TCP socket is closed (the stream closes by itself). Any
 * other end (an error, a reset, a close) closes both sides.
 */
public final class Relay extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(Relay.class);

  /** The state the two relays of one pair share; touched only on their event loop. */
  public static final class Pair {
    final Channel stream;
    final Channel socket;
    boolean streamEof;
    boolean socketEof;

    /** Two pipes on one event loop; {@code stream} is the one a half-close is sent to first. */
    public Pair(Channel stream, Channel socket) {
      this.stream = stream;
      this.socket = socket;
    }

    void install(TunnelCodec codec) {
      stream.pipeline().addLast(codec);
      install();
    }

    /** Adds the relays at the end of both pipelines. */
    public void install() {
      ReadSize.stream(stream);
      ReadSize.stream(socket);
      stream.pipeline().addLast(new Relay(this, true));
      socket.pipeline().addLast(new Relay(this, false));
    }
  }

  private final Pair pair;
  private final boolean onStream;

  private Relay(Pair pair, boolean onStream) {
    this.pair = pair;
    this.onStream = onStream;
  }

  private Channel peer() {
    return onStream ? pair.socket : pair.stream;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Channel peer = peer();
    if (peer.isActive()) {
      peer.write(msg, peer.voidPromise());
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    Channel peer = peer();
    peer.flush();
    if (!peer.isWritable()) {
      ctx.channel().config().setAutoRead(false);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    if (ctx.channel().isWritable()) {
      peer().config().setAutoRead(true);
    }
    super.channelWritabilityChanged(ctx);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (!(evt instanceof ChannelInputShutdownEvent)) {
      super.userEventTriggered(ctx, evt);
      return;
    }
    if (onStream) {
      pair.streamEof = true;
    } else {
      pair.socketEof = true;
    }
    halfClose(peer()).addListener(f -> closeWhenDone());
  }

  /**
   * Sends EOF on {@code ch} after the writes before it: END_STREAM on an HBONE stream, a TCP
   * shutdown on a socket ({@code shutdownOutput()} directly would fail writes still queued).
   */
  public static io.netty.channel.ChannelFuture halfClose(Channel ch) {
    if (ch.pipeline().get(TunnelCodec.class) != null) {
      return ch.writeAndFlush(TunnelCodec.END_STREAM);
    }
    io.netty.channel.ChannelPromise done = ch.newPromise();
    ch.writeAndFlush(Unpooled.EMPTY_BUFFER)
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (f.isSuccess() && ch instanceof DuplexChannel tcp) {
                    tcp.shutdownOutput().addListener(x -> done.trySuccess());
                  } else {
                    done.trySuccess();
                  }
                });
    return done;
  }

  private void closeWhenDone() {
    if (pair.streamEof && pair.socketEof) {
      // Both directions are done; a finished HBONE stream is closed already.
      pair.socket.close();
      pair.stream.close();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    Channel peer = peer();
    if (peer.isActive()) {
      // Deliver what is queued, then close: the tunnel is over.
      peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug(
        "HBONE tunnel {} side {} failed: {}",
        onStream ? "stream" : "socket",
        ctx.channel(),
        cause.toString());
    ctx.close();
  }
}
