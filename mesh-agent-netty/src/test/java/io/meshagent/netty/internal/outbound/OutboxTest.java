package io.meshagent.netty.internal.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OutboxTest {
  /** Counts the flushes that reach the channel, and how many writes each carried. */
  private static final class Flushes extends ChannelOutboundHandlerAdapter {
    final List<Integer> writesPerFlush = new ArrayList<>();
    private int writes;

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, io.netty.channel.ChannelPromise p) {
      writes++;
      ctx.write(msg, p);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
      writesPerFlush.add(writes);
      writes = 0;
      ctx.flush();
    }
  }

  private static ByteBuf bytes(int n, int value) {
    ByteBuf b = Unpooled.buffer(n);
    for (int i = 0; i < n; i++) {
      b.writeByte(value);
    }
    return b;
  }

  @Test
  void writesQueuedWhileTheLoopWasBusyGoOutInOrderWithOneFlushPerBatch() {
    Flushes flushes = new Flushes();
    EmbeddedChannel ch = new EmbeddedChannel(flushes);
    AtomicInteger afterFlush = new AtomicInteger();
    Outbox outbox =
        new Outbox(ch, f -> assertThat(f.isSuccess()).isTrue(), afterFlush::incrementAndGet);
    int piece = 64 * 1024;
    int pieces = Outbox.BATCH / piece * 2 + 1; // two whole batches and one piece
    for (int i = 0; i < pieces; i++) {
      outbox.add(bytes(piece, i));
    }
    assertThat(outbox.waiting()).isEqualTo((long) pieces * piece);
    assertThat(outbox.lastWrite()).isNull(); // nothing handed over before the loop ran

    ch.runPendingTasks();

    assertThat(flushes.writesPerFlush)
        .containsExactly(Outbox.BATCH / piece, Outbox.BATCH / piece, 1);
    assertThat(afterFlush).hasValue(3);
    assertThat(outbox.waiting()).isZero();
    assertThat(outbox.lastWrite()).isNotNull();
    assertThat(outbox.lastWrite().isSuccess()).isTrue();
    for (int i = 0; i < pieces; i++) {
      ByteBuf out = ch.readOutbound();
      assertThat(out.getByte(0)).as("piece %d in order", i).isEqualTo((byte) i);
      out.release();
    }
    assertThat((Object) ch.readOutbound()).isNull();
    ch.finishAndReleaseAll();
  }

  @Test
  void aWriteAfterADrainSchedulesTheNextOne() {
    Flushes flushes = new Flushes();
    EmbeddedChannel ch = new EmbeddedChannel(flushes);
    Outbox outbox = new Outbox(ch, f -> {}, () -> {});
    outbox.add(bytes(10, 1));
    ch.runPendingTasks();
    outbox.add(bytes(10, 2));
    ch.runPendingTasks();

    assertThat(flushes.writesPerFlush).containsExactly(1, 1);
    assertThat(ch.outboundMessages()).hasSize(2);
    ch.finishAndReleaseAll();
  }

  @Test
  void aWriteToAClosedChannelFailsAndReleasesItsBuffer() {
    EmbeddedChannel ch = new EmbeddedChannel();
    List<Throwable> failures = new ArrayList<>();
    Outbox outbox = new Outbox(ch, f -> failures.add(f.cause()), () -> {});
    ByteBuf b = bytes(10, 1);
    ch.close();
    outbox.add(b);
    ch.runPendingTasks();

    assertThat(failures).hasSize(1);
    assertThat(b.refCnt()).isZero();
    assertThat(outbox.waiting()).isZero();
  }
}
