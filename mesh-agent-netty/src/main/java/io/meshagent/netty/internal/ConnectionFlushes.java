package io.meshagent.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.util.concurrent.RejectedExecutionException;

/**
 * An HTTP/2 connection's flushes, gathered: passed on once {@link #BYTES_PER_WRITE} were written
 * since the last one, and otherwise at the end of the read loop or of the event-loop turn that
 * asked for them. Between the TLS handler and the HTTP/2 codec; see {@link FlushBatching} for why.
 * One instance per connection.
 */
final class ConnectionFlushes extends ChannelDuplexHandler {
  /** About one TLS record's worth: enough for the peer to start on while more is produced. */
  static final int BYTES_PER_WRITE = 16 * 1024;

  private final Runnable endOfTurn = this::endOfTurn;
  private ChannelHandlerContext ctx;
  private boolean reading;
  private boolean scheduled;
  private boolean flushWanted;
  private long unflushed;

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    reading = true;
    ctx.fireChannelRead(msg);
  }

  /**
   * The handlers after this one flush as they see the end of the read; their flushes are gathered
   * with the loop's and passed on once, after them.
   */
  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.fireChannelReadComplete();
    reading = false;
    flushIfWanted();
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof ByteBuf buf) {
      unflushed += buf.readableBytes();
    }
    ctx.write(msg, promise);
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    flushWanted = true;
    if (unflushed >= BYTES_PER_WRITE) {
      flushNow();
    } else if (!scheduled) {
      // Outside a read, the end of this turn flushes; inside one, channelReadComplete does, and
      // the task is the fallback should a read end without it (no read spans a task).
      try {
        ctx.channel().eventLoop().execute(endOfTurn);
        scheduled = true;
      } catch (RejectedExecutionException e) {
        flushNow(); // the loop is shutting down
      }
    }
  }

  private void endOfTurn() {
    scheduled = false;
    reading = false;
    flushIfWanted();
  }

  private void flushIfWanted() {
    if (flushWanted) {
      flushNow();
    }
  }

  private void flushNow() {
    flushWanted = false;
    unflushed = 0;
    ctx.flush();
  }

  // What was asked to be flushed leaves before the connection ends or backs up, as without this.
  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (!ctx.channel().isWritable()) {
      flushIfWanted();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    flushIfWanted();
    ctx.fireExceptionCaught(cause);
  }

  @Override
  public void disconnect(ChannelHandlerContext ctx, ChannelPromise promise) {
    flushIfWanted();
    ctx.disconnect(promise);
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    flushIfWanted();
    ctx.close(promise);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    flushIfWanted();
  }
}
