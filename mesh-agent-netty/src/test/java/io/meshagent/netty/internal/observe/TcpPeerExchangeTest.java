package io.meshagent.netty.internal.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshagent.core.internal.telemetry.WorkloadMetadata;
import io.meshagent.core.internal.telemetry.peer.TcpMetadataExchange;
import io.meshagent.netty.testing.Capture;
import io.meshagent.netty.testing.LeakCheck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The TCP metadata exchange on an {@link EmbeddedChannel}: our frame goes out first, the peer's
 * comes off the stream however it is split, and everything else reaches the app exactly as sent.
 */
class TcpPeerExchangeTest {
  private static final WorkloadMetadata PEER =
      WorkloadMetadata.builder()
          .name("ratings-v1-abc")
          .namespace("default")
          .workload("ratings-v1")
          .app("ratings")
          .version("v1")
          .build();
  private static final byte[] OURS =
      TcpMetadataExchange.frame(WorkloadMetadata.UNKNOWN.toBuilder().workload("me").build(), "id");

  private final Capture app = new Capture();
  private final TcpPeerExchange exchange = new TcpPeerExchange(OURS, "test");
  private final EmbeddedChannel ch = new EmbeddedChannel(exchange, app);

  @BeforeAll
  static void leakCheck() throws Exception {
    LeakCheck.install();
  }

  @AfterEach
  void noLeaks() {
    ch.finishAndReleaseAll();
    assertThat(LeakCheck.leaks()).isEmpty();
  }

  private void receive(byte[] bytes) {
    ch.writeInbound(ByteBufAllocator.DEFAULT.buffer(bytes.length).writeBytes(bytes));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private byte[] written() {
    ByteBuf out = ch.readOutbound();
    try {
      return ByteBufUtil.getBytes(out);
    } finally {
      out.release();
    }
  }

  @Test
  void sendsOurFrameFirstAndTakesThePeersOffTheStream() throws Exception {
    assertThat(written()).isEqualTo(OURS);
    byte[] app = "GET-like app bytes".getBytes(StandardCharsets.US_ASCII);
    receive(concat(TcpMetadataExchange.frame(PEER, "peer-id"), app));

    assertThat(exchange.peer().getNow(null)).isEqualTo(PEER);
    assertThat(this.app.bytes.toByteArray()).isEqualTo(app);
    assertThat(ch.pipeline().get(TcpPeerExchange.class)).isNull();
  }

  @Test
  void aFrameSplitIntoSingleBytesIsTheSame() {
    byte[] frame = TcpMetadataExchange.frame(PEER, "peer-id");
    byte[] all = concat(frame, new byte[] {1, 2, 3});
    for (int i = 0; i < all.length; i++) {
      assertThat(exchange.peer().isDone()).as("after %d bytes", i).isEqualTo(i >= frame.length);
      receive(new byte[] {all[i]});
    }
    assertThat(exchange.peer().getNow(null)).isEqualTo(PEER);
    assertThat(app.bytes.toByteArray()).isEqualTo(new byte[] {1, 2, 3});
  }

  @Test
  void bytesWithoutTheMagicAreTheAppsAndThePeerIsUnknown() {
    byte[] almost = {0x3D, 0x23, 0x05, 0x67, 0, 0, 0, 1, 9}; // the third byte differs
    receive(almost);
    assertThat(exchange.peer()).isCompletedWithValue(null);
    assertThat(app.bytes.toByteArray()).isEqualTo(almost);
  }

  @Test
  void theEndOfInputBeforeAFrameLeavesThePeerUnknownAndPassesWhatCame() {
    receive(new byte[] {0x3D, 0x23}); // could be the magic
    ch.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
    assertThat(exchange.peer()).isCompletedWithValue(null);
    assertThat(app.bytes.toByteArray()).isEqualTo(new byte[] {0x3D, 0x23});
  }

  @Test
  void aPeerThatSaysNothingIsUnknownAfterTheTimeout() {
    ch.advanceTimeBy(TcpPeerExchange.TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    assertThat(exchange.peer()).isCompletedWithValue(null);
    byte[] later = {7, 7};
    receive(later);
    assertThat(app.bytes.toByteArray()).isEqualTo(later);
  }

  /** The wait ends, but a frame that comes late is still never the app's. */
  @Test
  void aFrameAfterTheTimeoutIsStillTakenOffTheStream() {
    ch.advanceTimeBy(TcpPeerExchange.TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    assertThat(exchange.peer()).isCompletedWithValue(null);
    byte[] app = {4, 2};
    receive(concat(TcpMetadataExchange.frame(PEER, "late"), app));
    assertThat(this.app.bytes.toByteArray()).isEqualTo(app);
    assertThat(ch.pipeline().get(TcpPeerExchange.class)).isNull();
  }

  @Test
  void aFrameOverTheLimitClosesTheConnection() {
    receive(
        ByteBuffer.allocate(8)
            .putInt(TcpMetadataExchange.MAGIC)
            .putInt(TcpMetadataExchange.MAX_BODY_BYTES + 1)
            .array());
    assertThat(ch.isOpen()).isFalse();
    assertThat(exchange.peer()).isCompletedWithValue(null);
    assertThat(app.bytes.size()).isZero();
  }
}
