package io.meshagent.netty.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class ReadSizeTest {

  @Test
  void aConnectionOfMessagesReadsAtMost64KiBAndAStreamGrowsTo256KiB() {
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.config().setRecvByteBufAllocator(ReadSize.allocator());
    // Made once, as Netty makes a channel's handle at its first read and keeps it.
    RecvByteBufAllocator.ExtendedHandle handle =
        (RecvByteBufAllocator.ExtendedHandle) ch.config().getRecvByteBufAllocator().newHandle();

    assertThat(fullReads(ch, handle, 20)).isEqualTo(ReadSize.MESSAGES_MAX);

    ReadSize.stream(ch);
    assertThat(fullReads(ch, handle, 20)).isEqualTo(ReadSize.STREAM_MAX);
    ch.finishAndReleaseAll();
  }

  @Test
  void aStreamThatReadsLittleShrinksBack() {
    EmbeddedChannel ch = new EmbeddedChannel();
    ReadSize.stream(ch);
    RecvByteBufAllocator.ExtendedHandle handle =
        (RecvByteBufAllocator.ExtendedHandle) ch.config().getRecvByteBufAllocator().newHandle();
    assertThat(fullReads(ch, handle, 20)).isEqualTo(ReadSize.STREAM_MAX);

    for (int i = 0; i < 40; i++) {
      handle.reset(ch.config());
      ByteBuf buf = handle.allocate(UnpooledByteBufAllocator.DEFAULT);
      handle.attemptedBytesRead(buf.writableBytes());
      handle.lastBytesRead(100);
      handle.incMessagesRead(1);
      handle.readComplete();
      buf.release();
    }
    assertThat(handle.guess()).isLessThan(ReadSize.MESSAGES_MAX);
    ch.finishAndReleaseAll();
  }

  /** {@code n} read loops whose one read fills its buffer; the buffer size of the last. */
  private static int fullReads(
      EmbeddedChannel ch, RecvByteBufAllocator.ExtendedHandle handle, int n) {
    int size = 0;
    for (int i = 0; i < n; i++) {
      handle.reset(ch.config());
      ByteBuf buf = handle.allocate(UnpooledByteBufAllocator.DEFAULT);
      size = buf.capacity();
      handle.attemptedBytesRead(buf.writableBytes());
      handle.lastBytesRead(buf.writableBytes());
      handle.incMessagesRead(1);
      handle.readComplete();
      buf.release();
    }
    return size;
  }
}
