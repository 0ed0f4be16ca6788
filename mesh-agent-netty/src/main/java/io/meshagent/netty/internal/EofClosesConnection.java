package io.meshagent.netty.internal;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;

/**
 * Closes an HTTP connection when the peer's FIN (or, inside an HBONE tunnel, its END_STREAM)
 * arrives. The agent's sockets allow half-closure, which TCP proxying needs; an HTTP connection has
 * no use for it: a peer that sent FIN sends no more frames, and the streams waiting for their
 * answers would wait for the keepalive's deadline, or forever when there is none (a peer whose
 * process was killed sends FIN for every socket it had). Envoy closes its HTTP connections on the
 * remote close too, resetting the streams still open.
 */
@ChannelHandler.Sharable
public final class EofClosesConnection extends ChannelInboundHandlerAdapter {
  public static final EofClosesConnection INSTANCE = new EofClosesConnection();

  private EofClosesConnection() {}

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    super.userEventTriggered(ctx, evt);
    if (evt instanceof ChannelInputShutdownEvent) {
      ctx.close();
    }
  }
}
