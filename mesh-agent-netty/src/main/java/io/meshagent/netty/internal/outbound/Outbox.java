package io.meshagent.netty.internal.outbound;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.internal.PlatformDependent;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * An app thread's writes to a channel, handed to its event loop in batches: what queued up while
 * the loop was busy is written with one flush per {@link #BATCH} bytes. A write and flush per app
 * write made, through an HBONE tunnel, a DATA frame and a wake-up of the peer's reader per write
 * (64 KiB in the benchmark), and over TLS a socket write per write. The bytes waiting here are not
 * in the channel's buffer yet, so the writer weighs {@link #waiting()} besides the channel's
 * writability.
 */
final class Outbox {
  // Bytes per flush: one HTTP/2 DATA frame through a tunnel (the peer allows 1 MiB), and a frame
  // the peer's reader takes from one or two socket reads of the stream read size.
  static final int BATCH = 256 * 1024;

  private final Channel ch;
  private final Queue<ByteBuf> queue = PlatformDependent.newMpscQueue();
  private final AtomicLong waiting = new AtomicLong();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final ChannelFutureListener onWritten;
  private final Runnable afterFlush;
  private final Runnable drain = this::drain;
  // The last write handed to the channel; read and written on the event loop only.
  private @Nullable ChannelFuture last;

  /**
   * @param onWritten told of each write's outcome (a failure ends the writer's stream)
   * @param afterFlush run on the event loop after each batch, when {@link #waiting()} has fallen
   */
  Outbox(Channel ch, ChannelFutureListener onWritten, Runnable afterFlush) {
    this.ch = ch;
    this.onWritten = onWritten;
    this.afterFlush = afterFlush;
  }

  /**
   * Queues {@code buf} for the event loop, which owns it from here on.
   *
   * @throws RejectedExecutionException when the event loop is shutting down ({@code buf} and all
   *     queued are released)
   */
  void add(ByteBuf buf) {
    waiting.addAndGet(buf.readableBytes());
    queue.add(buf);
    if (!scheduled.getAndSet(true)) {
      try {
        ch.eventLoop().execute(drain);
      } catch (RejectedExecutionException e) {
        releaseAll();
        throw e;
      }
    }
  }

  /**
   * The last write handed to the channel, or null: on the event loop, in a task queued after the
   * app's writes, the write that completes after all of them.
   */
  @Nullable ChannelFuture lastWrite() {
    return last;
  }

  /** Bytes queued here and not yet handed to the channel. */
  long waiting() {
    return waiting.get();
  }

  private void drain() {
    // Cleared first: a buffer queued after this point schedules the next drain, one queued before
    // it is polled below.
    scheduled.set(false);
    int unflushed = 0;
    ByteBuf b;
    while ((b = queue.poll()) != null) {
      unflushed += b.readableBytes();
      ChannelFuture f = ch.write(b);
      f.addListener(onWritten);
      last = f;
      if (unflushed >= BATCH) {
        flush(unflushed);
        unflushed = 0;
      }
    }
    if (unflushed > 0) {
      flush(unflushed);
    }
  }

  private void flush(int handedOver) {
    ch.flush();
    waiting.addAndGet(-handedOver);
    afterFlush.run();
  }

  private void releaseAll() {
    ByteBuf b;
    while ((b = queue.poll()) != null) {
      waiting.addAndGet(-b.readableBytes());
      b.release();
    }
  }
}
