package io.meshagent.netty.internal.inbound;

import io.meshagent.netty.internal.ReadSize;
import io.meshagent.netty.internal.outbound.HttpMessages;
import io.meshagent.traffic.MeshHttpHandler;
import io.meshagent.traffic.MeshHttpResponse;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.jspecify.annotations.Nullable;

/**
 * The sidecar's forward to the app: inbound HTTP requests that passed the checks go to the app's
 * port on loopback over pooled plaintext HTTP/1.1 connections. A failure to reach the app is
 * Envoy's 503.
 */
final class AppForwarder {
  private static final AttributeKey<Forwarded> PENDING =
      AttributeKey.valueOf("mesh-agent.app-pending");

  private final EventLoopGroup group;
  private final int maxBody;

  AppForwarder(EventLoopGroup group, int maxBody) {
    this.group = group;
    this.maxBody = maxBody;
  }

  /**
   * The app's answer to one request, with the connection it came over, for the access log (as
   * Envoy's inbound line names the app and the local end of its connection to it).
   */
  static final class Forwarded extends CompletableFuture<MeshHttpResponse> {
    final InetSocketAddress app;
    // Set before the answer completes; null if no connection came up.
    volatile @Nullable SocketAddress local;

    Forwarded(InetSocketAddress app) {
      this.app = app;
    }
  }

  /** A handler that forwards to {@code app}; each answer is a {@link Forwarded}. */
  MeshHttpHandler to(InetSocketAddress app) {
    Deque<Channel> idle = new ConcurrentLinkedDeque<>();
    return (request, context) -> {
      Forwarded result = new Forwarded(app);
      Channel ch;
      while ((ch = idle.pollFirst()) != null) {
        if (ch.isActive()) {
          send(ch, request, result, idle);
          return result;
        }
      }
      new Bootstrap()
          .group(group)
          .channel(NioSocketChannel.class)
          .option(ChannelOption.TCP_NODELAY, true)
          .option(ChannelOption.RECVBUF_ALLOCATOR, ReadSize.allocator())
          .handler(
              new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel c) {
                  c.pipeline()
                      .addLast(
                          new HttpClientCodec(),
                          new HttpObjectAggregator(maxBody),
                          new Reader(idle));
                }
              })
          .connect(app)
          .addListener(
              f -> {
                if (f.isSuccess()) {
                  send(((io.netty.channel.ChannelFuture) f).channel(), request, result, idle);
                } else {
                  result.complete(
                      local("UF", "app at " + app + " unreachable: " + f.cause().getMessage()));
                }
              });
      return result;
    };
  }

  /**
   * The sidecar's own 503 when the app could not answer, with Envoy's flag for why ({@code UF} the
   * connect failed, {@code UC} the connection ended), which the access log and metrics show.
   */
  private static MeshHttpResponse local(String flag, String why) {
    return MeshHttpResponse.of(503, why).withUpstream(null, "", "", 0, flag);
  }

  private static void send(
      Channel ch,
      io.meshagent.traffic.MeshHttpRequest request,
      Forwarded result,
      Deque<Channel> idle) {
    result.local = ch.localAddress();
    ch.eventLoop()
        .execute(
            () -> {
              ch.attr(PENDING).set(result);
              ch.writeAndFlush(HttpMessages.toNetty(request))
                  .addListener(
                      f -> {
                        if (!f.isSuccess()) {
                          result.complete(local("UC", "app write failed: " + f.cause()));
                          ch.close();
                        }
                      });
            });
  }

  private static final class Reader extends SimpleChannelInboundHandler<FullHttpResponse> {
    private final Deque<Channel> idle;

    Reader(Deque<Channel> idle) {
      this.idle = idle;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
      Forwarded p = ctx.channel().attr(PENDING).getAndSet(null);
      if (p == null) {
        ctx.close();
        return;
      }
      p.complete(
          new MeshHttpResponse(
              r.status().code(),
              HttpMessages.headers(r.headers()),
              ByteBufUtil.getBytes(r.content())));
      if (HttpUtil.isKeepAlive(r)) {
        idle.offerFirst(ctx.channel());
      } else {
        ctx.close();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      Forwarded p = ctx.channel().attr(PENDING).getAndSet(null);
      if (p != null) {
        p.complete(local("UC", "app closed the connection before answering"));
      }
      super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
