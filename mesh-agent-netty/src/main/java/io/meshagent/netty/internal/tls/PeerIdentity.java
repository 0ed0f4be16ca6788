package io.meshagent.netty.internal.tls;

import io.meshagent.core.internal.identity.PeerVerificationException;
import io.meshagent.core.internal.identity.SpiffeTrustManager;
import io.meshagent.identity.SpiffeId;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.AttributeKey;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After the handshake, stores the peer's verified SPIFFE id on the channel for authorization and
 * telemetry; a failed handshake is logged with the peer's address and the reason, and the
 * connection closed. Stateless, so one instance serves every channel.
 */
@io.netty.channel.ChannelHandler.Sharable
public final class PeerIdentity extends ChannelInboundHandlerAdapter {
  /** The peer's SPIFFE id, set once the handshake succeeded. */
  public static final AttributeKey<SpiffeId> PEER =
      AttributeKey.valueOf("mesh-agent.peer-identity");

  /**
   * Why TLS ended the connection when it did (a peer's alert after the handshake: in TLS 1.3 a
   * server refuses the client's certificate only then), for the errors of what ran over it.
   */
  public static final AttributeKey<String> TLS_FAILURE =
      AttributeKey.valueOf("mesh-agent.tls-failure");

  /** {@code "; TLS: <why>"} when TLS ended {@code ch} ({@link #TLS_FAILURE}), else empty. */
  public static String tlsFailure(io.netty.channel.Channel ch) {
    String why = ch.hasAttr(TLS_FAILURE) ? ch.attr(TLS_FAILURE).get() : null;
    return why == null ? "" : "; TLS: " + why;
  }

  public static final PeerIdentity INSTANCE = new PeerIdentity();
  private static final Logger log = LoggerFactory.getLogger(PeerIdentity.class);

  private PeerIdentity() {}

  /**
   * What actually went wrong: our verifier's refusal when the chain holds one (it names the peer
   * and the rule: "spiffe://... is not valid until ..."), else the innermost message of the chain,
   * under the TLS stack's wrappers. The verifier's message goes before what it wraps, the JDK's
   * terse "NotBefore: ..." for instance.
   */
  public static String reason(Throwable t) {
    String reason = t.toString();
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof PeerVerificationException) {
        return bounded(c.getMessage());
      }
      if (c.getMessage() != null) {
        reason = c.getMessage();
      }
    }
    return bounded(reason);
  }

  /**
   * Longest reason kept: a reason may quote what the peer sent (a certificate's URI SAN, a record's
   * bytes), and one peer must not be able to write log lines of any length.
   */
  static final int MAX_REASON = 400;

  static String bounded(String reason) {
    return reason.length() <= MAX_REASON
        ? reason
        : reason.substring(0, MAX_REASON) + "… (" + reason.length() + " chars)";
  }

  /**
   * A TLS failure is reported by the handshake event above (with the peer and the reason); the
   * exception that follows it is not passed on to be logged again, and the connection closes.
   */
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof io.netty.handler.codec.DecoderException
        && cause.getCause() instanceof javax.net.ssl.SSLException) {
      String reason = reason(cause);
      ctx.channel().attr(TLS_FAILURE).setIfAbsent(reason);
      SslHandler ssl = ctx.pipeline().get(SslHandler.class);
      if (ssl != null && ssl.handshakeFuture().isSuccess()) {
        // A handshake failure was logged with its event; an alert after it was not.
        log.warn("mTLS with {} ended by TLS: {}", ctx.channel().remoteAddress(), reason);
      }
      ctx.close();
      return;
    }
    ctx.fireExceptionCaught(cause);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof SslHandshakeCompletionEvent done) {
      if (done.isSuccess()) {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        try {
          ctx.channel().attr(PEER).set(SpiffeTrustManager.peerIdentity(ssl.engine().getSession()));
        } catch (SSLPeerUnverifiedException e) {
          log.warn("mTLS with {} refused: {}", ctx.channel().remoteAddress(), e.getMessage());
          ctx.close();
          return;
        }
      } else {
        log.warn(
            "mTLS handshake with {} on {} failed: {}",
            ctx.channel().remoteAddress(),
            ctx.channel().localAddress(),
            reason(done.cause()));
      }
    }
    super.userEventTriggered(ctx, evt);
  }
}
