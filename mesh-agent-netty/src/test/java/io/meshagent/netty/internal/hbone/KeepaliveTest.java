package io.meshagent.netty.internal.hbone;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.Http2PingFrame;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** PING every 10 s, connection closed 20 s after an unanswered PING (ztunnel's do_ping_pong). */
class KeepaliveTest {
  private static EmbeddedChannel channel() {
    return new EmbeddedChannel(
        new Keepalive(HboneSettings.PING_INTERVAL, HboneSettings.PING_TIMEOUT));
  }

  @Test
  void pingsEveryTenSecondsWhileAnswered() {
    EmbeddedChannel ch = channel();
    assertThat((Object) ch.readOutbound()).isNull();
    for (int i = 0; i < 5; i++) {
      ch.advanceTimeBy(10, TimeUnit.SECONDS);
      ch.runScheduledPendingTasks();
      Http2PingFrame ping = ch.readOutbound();
      assertThat(ping).as("ping %d", i).isNotNull();
      assertThat(ping.ack()).isFalse();
      ch.writeInbound(new DefaultHttp2PingFrame(ping.content(), true));
      assertThat((Object) ch.readInbound()).as("acks are consumed").isNull();
    }
    assertThat(ch.isOpen()).isTrue();
    ch.finishAndReleaseAll();
  }

  @Test
  void closesTwentySecondsAfterAnUnansweredPing() {
    EmbeddedChannel ch = channel();
    ch.advanceTimeBy(10, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
    assertThat((Object) ch.readOutbound()).isNotNull();
    ch.advanceTimeBy(10, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
    assertThat(ch.isOpen()).as("10 s without an answer").isTrue();
    ch.advanceTimeBy(10, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
    assertThat(ch.isOpen()).as("20 s without an answer").isFalse();
    assertThat(Duration.ofSeconds(20)).isEqualTo(HboneSettings.PING_TIMEOUT);
    ch.finishAndReleaseAll();
  }
}
