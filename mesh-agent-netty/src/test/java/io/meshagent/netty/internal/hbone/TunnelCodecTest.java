package io.meshagent.netty.internal.hbone;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The codec's outbound side: writes between flushes leave as one DATA frame, in order. */
class TunnelCodecTest {
  private static ByteBuf text(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
  }

  @Test
  void writesBetweenFlushesLeaveAsOneFrameAndCompleteEveryPromise() {
    EmbeddedChannel ch = new EmbeddedChannel(new TunnelCodec());
    ChannelPromise first = ch.newPromise();
    ChannelPromise second = ch.newPromise();
    ch.write(text("HEADERS"), first);
    ch.write(text("DATA"), second);
    assertThat((Object) ch.readOutbound()).as("nothing leaves before the flush").isNull();

    ch.flush();

    Http2DataFrame frame = ch.readOutbound();
    try {
      assertThat(frame.content().toString(StandardCharsets.US_ASCII)).isEqualTo("HEADERSDATA");
      assertThat(frame.isEndStream()).isFalse();
    } finally {
      frame.release();
    }
    assertThat((Object) ch.readOutbound()).isNull();
    assertThat(first.isSuccess()).isTrue();
    assertThat(second.isSuccess()).isTrue();
    assertThat(ch.finishAndReleaseAll()).isFalse();
  }

  @Test
  void endStreamFollowsTheDataWrittenBeforeIt() {
    EmbeddedChannel ch = new EmbeddedChannel(new TunnelCodec());
    ch.write(text("last bytes"));
    ch.writeAndFlush(TunnelCodec.END_STREAM);

    Http2DataFrame data = ch.readOutbound();
    Http2DataFrame end = ch.readOutbound();
    try {
      assertThat(data.content().toString(StandardCharsets.US_ASCII)).isEqualTo("last bytes");
      assertThat(data.isEndStream()).isFalse();
      assertThat(end.content().isReadable()).isFalse();
      assertThat(end.isEndStream()).isTrue();
    } finally {
      data.release();
      end.release();
    }
    assertThat(ch.finishAndReleaseAll()).isFalse();
  }

  @Test
  void manyPiecesAreSplitRatherThanCopied() {
    EmbeddedChannel ch = new EmbeddedChannel(new TunnelCodec());
    for (int i = 0; i < 150; i++) {
      ch.write(text("x"));
    }
    ch.flush();
    int frames = 0;
    int bytes = 0;
    for (Http2DataFrame f; (f = ch.readOutbound()) != null; ) {
      frames++;
      bytes += f.content().readableBytes();
      f.release();
    }
    assertThat(bytes).isEqualTo(150);
    assertThat(frames).as("64 pieces per frame at most").isEqualTo(3);
    assertThat(ch.finishAndReleaseAll()).isFalse();
  }

  @Test
  void flushesDuringAReadAreGatheredUntilItsEndOrARecordsWorth() {
    EmbeddedChannel ch = new EmbeddedChannel(new TunnelCodec());
    // Through the pipeline: the embedded channel's writeAndFlush runs queued tasks after it, as
    // if the event-loop turn had ended.
    ch.pipeline().fireChannelRead(new DefaultHttp2DataFrame(text("request")));
    ch.pipeline().fireChannelRead(new DefaultHttp2DataFrame(text("request")));
    ch.pipeline().writeAndFlush(text("first answer"));
    ch.pipeline().writeAndFlush(text("second answer"));
    assertThat((Object) ch.readOutbound()).as("gathered while the read lasts").isNull();

    ch.pipeline().fireChannelReadComplete();

    Http2DataFrame frame = ch.readOutbound();
    try {
      assertThat(frame.content().toString(StandardCharsets.US_ASCII))
          .isEqualTo("first answersecond answer");
    } finally {
      frame.release();
    }

    ch.pipeline().fireChannelRead(new DefaultHttp2DataFrame(text("request")));
    ch.pipeline().writeAndFlush(Unpooled.wrappedBuffer(new byte[10 * 1024]));
    ch.pipeline().writeAndFlush(Unpooled.wrappedBuffer(new byte[10 * 1024]));
    Http2DataFrame early = ch.readOutbound();
    try {
      assertThat(early.content().readableBytes())
          .as("past 16 KiB the gathered answers leave before the read ends")
          .isEqualTo(20 * 1024);
    } finally {
      early.release();
    }
    ch.pipeline().fireChannelReadComplete();
    assertThat((Object) ch.readOutbound()).isNull();

    ch.pipeline().writeAndFlush(text("outside a read"));
    Http2DataFrame lone = ch.readOutbound();
    try {
      assertThat(lone.content().toString(StandardCharsets.US_ASCII)).isEqualTo("outside a read");
    } finally {
      lone.release();
    }
    for (ByteBuf in; (in = ch.readInbound()) != null; ) {
      in.release();
    }
    assertThat(ch.finishAndReleaseAll()).isFalse();
  }

  @Test
  void aFlushHeldForTheEndOfAReadLeavesAtTheEndOfTheTurnOrBeforeAClose() {
    EmbeddedChannel ch = new EmbeddedChannel(new TunnelCodec());
    ch.pipeline().fireChannelRead(new DefaultHttp2DataFrame(text("request")));
    ch.pipeline().writeAndFlush(text("answer"));
    assertThat((Object) ch.readOutbound()).isNull();
    ch.runPendingTasks(); // the read's channelReadComplete never came
    Http2DataFrame atTurnEnd = ch.readOutbound();
    try {
      assertThat(atTurnEnd.content().toString(StandardCharsets.US_ASCII)).isEqualTo("answer");
    } finally {
      atTurnEnd.release();
    }

    // Records what reaches the stream, and keeps it: the embedded transport would run the queued
    // end-of-turn task at the write, which is what this part must do without.
    List<String> events = new ArrayList<>();
    List<Http2DataFrame> frames = new ArrayList<>();
    ch.pipeline()
        .addFirst(
            new ChannelOutboundHandlerAdapter() {
              @Override
              public void write(ChannelHandlerContext c, Object msg, ChannelPromise p) {
                events.add("write");
                frames.add((Http2DataFrame) msg);
                p.setSuccess();
              }

              @Override
              public void flush(ChannelHandlerContext c) {
                events.add("flush");
              }

              @Override
              public void close(ChannelHandlerContext c, ChannelPromise p) {
                events.add("close");
                c.close(p);
              }
            });
    ch.pipeline().fireChannelRead(new DefaultHttp2DataFrame(text("last request")));
    ch.pipeline().writeAndFlush(text("last answer"));
    ch.pipeline().close();
    assertThat(events)
        .as("flushed, not only written, ahead of the stream's reset")
        .containsExactly("write", "flush", "close");
    try {
      assertThat(frames.get(0).content().toString(StandardCharsets.US_ASCII))
          .isEqualTo("last answer");
    } finally {
      frames.forEach(Http2DataFrame::release);
    }
    for (ByteBuf in; (in = ch.readInbound()) != null; ) {
      in.release();
    }
    ch.finishAndReleaseAll();
  }

  @Test
  void writesPendingWhenTheHandlerGoesAwayAreReleasedAndFailed() {
    EmbeddedChannel ch = new EmbeddedChannel(new TunnelCodec());
    ByteBuf buf = text("never flushed");
    ChannelPromise p = ch.newPromise();
    ch.write(buf, p);
    ch.pipeline().removeFirst();

    assertThat(buf.refCnt()).isZero();
    assertThat(p.isDone() && !p.isSuccess()).isTrue();
    ch.finishAndReleaseAll();
  }
}
