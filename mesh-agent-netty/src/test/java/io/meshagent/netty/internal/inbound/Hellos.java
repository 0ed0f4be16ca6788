package io.meshagent.netty.internal.inbound;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Real ClientHellos: the first bytes a Netty {@code SslHandler} client writes, captured from an
 * {@link EmbeddedChannel} (no socket, no server). Returned as arrays, so nothing is left to
 * release.
 */
final class Hellos {
  private Hellos() {}

  /**
   * A real hello naming {@code sni}, which clients refuse to send when it has underscores, as
   * istiod's {@code outbound_.<port>_.<subset>_.<host>} names do: the hello is made for the same
   * name with {@code x} for {@code _} (same length, so every length field stays right), then the
   * name's bytes are replaced.
   */
  static byte[] clientHelloWithUnderscores(SslProvider provider, String sni, String... alpn)
      throws Exception {
    String stand = sni.replace('_', 'x');
    byte[] hello = clientHello(provider, stand, alpn);
    byte[] from = stand.getBytes(StandardCharsets.US_ASCII);
    byte[] to = sni.getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i + from.length <= hello.length; i++) {
      if (Arrays.equals(hello, i, i + from.length, from, 0, from.length)) {
        System.arraycopy(to, 0, hello, i, to.length);
        return hello;
      }
    }
    throw new AssertionError("the hello does not carry " + stand);
  }

  /**
   * The client's first flight.
   *
   * @param provider JDK or OpenSSL (BoringSSL, with GREASE and a different extension order)
   * @param sni the peer host the client names, or null for none
   * @param alpn the protocols offered; none for no ALPN extension
   */
  static byte[] clientHello(SslProvider provider, @Nullable String sni, String... alpn)
      throws Exception {
    SslContextBuilder b =
        SslContextBuilder.forClient()
            .sslProvider(provider)
            .trustManager(InsecureTrustManagerFactory.INSTANCE);
    if (alpn.length > 0) {
      b.applicationProtocolConfig(
          new ApplicationProtocolConfig(
              ApplicationProtocolConfig.Protocol.ALPN,
              ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
              ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
              List.of(alpn)));
    }
    SslContext ctx = b.build();
    EmbeddedChannel ch = new EmbeddedChannel();
    try {
      ch.pipeline()
          .addLast(sni == null ? ctx.newHandler(ch.alloc()) : ctx.newHandler(ch.alloc(), sni, 443));
      ch.runPendingTasks();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (Object o; (o = ch.readOutbound()) != null; ) {
        try {
          out.write(ByteBufUtil.getBytes((ByteBuf) o));
        } finally {
          ReferenceCountUtil.release(o);
        }
      }
      if (out.size() == 0) {
        throw new AssertionError("the client wrote no ClientHello");
      }
      return out.toByteArray();
    } finally {
      ch.finishAndReleaseAll();
      ReferenceCountUtil.release(ctx);
    }
  }
}
