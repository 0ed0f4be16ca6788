package io.meshagent.netty.internal.hbone;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * Turns an HBONE stream ({@code Http2StreamChannel}) into a byte pipe, so the handlers after it see
 * what a TCP socket would show.
 *
 * <p>Inbound: each DATA frame's content is fired as a {@link ByteBuf} whose ownership passes to the
 * next handler (the frame itself is not released separately: it is its content). END_STREAM, on
 * DATA or trailers, and RST_STREAM NO_ERROR or CANCEL fire {@link
 * ChannelInputShutdownEvent#INSTANCE}: a clean EOF, as ztunnel treats them. Any other RST_STREAM
 * fires a {@link StreamResetException}. Frames it does not consume are released.
 *
 * <p>Outbound: a {@link ByteBuf} becomes a DATA frame (ownership passes on; the codec splits it to
 * the peer's frame size); {@link #END_STREAM} sends an empty DATA frame with END_STREAM, the
 * half-close.
 *
 * <p>Until the first {@code read()} passes through it the codec holds what arrives (at most a
 * stream window), so whoever receives the stream can add handlers before data flows; held buffers
 * are released if the stream goes away first. One instance per stream.
 */
public final class TunnelCodec extends ChannelDuplexHandler {
  /** Written to the stream: END_STREAM (our side of the tunnel is done sending). */
  public static final Object END_STREAM =
      new Object() {
        @Override
        public String toString() {
          return "END_STREAM";
        }
      };

  /** A stream reset with an error code other than NO_ERROR or CANCEL. */
  static final class StreamResetException extends Exception {
    private static final long serialVersionUID = 1L;

    StreamResetException(long code) {
      super(
          "stream reset by the peer: "
              + (Http2Error.valueOf(code) != null ? Http2Error.valueOf(code) : "code " + code));
    }
  }

  private final ArrayDeque<Object> held = new ArrayDeque<>();
  private boolean holding = true;
  private boolean eof;
  private boolean cleanReset;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    reading = true;
    if (msg instanceof Http2DataFrame data) {
      ByteBuf content = data.content();
      if (content.isReadable()) {
        emit(ctx, content);
      } else {
        content.release();
      }
      if (data.isEndStream()) {
        emitEof(ctx);
      }
    } else if (msg instanceof Http2HeadersFrame headers) {
      if (headers.isEndStream()) {
        emitEof(ctx);
      }
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  /** The multiplexer delivers RST_STREAM as a user event, ahead of DATA still queued. */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof Http2ResetFrame reset) {
      long code = reset.errorCode();
      if (code == Http2Error.NO_ERROR.code() || code == Http2Error.CANCEL.code()) {
        cleanReset = true; // EOF once the queued DATA is delivered, when the stream closes
      } else {
        ctx.fireExceptionCaught(new StreamResetException(code));
      }
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (cleanReset) {
      emitEof(ctx);
    }
    ctx.fireChannelInactive();
  }

  private void emit(ChannelHandlerContext ctx, Object item) {
    if (holding) {
      held.add(item);
    } else if (item == END_STREAM) {
      ctx.fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
    } else {
      ctx.fireChannelRead(item);
    }
  }

  private void emitEof(ChannelHandlerContext ctx) {
    if (!eof) {
      eof = true;
      emit(ctx, END_STREAM); // stands for the EOF in the queue
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (!holding) {
      ctx.fireChannelReadComplete();
    }
    reading = false;
    if (flushWanted) {
      flushNow(ctx);
    }
  }

  @Override
  public void read(ChannelHandlerContext ctx) {
    if (holding) {
      holding = false;
      boolean any = !held.isEmpty();
      for (Object item; (item = held.poll()) != null; ) {
        emit(ctx, item);
      }
      if (any) {
        ctx.fireChannelReadComplete();
      }
    }
    ctx.read();
  }

  // Writes since the last flush, sent as one DATA frame: what runs inside a tunnel (an HTTP/2
  // connection writes a HEADERS and a DATA frame per message) would otherwise cost the tunnel's
  // stream a frame, its flow-control bookkeeping and its promise per piece. While the tunnel is in
  // a read, its flushes are gathered too, up to about a TLS record's worth: the answers to what
  // one read brought in leave in a few frames, not one per message, and the first of them before
  // the last is produced, so the peer can start on them.
  private static final int MAX_PIECES = 64;
  private static final int GATHER_BYTES = 16 * 1024;
  private @Nullable ByteBuf pending;
  private boolean reading;
  private boolean flushWanted;
  private boolean endOfTurnScheduled;
  private final ArrayList<ChannelPromise> pendingPromises = new ArrayList<>(4);

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof ByteBuf buf) {
      if (pending instanceof CompositeByteBuf c && c.numComponents() >= MAX_PIECES) {
        writePending(ctx); // rather than let the composite consolidate (copy) its pieces
      }
      if (pending == null) {
        pending = buf;
      } else if (pending instanceof CompositeByteBuf c) {
        c.addComponent(true, buf);
      } else {
        CompositeByteBuf c = ctx.alloc().compositeBuffer(MAX_PIECES);
        c.addComponent(true, pending);
        c.addComponent(true, buf);
        pending = c;
      }
      pendingPromises.add(promise);
      return;
    }
    writePending(ctx);
    if (msg == END_STREAM) {
      ctx.write(new DefaultHttp2DataFrame(Unpooled.EMPTY_BUFFER, true), promise);
    } else {
      ctx.write(msg, promise);
    }
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    if (reading && pending != null && pending.readableBytes() < GATHER_BYTES) {
      flushWanted = true; // at the end of the read at the latest
      if (!endOfTurnScheduled) {
        // Should a read end without its channelReadComplete (a replay that fires none), the
        // end of the turn flushes: no read spans a task.
        try {
          ctx.executor().execute(() -> endOfTurn(ctx));
          endOfTurnScheduled = true;
        } catch (RejectedExecutionException e) {
          flushNow(ctx); // the loop is shutting down
        }
      }
      return;
    }
    flushNow(ctx);
  }

  private void flushNow(ChannelHandlerContext ctx) {
    flushWanted = false;
    writePending(ctx);
    ctx.flush();
  }

  private void writePending(ChannelHandlerContext ctx) {
    ByteBuf data = pending;
    if (data == null) {
      return;
    }
    pending = null;
    ChannelPromise promise;
    if (pendingPromises.size() == 1) {
      promise = pendingPromises.get(0);
    } else {
      ChannelPromise[] each = pendingPromises.toArray(new ChannelPromise[0]);
      promise = ctx.newPromise();
      promise.addListener(
          f -> {
            for (ChannelPromise p : each) {
              if (f.isSuccess()) {
                p.trySuccess();
              } else {
                p.tryFailure(f.cause());
              }
            }
          });
    }
    pendingPromises.clear();
    ctx.write(new DefaultHttp2DataFrame(data), promise);
  }

  private void endOfTurn(ChannelHandlerContext ctx) {
    endOfTurnScheduled = false;
    reading = false;
    if (flushWanted && !ctx.isRemoved()) {
      flushNow(ctx);
    }
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    if (flushWanted) {
      flushNow(ctx); // what was flushed leaves ahead of the stream's reset
    } else {
      writePending(ctx); // written, as unflushed writes before a close are in Netty
    }
    ctx.close(promise);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    for (Object item; (item = held.poll()) != null; ) {
      ReferenceCountUtil.release(item);
    }
    ByteBuf data = pending;
    if (data != null) {
      pending = null;
      data.release();
      for (ChannelPromise p : pendingPromises) {
        p.tryFailure(new java.nio.channels.ClosedChannelException());
      }
      pendingPromises.clear();
    }
  }
}
