package io.meshagent.netty.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/** When a connection's gathered flushes are passed on. */
class ConnectionFlushesTest {
  /**
   * Stands for the TLS handler before the one under test: counts the flushes that get past it and
   * the bytes that had been written when the last of them did. It passes nothing on.
   */
  private static final class Flushes extends ChannelOutboundHandlerAdapter {
    int count;
    int bytesFlushed;
    int bytesWritten;

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      bytesWritten += ((ByteBuf) msg).readableBytes();
      ((ByteBuf) msg).release();
      promise.setSuccess();
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
      count++;
      bytesFlushed = bytesWritten;
    }
  }

  private final Flushes passed = new Flushes();
  private final EmbeddedChannel ch = new EmbeddedChannel(passed, FlushBatching.handler());

  private static ByteBuf bytes(int n) {
    return Unpooled.wrappedBuffer(new byte[n]);
  }

  @Test
  void duringAReadFlushesWaitForItsEndUnlessARecordsWorthIsWaiting() {
    // Through the pipeline: the embedded channel's writeAndFlush runs queued tasks after it, as
    // if the event-loop turn had ended.
    ch.pipeline().fireChannelRead("request");
    for (int i = 0; i < 10; i++) {
      ch.pipeline().writeAndFlush(bytes(1024));
    }
    assertThat(passed.count).as("10 KiB: gathered").isZero();
    ch.pipeline().writeAndFlush(bytes(8 * 1024));
    assertThat(passed.count).as("18 KiB: passed on").isEqualTo(1);
    ch.pipeline().writeAndFlush(bytes(1024));
    assertThat(passed.count).isEqualTo(1);

    ch.pipeline().fireChannelReadComplete();
    assertThat(passed.count).as("the rest at the end of the read").isEqualTo(2);
    assertThat(passed.bytesFlushed).isEqualTo(19 * 1024);
    ch.finishAndReleaseAll();
  }

  @Test
  void aReadThatNeverCompletesIsFlushedAtTheEndOfTheTurn() {
    ch.pipeline().fireChannelRead("request");
    ch.pipeline().writeAndFlush(bytes(100));
    assertThat(passed.count).isZero();
    ch.runPendingTasks();
    assertThat(passed.count).isEqualTo(1);
    assertThat(passed.bytesFlushed).isEqualTo(100);
    ch.finishAndReleaseAll();
  }

  @Test
  void outsideAReadFlushesOfOneTurnArePassedOnOnceAtItsEnd() {
    // Through the pipeline: the embedded channel's writeAndFlush runs queued tasks after it.
    ch.pipeline().writeAndFlush(bytes(100));
    ch.pipeline().writeAndFlush(bytes(100));
    assertThat(passed.count).isZero();

    ch.runPendingTasks();
    assertThat(passed.count).isEqualTo(1);
    ch.runPendingTasks();
    assertThat(passed.count).as("nothing more to flush").isEqualTo(1);
    assertThat(passed.bytesFlushed).isEqualTo(200);
    ch.finishAndReleaseAll();
  }

  @Test
  void aWantedFlushLeavesBeforeTheClose() {
    ch.pipeline().fireChannelRead("request");
    ch.pipeline().writeAndFlush(bytes(100));
    ch.pipeline().close();
    assertThat(passed.count).isEqualTo(1);
    assertThat(passed.bytesFlushed).isEqualTo(100);
    ch.finishAndReleaseAll();
  }
}
