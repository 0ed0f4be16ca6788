package io.meshagent.netty.internal.outbound;

import io.meshagent.core.internal.telemetry.metrics.TcpConnectionMetrics;
import io.meshagent.identity.SpiffeId;
import io.meshagent.netty.internal.ReadSize;
import io.meshagent.netty.internal.hbone.Relay;
import io.meshagent.netty.internal.tls.PeerIdentity;
import io.meshagent.traffic.MeshSocket;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Bridges a byte pipe (TCP, TLS or HBONE stream) to blocking streams: a client's {@code
 * MeshClient.connect}, or a connection served to an in-process TCP handler. The network is read
 * only while less than {@link #HIGH_WATER} bytes wait to be consumed, so a slow reader slows the
 * peer (TCP or HTTP/2 flow control) instead of filling memory; nothing accepted is dropped.
 *
 * <p>The buffers read wait as they are, and the reader copies from them straight into its array:
 * one copy, and no garbage per read. They are released as they are consumed, or all at once when
 * the socket is closed.
 */
public final class SocketBridge extends ChannelInboundHandlerAdapter {
  private static final int HIGH_WATER = 1 << 20;
  private static final Object EOF = new Object();
  // Wakes a reader waiting in take() when the app closes the socket from another thread.
  private static final Object CLOSED = new Object();
  // How long a close waits for the bytes written before it to reach the network, and then for the
  // peer's end.
  private static final long CLOSE_GRACE_SECONDS = 10;
  private static final WriteBufferWaterMark WATER_MARK =
      new WriteBufferWaterMark(512 * 1024, 2 * 1024 * 1024);
  // The app's writer waits on this while the channel is not writable.
  private final Object writable = new Object();
  // Set by a writer about to wait on writable, so the event loop wakes it only then.
  private volatile boolean writerWaiting;

  private final String upstream;
  private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final AtomicLong queued = new AtomicLong();
  private final AtomicBoolean readPending = new AtomicBoolean();
  private volatile @Nullable Channel channel;
  // Set once the app closed the socket: what is queued, or arrives after, is released unread.
  private volatile boolean discarded;
  private boolean ended;
  // On the event loop: the peer's EOF came; the close waits only for it now.
  private boolean inputEnded;
  private boolean lingering;

  /**
   * @param upstream names the connection in errors: {@code cluster / ip:port}
   */
  public SocketBridge(String upstream) {
    this.upstream = upstream;
  }

  private volatile @Nullable TcpConnectionMetrics metrics;

  /**
   * The streams over {@code ch}, which has this bridge in its pipeline; starts reading. {@code m}
   * counts the bytes ({@link TcpConnectionMetrics#NOOP} where the pipeline counts them).
   */
  public MeshSocket socket(Channel ch, TcpConnectionMetrics m) {
    metrics = m;
    channel = ch;
    // Room for several of the app's writes: with Netty's 64 KiB mark, one 64 KiB write made the
    // channel unwritable, and the app waited for each write to reach the socket before the next.
    ch.config().setWriteBufferWaterMark(WATER_MARK);
    ReadSize.stream(ch);
    ch.read();
    return new Socket(ch);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf buf) || !buf.isReadable()) {
      ReferenceCountUtil.release(msg);
      return;
    }
    int n = buf.readableBytes();
    TcpConnectionMetrics m = metrics;
    if (m != null) {
      m.recordBytes(n, 0); // the response direction: Istio's "sent"
    }
    if (discarded) {
      buf.release(); // the app closed the socket: the peer's bytes are read only to reach its end
      return;
    }
    queued.addAndGet(n);
    queue.add(buf);
    if (discarded) {
      releaseQueued(); // the app closed meanwhile: nobody will read it
    }
  }

  /** Releases the queued buffers; the markers (end, closed) stay for a reader still waiting. */
  private void releaseQueued() {
    List<Object> markers = new ArrayList<>(2);
    for (Object o; (o = queue.poll()) != null; ) {
      if (o instanceof ByteBuf b) {
        b.release();
      } else {
        markers.add(o);
      }
    }
    queue.addAll(markers);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (discarded) {
      ctx.read(); // closing: on to the peer's end
      return;
    }
    // Marked before the check: a reader draining the queue in between then finds the mark and
    // asks for the read itself; marked after, the read would be lost and both ends wait forever.
    readPending.set(true);
    if (queued.get() < HIGH_WATER && readPending.compareAndSet(true, false)) {
      ctx.read();
    }
  }

  private void consumed(int n) {
    if (queued.addAndGet(-n) < HIGH_WATER / 2 && readPending.compareAndSet(true, false)) {
      Channel ch = channel;
      if (ch != null) {
        ch.read();
      }
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof ChannelInputShutdownEvent) {
      inputEnded = true;
      end(EOF);
      if (lingering) {
        ctx.close(); // both directions are done
      }
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    end(EOF);
    wakeWriter();
    super.channelInactive(ctx);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    if (ctx.channel().isWritable()) {
      wakeWriter();
    }
    super.channelWritabilityChanged(ctx);
  }

  private void wakeWriter() {
    synchronized (writable) {
      writerWaiting = false;
      writable.notifyAll();
    }
  }

  /** After a batch of the app's writes went to the channel: wakes a writer waiting on the batch. */
  private void wakeWriterIfWaiting() {
    if (writerWaiting) {
      wakeWriter();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    end(new IOException("connection to " + upstream + " failed: " + cause.getMessage(), cause));
    ctx.close();
  }

  private void end(Object marker) {
    if (!ended) {
      ended = true;
      queue.add(marker);
    }
  }

  private final class Socket implements MeshSocket {
    private final Channel ch;
    private volatile @Nullable IOException writeFailure;
    private volatile boolean outputShut;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final In in = new In();
    private final Out out = new Out();
    private final Outbox outbox;

    Socket(Channel ch) {
      this.ch = ch;
      this.outbox =
          new Outbox(
              ch,
              f -> {
                if (!f.isSuccess() && writeFailure == null) {
                  writeFailure =
                      new IOException("write to " + upstream + " failed: " + f.cause(), f.cause());
                  wakeWriter();
                }
              },
              SocketBridge.this::wakeWriterIfWaiting);
    }

    @Override
    public InputStream input() {
      return in;
    }

    @Override
    public OutputStream output() {
      return out;
    }

    @Override
    public void shutdownOutput() throws IOException {
      outputShut = true;
      await(Relay.halfClose(ch)); // after the writes before it, which it also waits for
      IOException failed = writeFailure;
      if (failed != null) {
        throw failed;
      }
    }

    @Override
    public @Nullable SpiffeId peer() {
      return ch.attr(PeerIdentity.PEER).get();
    }

    @Override
    public String upstream() {
      return upstream;
    }

    /**
     * Reads end at once (a reader waiting wakes up); what was written before is still sent, then
     * our end, and the connection closes at the peer's end. Closing with the peer's bytes unread
     * would reset the connection and lose what was sent. A peer that neither reads nor ends has
     * {@link #CLOSE_GRACE_SECONDS}.
     */
    @Override
    public void close() {
      if (!closing.compareAndSet(false, true)) {
        return;
      }
      discarded = true;
      in.release();
      releaseQueued();
      queue.add(CLOSED);
      try {
        ScheduledFuture<?> deadline =
            ch.eventLoop().schedule(() -> ch.close(), CLOSE_GRACE_SECONDS, TimeUnit.SECONDS);
        ch.closeFuture().addListener(x -> deadline.cancel(false));
      } catch (RejectedExecutionException e) {
        ch.close(); // the event loop is shutting down, and the channel with it
        return;
      }
      ch.read(); // on to the peer's end, discarding its bytes
      try {
        // Queued after the app's writes: the last of them is known on the loop.
        ch.eventLoop()
            .execute(
                () -> {
                  ChannelFuture last = outbox.lastWrite();
                  if (last == null || last.isDone()) {
                    linger();
                  } else {
                    last.addListener(x -> linger());
                  }
                });
      } catch (RejectedExecutionException e) {
        ch.close();
      }
    }

    /** After the writes before the close: our end, then the connection closes at the peer's. */
    private void linger() {
      try {
        ch.eventLoop()
            .execute(
                () -> {
                  if (inputEnded || !ch.isActive()) {
                    ch.close();
                    return;
                  }
                  lingering = true;
                  if (!outputShut) {
                    outputShut = true;
                    Relay.halfClose(ch);
                  }
                });
      } catch (RejectedExecutionException e) {
        ch.close(); // the event loop is shutting down, and the channel with it
      }
    }

    private void awaitWritable() throws IOException {
      if (ch.eventLoop().inEventLoop()) {
        // Waiting there would stop the loop that drains the buffer, and every channel on it.
        throw new IOException(
            "the write buffer to "
                + upstream
                + " is full and the write came from its own event loop, which cannot wait:"
                + " write from another thread");
      }
      synchronized (writable) {
        while (true) {
          // Said before the check: a batch handed over after it wakes this writer.
          writerWaiting = true;
          if ((ch.isWritable() && outbox.waiting() <= WATER_MARK.high())
              || !ch.isActive()
              || writeFailure != null) {
            break;
          }
          try {
            writable.wait(100); // a bounded wait: a missed wake-up costs at most this
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted writing to " + upstream);
          }
        }
      }
      IOException failed = writeFailure;
      if (failed != null) {
        throw failed;
      }
    }

    private void await(ChannelFuture f) throws IOException {
      try {
        f.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted writing to " + upstream);
      }
      if (!f.isSuccess()) {
        throw new IOException("write to " + upstream + " failed: " + f.cause(), f.cause());
      }
    }

    private final class In extends InputStream {
      // The buffer being read; its bytes are copied under this stream's lock, which close takes
      // to release it, so a close from another thread never frees memory being read.
      private @Nullable ByteBuf chunk;
      private @Nullable Object end;
      private boolean released;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
          return 0;
        }
        while (true) {
          synchronized (this) {
            if (released) {
              throw new IOException("connection to " + upstream + " is closed");
            }
            ByteBuf c = chunk;
            if (c != null) {
              int n = Math.min(len, c.readableBytes());
              c.readBytes(b, off, n);
              if (!c.isReadable()) {
                c.release();
                chunk = null;
              }
              consumed(n);
              return n;
            }
            if (end != null) {
              return endOfStream();
            }
          }
          if (ch.eventLoop().inEventLoop()) {
            // Waiting there would stop the loop that delivers the bytes, and every channel on it.
            throw new IOException(
                "a read from "
                    + upstream
                    + " would wait on its own event loop, which cannot wait: read from another"
                    + " thread");
          }
          Object next; // waited for outside the lock, so that close never waits for a reader
          try {
            next = queue.take();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted reading from " + upstream);
          }
          synchronized (this) {
            if (released) {
              ReferenceCountUtil.release(next);
            } else if (next instanceof ByteBuf buf) {
              chunk = buf;
            } else {
              end = next;
            }
          }
        }
      }

      private int endOfStream() throws IOException {
        if (end instanceof IOException e) {
          throw e;
        }
        return -1;
      }

      synchronized void release() {
        released = true;
        if (chunk != null) {
          chunk.release();
          chunk = null;
        }
      }
    }

    private final class Out extends OutputStream {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        if (!ch.isActive()) {
          throw new IOException("connection to " + upstream + " is closed");
        }
        IOException failed = writeFailure;
        if (failed != null) {
          throw failed;
        }
        // A pooled direct buffer: TLS (BoringSSL) and the socket read direct memory, so a heap
        // copy here would be copied once more on the event loop, and garbage per write.
        java.util.Objects.checkFromIndexSize(off, len, b.length); // before a buffer is taken
        try {
          outbox.add(ch.alloc().directBuffer(len).writeBytes(b, off, len));
        } catch (RejectedExecutionException e) {
          throw new IOException("connection to " + upstream + " is closed", e);
        }
        // Keep writing while the channel takes more; wait only when its buffer is full (the
        // network's back-pressure), and then until it has drained to its low mark, so the event
        // loop always has the next writes queued.
        if (!ch.isWritable() || outbox.waiting() > WATER_MARK.high()) {
          awaitWritable();
        }
        TcpConnectionMetrics m = metrics;
        if (m != null) {
          m.recordBytes(0, len); // the request direction: Istio's "received"
        }
      }

      @Override
      public void close() throws IOException {
        shutdownOutput();
      }
    }
  }
}
