package io.meshagent.netty.internal.hbone;

import io.meshagent.netty.internal.ConnectionWindow;
import io.netty.channel.Channel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Settings;
import java.time.Duration;
import java.util.Set;

/**
 * The HTTP/2 parameters of HBONE, as ztunnel sets them (istio/ztunnel {@code src/config.rs}, {@code
 * src/proxy/h2/server.rs}, {@code src/proxy/h2/client.rs}, {@code src/proxy/h2.rs}).
 */
final class HboneSettings {
  /** The only ALPN protocol HBONE speaks. */
  static final String ALPN = "h2";

  /** Stream flow-control window: 4 MiB. */
  static final int STREAM_WINDOW = ConnectionWindow.STREAM;

  /** Connection flow-control window: 16 MiB, raised from 64 KiB by a WINDOW_UPDATE on stream 0. */
  static final int CONNECTION_WINDOW = ConnectionWindow.CONNECTION;

  /** Largest frame we accept: 1 MiB. */
  static final int MAX_FRAME = 1024 * 1024;

  /** What the server advertises as MAX_CONCURRENT_STREAMS (ztunnel's; waypoints use 100). */
  static final int SERVER_MAX_STREAMS = 200;

  /** The most streams the client multiplexes on one connection (ztunnel's pool default). */
  static final int CLIENT_MAX_STREAMS = 100;

  /** Header lists above 64 KiB are refused: a CONNECT needs a handful of headers. */
  static final int MAX_HEADER_LIST = 64 * 1024;

  static final Duration PING_INTERVAL = Duration.ofSeconds(10);
  static final Duration PING_TIMEOUT = Duration.ofSeconds(20);

  /** How long a graceful close (GOAWAY) waits for live streams to finish. */
  static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);

  /**
   * Authority ports that would loop back into the proxy (ztunnel's {@code illegal_ports}): the
   * outbound capture port, the inbound plaintext capture port and HBONE itself.
   */
  static final Set<Integer> SELF_CALL_PORTS = Set.of(15001, 15006, 15008);

  /**
   * The connection's write buffer marks. Netty's HTTP/2 flow controller writes at most what the
   * connection takes before it turns unwritable, so with Netty's 64 KiB mark a tunnel's bulk went
   * out in DATA frames of 64 KiB or less, each a wake-up of the reader at the other end, whatever
   * the frame size the peer allows.
   */
  static final WriteBufferWaterMark CONNECTION_WATER_MARK =
      new WriteBufferWaterMark(MAX_FRAME / 2, MAX_FRAME);

  private HboneSettings() {}

  /** Tunes an HBONE connection, client or server side, before it carries a byte. */
  static void tune(Channel connection) {
    connection.config().setWriteBufferWaterMark(CONNECTION_WATER_MARK);
  }

  static Http2FrameCodec serverCodec(int maxConcurrentStreams) {
    return RefusedStreams.serverBuilder()
        .initialSettings(
            Http2Settings.defaultSettings()
                .initialWindowSize(STREAM_WINDOW)
                .maxFrameSize(MAX_FRAME)
                .maxConcurrentStreams(maxConcurrentStreams)
                .maxHeaderListSize(MAX_HEADER_LIST))
        .gracefulShutdownTimeoutMillis(DRAIN_TIMEOUT.toMillis())
        .build();
  }

  static Http2FrameCodec clientCodec() {
    return Http2FrameCodecBuilder.forClient()
        .initialSettings(
            Http2Settings.defaultSettings()
                .initialWindowSize(STREAM_WINDOW)
                .maxFrameSize(MAX_FRAME)
                .maxHeaderListSize(MAX_HEADER_LIST)
                .pushEnabled(false))
        // A stream above the peer's MAX_CONCURRENT_STREAMS waits instead of being refused.
        .encoderEnforceMaxConcurrentStreams(true)
        .gracefulShutdownTimeoutMillis(DRAIN_TIMEOUT.toMillis())
        .build();
  }
}
