package io.meshagent.netty.internal.hbone;

import io.meshagent.identity.SpiffeId;
import io.meshagent.netty.internal.tls.PeerIdentity;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;

/**
 * One client HBONE connection in the pool, and the connection-level handler that tracks it: the
 * peer's MAX_CONCURRENT_STREAMS (from its SETTINGS) and GOAWAY (no new streams). Counters are
 * guarded by the owning {@link HboneClient}'s lock. Frames are passed on (the last handler releases
 * them).
 */
final class PooledConnection extends ChannelInboundHandlerAdapter {
  final HboneClient.PoolKey key;
  final Channel channel;

  /** Completes when TLS is done, the peer identity is accepted and the peer's SETTINGS came. */
  final CompletableFuture<Channel> ready = new CompletableFuture<>();

  int streams; // reserved or open
  long peerMaxStreams = Long.MAX_VALUE;
  boolean draining;
  @Nullable ScheduledFuture<?> idle;

  private final HboneClient owner;

  PooledConnection(HboneClient owner, HboneClient.PoolKey key, Channel channel) {
    this.owner = owner;
    this.key = key;
    this.channel = channel;
  }

  /** Whether one more stream fits: ≤ 100 and never above the peer's limit. */
  boolean hasRoom() {
    return !draining
        && channel.isOpen()
        && streams < Math.min(HboneSettings.CLIENT_MAX_STREAMS, peerMaxStreams);
  }

  /** Whether the verified server is one of the expected identities (any, if none are given). */
  @Nullable String checkPeer() {
    SpiffeId peer = channel.attr(PeerIdentity.PEER).get();
    Set<SpiffeId> expected = key.destinationIdentities();
    if (peer == null) {
      return "no verified peer identity";
    }
    if (!expected.isEmpty() && !expected.contains(peer)) {
      return "server identity " + peer + " is not one of " + expected;
    }
    return null;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof Http2SettingsFrame s) {
      Long max = s.settings().maxConcurrentStreams();
      owner.peerSettings(this, max);
      ready.complete(channel);
    } else if (msg instanceof Http2GoAwayFrame) {
      owner.goAway(this);
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    ready.completeExceptionally(HboneClient.closedEarly(key, ctx.channel()));
    owner.closed(this);
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ready.completeExceptionally(cause);
    ctx.close();
  }
}
