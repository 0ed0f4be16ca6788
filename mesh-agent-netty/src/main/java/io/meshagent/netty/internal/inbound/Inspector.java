package io.meshagent.netty.internal.inbound;

import io.meshagent.core.internal.listener.ConnectionInfo;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Envoy's listener filters {@code tls_inspector} and {@code http_inspector} in one: reads, without
 * consuming, the first record of a TLS client (SNI, ALPN) or the first bytes of a plaintext one
 * (HTTP/1.x → {@code http/1.1}, the HTTP/2 preface → {@code h2c}), then hands the connection's
 * {@link ConnectionInfo} on and leaves the pipeline; the bytes it held go to the handlers after it.
 */
final class Inspector extends ByteToMessageDecoder {
  private static final byte[] H2_PREFACE = "PRI * HTTP/2.0".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_METHOD = 8;

  /**
   * istiod's {@code listener_filters_timeout} for inbound listeners (its
   * PILOT_INBOUND_PROTOCOL_DETECTION_TIMEOUT), with {@code continue_on_listener_filters_timeout}: a
   * client that has not said enough by then (a server-first protocol, a slow client) is taken as
   * plaintext without ALPN rather than held forever.
   */
  static final long DETECTION_TIMEOUT_MILLIS = 1_000;

  private final int servicePort;
  private final BiConsumer<ChannelHandlerContext, ConnectionInfo> next;
  private boolean decided;
  private @Nullable ScheduledFuture<?> timer;

  Inspector(int servicePort, BiConsumer<ChannelHandlerContext, ConnectionInfo> next) {
    this.servicePort = servicePort;
    this.next = next;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    super.handlerAdded(ctx);
    timer =
        ctx.executor()
            .schedule(
                () -> {
                  if (!decided && ctx.channel().isActive()) {
                    done(ctx, "raw_buffer", null, List.of());
                  }
                },
                DETECTION_TIMEOUT_MILLIS,
                TimeUnit.MILLISECONDS);
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    if (timer != null) {
      timer.cancel(false);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof ChannelInputShutdownEvent && !decided) {
      // The client half-closed before saying enough (a few bytes then EOF): decide on what came,
      // as Envoy's inspectors stop waiting at the end of the stream, so that the handlers after
      // this one get those bytes and then the end. Passed on later, the end would reach no one.
      done(ctx, "raw_buffer", null, List.of());
      ctx.fireUserEventTriggered(evt);
      return;
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    int record = ClientHello.recordLength(in);
    if (record == 0) {
      return; // fewer than 5 bytes
    }
    if (record > 0) {
      if (in.readableBytes() < record && record <= 16_384 + 5) {
        return;
      }
      ClientHello hello = ClientHello.parse(in);
      done(ctx, "tls", hello.serverName(), hello.alpn());
      return;
    }
    List<String> alpn;
    int preface = Math.min(in.readableBytes(), H2_PREFACE.length);
    if (startsWith(in, H2_PREFACE, preface)) {
      if (preface < H2_PREFACE.length) {
        return; // the h2c preface so far: wait for the rest
      }
      alpn = List.of("h2c");
    } else {
      // An HTTP/1.x method, POST, PUT and PATCH included (they share the preface's first byte).
      int n = Math.min(in.readableBytes(), MAX_METHOD + 1);
      int i = 0;
      while (i < n && Character.isUpperCase(in.getByte(in.readerIndex() + i))) {
        i++;
      }
      if (i == n && n < MAX_METHOD + 1) {
        return; // still a plausible method: wait for more
      }
      alpn =
          i > 0 && i < n && in.getByte(in.readerIndex() + i) == ' '
              ? List.of("http/1.1")
              : List.of();
    }
    done(ctx, "raw_buffer", null, alpn);
  }

  private static boolean startsWith(ByteBuf in, byte[] prefix, int length) {
    for (int i = 0; i < length; i++) {
      if (in.getByte(in.readerIndex() + i) != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private void done(
      ChannelHandlerContext ctx, String transport, @Nullable String sni, List<String> alpn) {
    decided = true;
    InetSocketAddress local = (InetSocketAddress) ctx.channel().localAddress();
    InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
    ConnectionInfo info =
        new ConnectionInfo(
            local.getAddress().getHostAddress(),
            servicePort,
            sni,
            transport,
            alpn,
            remote.getAddress().getHostAddress(),
            remote.getPort());
    next.accept(ctx, info);
    ctx.pipeline().remove(this); // passes the held bytes on
  }
}
