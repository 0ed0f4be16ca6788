package io.meshagent.netty.internal.outbound;

import io.meshagent.core.internal.traffic.Upstream;
import io.meshagent.netty.internal.ConnectionWindow;
import io.meshagent.netty.internal.EofClosesConnection;
import io.meshagent.netty.internal.FlushBatching;
import io.meshagent.netty.internal.Loops;
import io.meshagent.netty.internal.observe.OwnFields;
import io.meshagent.netty.internal.tls.PeerIdentity;
import io.meshagent.traffic.HttpProtocol;
import io.meshagent.traffic.MeshHttpRequest;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * HTTP exchanges with endpoints over pooled connections, as Envoy's connection pools: per endpoint,
 * transport and protocol. HTTP/1.1 keeps idle connections and sends one request at a time on each;
 * HTTP/2 keeps one connection and opens a stream per request. A connection that closes leaves the
 * pool; pools take no lock.
 */
final class HttpUpstreamPool implements AutoCloseable {
  private final UpstreamConnector connector;
  private final int maxBody;
  private final Supplier<@Nullable OwnFields> own;
  private final Map<PoolKey, Deque<Http1Connection>> idle = new ConcurrentHashMap<>();
  private final Map<PoolKey, CompletableFuture<H2Connection>> h2 = new ConcurrentHashMap<>();

  /** An HTTP/1.1 connection and its reader. */
  private record Http1Connection(Channel channel, ResponseReader reader) {}

  /**
   * @param own our metadata-exchange fields for every request's encoder to add (telemetry's), or
   *     null for none
   */
  HttpUpstreamPool(UpstreamConnector connector, int maxBody, Supplier<@Nullable OwnFields> own) {
    this.connector = connector;
    this.maxBody = maxBody;
    this.own = own;
  }

  private static PoolKey key(Upstream u, HttpProtocol p) {
    return new PoolKey(u.cluster().name(), u.key(), u.transport(), p);
  }

  /**
   * What connections are shared by: cluster, endpoint, protocol and the transport configuration,
   * compared by identity (a CDS update that changes TLS settings makes new objects, hence new
   * connections; formatting the transport per request cost more than the request's routing).
   */
  private static final class PoolKey {
    private final String cluster;
    private final String endpoint;
    private final Object transport;
    private final HttpProtocol protocol;
    private final int hash;

    PoolKey(String cluster, String endpoint, Object transport, HttpProtocol protocol) {
      this.cluster = cluster;
      this.endpoint = endpoint;
      this.transport = transport;
      this.protocol = protocol;
      this.hash =
          (cluster.hashCode() * 31 + endpoint.hashCode()) * 31
              + System.identityHashCode(transport) * 3
              + protocol.ordinal();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof PoolKey k
          && k.transport == transport
          && k.protocol == protocol
          && k.endpoint.equals(endpoint)
          && k.cluster.equals(cluster);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /**
   * Sends {@code request} to the endpoint. Called on the connection's event loop, the send runs
   * inline, and a stream that cannot be opened may fail the exchange before this returns.
   */
  Exchange send(Upstream u, MeshHttpRequest request) {
    Exchange e = new Exchange();
    if (request.protocol() == HttpProtocol.HTTP_2) {
      sendH2(u, request, e);
    } else {
      sendH1(u, request, e);
    }
    return e;
  }

  private void sendH1(Upstream u, MeshHttpRequest request, Exchange e) {
    PoolKey key = key(u, HttpProtocol.HTTP_1_1);
    Deque<Http1Connection> q = idle.computeIfAbsent(key, k -> new ConcurrentLinkedDeque<>());
    for (Http1Connection c; (c = q.pollFirst()) != null; ) {
      if (c.channel.isActive()) {
        write(c, request, e);
        return;
      }
    }
    ResponseReader reader = new ResponseReader();
    ChannelInitializer<Channel> init =
        new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(maxBody), reader);
          }
        };
    connector
        .connect(u, IstioAlpn.HTTP11, init, true)
        .whenComplete(
            (ch, err) -> {
              if (err != null) {
                e.response.completeExceptionally(err);
                return;
              }
              Http1Connection c = new Http1Connection(ch, reader);
              // Back to the pool after each complete response that keeps the connection.
              reader.onIdle(() -> q.offerFirst(c));
              write(c, request, e);
            });
  }

  private void write(Http1Connection c, MeshHttpRequest request, Exchange e) {
    Channel ch = c.channel;
    Loops.run(
        ch.eventLoop(),
        () -> {
          c.reader.begin(e);
          e.bind(ch);
          ch.writeAndFlush(HttpMessages.toNetty(request, own.get()))
              .addListener(
                  f -> {
                    if (!f.isSuccess()) {
                      e.response.completeExceptionally(
                          new UpstreamResetException(
                              "request could not be written: " + f.cause().getMessage()));
                      ch.close();
                    }
                  });
        });
  }

  private void sendH2(Upstream u, MeshHttpRequest request, Exchange e) {
    sendH2(u, request, e, 0);
  }

  /**
   * @param reconnects connections already found closed for this request: one that closes before its
   *     SETTINGS carried nothing of it, so the request may go on a new one (once)
   */
  private void sendH2(Upstream u, MeshHttpRequest request, Exchange e, int reconnects) {
    PoolKey key = key(u, HttpProtocol.HTTP_2);
    CompletableFuture<H2Connection> conn = h2.computeIfAbsent(key, k -> connectH2(u, k));
    conn.whenComplete(
        (c, err) -> {
          if (err != null) {
            h2.remove(key, conn);
            if (err instanceof ClosedBeforeSettings && reconnects == 0) {
              sendH2(u, request, e, 1);
              return;
            }
            e.response.completeExceptionally(err);
            return;
          }
          if (!c.parent.isActive()) {
            h2.remove(key, conn);
            sendH2(u, request, e, reconnects);
            return;
          }
          Loops.run(c.parent.eventLoop(), () -> c.submit(() -> openStream(c, request, e)));
        });
  }

  /**
   * An HTTP/2 connection and its stream budget: requests beyond the server's MAX_CONCURRENT_STREAMS
   * wait for a stream to finish, as in Envoy's pool. Event loop only.
   */
  private static final class H2Connection {
    final Channel parent;
    private final Http2FrameCodec codec;
    final java.util.ArrayDeque<Runnable> pending = new java.util.ArrayDeque<>();
    int active;

    H2Connection(Channel parent) {
      this.parent = parent;
      this.codec = parent.pipeline().get(Http2FrameCodec.class);
    }

    private int max() {
      return codec.connection().remote().maxActiveStreams();
    }

    void submit(Runnable open) {
      if (active < max()) {
        active++;
        open.run();
      } else {
        pending.add(open);
      }
    }

    void streamClosed() {
      active--;
      Runnable next = pending.poll();
      if (next != null) {
        active++;
        next.run();
      }
    }
  }

  private void openStream(H2Connection c, MeshHttpRequest request, Exchange e) {
    OwnFields ours = own.get();
    Http2ResponseReader reader = new Http2ResponseReader(e, maxBody, ours != null);
    new Http2StreamChannelBootstrap(c.parent)
        .handler(
            new ChannelInitializer<Http2StreamChannel>() {
              @Override
              protected void initChannel(Http2StreamChannel ch) {
                ch.attr(PeerIdentity.PEER).set(c.parent.attr(PeerIdentity.PEER).get());
                ch.pipeline().addLast(FlushBatching.stream(), reader);
              }
            })
        .open()
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                c.streamClosed();
                e.response.completeExceptionally(
                    new UpstreamResetException(
                        "HTTP/2 stream could not be opened: " + f.cause().getMessage()));
                return;
              }
              Channel stream = (Channel) f.getNow();
              stream.closeFuture().addListener(x -> c.streamClosed());
              e.bind(stream);
              Http2Messages.write(
                  stream, Http2Messages.requestHeaders(request, ours), request.bodyBuffer());
              stream.flush();
            });
  }

  private CompletableFuture<H2Connection> connectH2(Upstream u, PoolKey key) {
    CompletableFuture<H2Connection> settled = new CompletableFuture<>();
    ChannelInitializer<Channel> init =
        new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            FlushBatching.addUnlessTunnelled(ch);
            ch.pipeline()
                .addLast(
                    Http2FrameCodecBuilder.forClient()
                        .initialSettings(
                            Http2Settings.defaultSettings()
                                .pushEnabled(false)
                                .initialWindowSize(ConnectionWindow.STREAM))
                        .build(),
                    new Http2MultiplexHandler(new DropPushedStreams()),
                    new FirstSettings(ch, settled),
                    new ConnectionWindow(),
                    EofClosesConnection.INSTANCE);
          }
        };
    connector
        .connect(u, IstioAlpn.HTTP2, init, true)
        .whenComplete(
            (ch, err) -> {
              if (err != null) {
                settled.completeExceptionally(err);
              } else {
                ch.closeFuture()
                    .addListener(
                        x -> {
                          h2.remove(key, settled);
                          settled.completeExceptionally(new ClosedBeforeSettings());
                        });
              }
            });
    return settled;
  }

  /**
   * Completes the connection once the server's first SETTINGS arrived: only then is its stream
   * limit known, so no stream is opened that the server would refuse.
   */
  private static final class FirstSettings extends ChannelInboundHandlerAdapter {
    private final Channel ch;
    private final CompletableFuture<H2Connection> settled;

    FirstSettings(Channel ch, CompletableFuture<H2Connection> settled) {
      this.ch = ch;
      this.settled = settled;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Http2SettingsFrame) {
        ReferenceCountUtil.release(msg);
        settled.complete(new H2Connection(ch));
        return;
      }
      ReferenceCountUtil.release(msg);
    }
  }

  /** The connection ended before the server's SETTINGS: no request was sent on it. */
  private static final class ClosedBeforeSettings extends UpstreamResetException {
    private static final long serialVersionUID = 1L;

    ClosedBeforeSettings() {
      super("HTTP/2 connection closed before the server's SETTINGS");
    }
  }

  /** Inbound streams the server opens (push is off; nothing else is expected). */
  private static final class DropPushedStreams extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
      ctx.close();
    }

    @Override
    public boolean isSharable() {
      return true;
    }
  }

  @Override
  public void close() {
    idle.values().forEach(q -> q.forEach(c -> c.channel.close()));
    idle.clear();
    h2.values().forEach(f -> f.thenAccept(c -> c.parent.close()));
    h2.clear();
  }
}
