package io.meshagent.netty.internal.hbone;

import io.meshagent.identity.SpiffeId;
import io.meshagent.netty.internal.ConnectionWindow;
import io.meshagent.netty.internal.FlushBatching;
import io.meshagent.netty.internal.tls.NoWorkloadCertificateException;
import io.meshagent.netty.internal.tls.PeerIdentity;
import io.meshagent.netty.internal.tls.WorkloadTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The HBONE client (ztunnel's {@code src/proxy/pool.rs} and {@code h2/client.rs}): CONNECT tunnels
 * over pooled mTLS HTTP/2 connections. Connections are keyed by {source identity, expected
 * destination identities, next hop, source IP}; a connection carries at most 100 streams and never
 * more than the server's MAX_CONCURRENT_STREAMS, then a new one is opened; a connection without
 * streams for the idle time is closed. TLS sends no SNI and offers ALPN {@code h2} only (the {@link
 * WorkloadTls} must be built with client ALPN {@code h2}). Thread-safe; the pool lock is held only
 * for bookkeeping, never across I/O.
 */
public final class HboneClient implements AutoCloseable {
  /** What makes two tunnels able to share a connection. */
  public record PoolKey(
      SpiffeId source,
      Set<SpiffeId> destinationIdentities,
      InetSocketAddress nextHop,
      @Nullable InetAddress sourceIp) {
    public PoolKey {
      destinationIdentities = Set.copyOf(destinationIdentities);
    }
  }

  /** ztunnel's pool idle timeout. */
  public static final Duration DEFAULT_IDLE = Duration.ofMinutes(5);

  private final WorkloadTls tls;
  private final Supplier<SpiffeId> source;
  private final EventLoopGroup group;
  private final long idleNanos;
  private final Map<PoolKey, List<PooledConnection>> pool = new HashMap<>();

  /**
   * @param source this workload's identity now (part of the pool key, so a new identity gets new
   *     connections)
   * @param group a NIO event loop group
   */
  public HboneClient(
      WorkloadTls tls, Supplier<SpiffeId> source, EventLoopGroup group, Duration idleTimeout) {
    this.tls = tls;
    this.source = source;
    this.group = group;
    this.idleNanos = idleTimeout.toNanos();
  }

  /** A tunnel to {@code authority} through {@code nextHop}, accepting any mesh server identity. */
  public CompletableFuture<HboneTunnel> connect(
      InetSocketAddress nextHop, InetSocketAddress authority) {
    return connect(nextHop, Set.of(), null, authority);
  }

  /**
   * A tunnel to {@code authority} through {@code nextHop} (a pod's or waypoint's port 15008).
   *
   * @param expected the server identities accepted; empty accepts any identity of the mesh
   * @param sourceIp the local address to connect from, or null for any
   */
  public CompletableFuture<HboneTunnel> connect(
      InetSocketAddress nextHop,
      Set<SpiffeId> expected,
      @Nullable InetAddress sourceIp,
      InetSocketAddress authority) {
    return connect(nextHop, expected, sourceIp, authority, null);
  }

  /**
   * The same, with a {@code baggage} header on the CONNECT: the peer metadata ztunnel sends and
   * reads ({@code k8s.namespace.name}, {@code service.name}, ...), or null for none.
   */
  public CompletableFuture<HboneTunnel> connect(
      InetSocketAddress nextHop,
      Set<SpiffeId> expected,
      @Nullable InetAddress sourceIp,
      InetSocketAddress authority,
      @Nullable String baggage) {
    String auth;
    try {
      auth = Authority.format(authority);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    PooledConnection conn = reserve(new PoolKey(source.get(), expected, nextHop, sourceIp));
    CompletableFuture<HboneTunnel> result = new CompletableFuture<>();
    conn.ready.whenComplete(
        (ch, err) -> {
          if (err != null) {
            release(conn);
            result.completeExceptionally(err);
            return;
          }
          if (!keepsReservation(conn)) {
            // Reserved before the peer's SETTINGS said how many streams it takes: this one goes
            // to another connection, as ztunnel's pool would have sent it once the limit was known.
            if (conn.peerMaxStreams == 0) {
              result.completeExceptionally(
                  new HboneException(nextHop + " allows no streams (MAX_CONCURRENT_STREAMS 0)", 0));
            } else {
              connect(nextHop, expected, sourceIp, authority, baggage)
                  .whenComplete(
                      (t, e) -> {
                        if (e != null) {
                          result.completeExceptionally(e);
                        } else {
                          result.complete(t);
                        }
                      });
            }
            return;
          }
          new Http2StreamChannelBootstrap(ch)
              .handler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel stream) {
                      stream
                          .pipeline()
                          .addLast(
                              FlushBatching.stream(),
                              new ClientStreamHandler(auth, baggage, result));
                    }
                  })
              .open()
              .addListener(
                  f -> {
                    if (!f.isSuccess()) {
                      release(conn);
                      result.completeExceptionally(f.cause());
                    } else {
                      ((Channel) f.getNow()).closeFuture().addListener(x -> release(conn));
                    }
                  });
        });
    return result;
  }

  /** Open connections, in all pools. */
  public synchronized int connectionCount() {
    return pool.values().stream().mapToInt(List::size).sum();
  }

  private synchronized PooledConnection reserve(PoolKey key) {
    List<PooledConnection> conns = pool.computeIfAbsent(key, k -> new ArrayList<>());
    for (PooledConnection c : conns) {
      if (c.hasRoom()) {
        c.streams++;
        if (c.idle != null) {
          c.idle.cancel(false);
          c.idle = null;
        }
        return c;
      }
    }
    PooledConnection c = open(key);
    c.streams++;
    conns.add(c);
    return c;
  }

  private synchronized void release(PooledConnection c) {
    if (--c.streams == 0 && c.channel.isActive()) {
      c.idle =
          c.channel
              .eventLoop()
              .schedule(
                  () -> {
                    synchronized (this) {
                      if (c.streams != 0) {
                        return;
                      }
                      remove(c);
                    }
                    c.channel.close(); // GOAWAY, then close
                  },
                  idleNanos,
                  TimeUnit.NANOSECONDS);
    }
  }

  /**
   * Whether a stream reserved on {@code c} fits the peer's limit, now that its SETTINGS came; if
   * not, the reservation is given up (and a connection whose peer takes no streams leaves the pool,
   * closed once no reservation is left).
   */
  private synchronized boolean keepsReservation(PooledConnection c) {
    long limit = Math.min(HboneSettings.CLIENT_MAX_STREAMS, c.peerMaxStreams);
    if (c.streams <= limit) {
      return true;
    }
    c.streams--; // with a limit above 0, that many stay: never zero, so no idle timer to start
    if (limit == 0) {
      remove(c);
      if (c.streams == 0) {
        c.channel.close();
      }
    }
    return false;
  }

  synchronized void peerSettings(PooledConnection c, @Nullable Long maxStreams) {
    if (maxStreams != null) {
      c.peerMaxStreams = maxStreams;
    }
  }

  synchronized void goAway(PooledConnection c) {
    c.draining = true;
    remove(c); // live streams go on; new ones take another connection
  }

  synchronized void closed(PooledConnection c) {
    remove(c);
  }

  private void remove(PooledConnection c) {
    List<PooledConnection> conns = pool.get(c.key);
    if (conns != null && conns.remove(c) && conns.isEmpty()) {
      pool.remove(c.key);
    }
  }

  private PooledConnection open(PoolKey key) {
    Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class);
    if (key.sourceIp() != null) {
      b.localAddress(new InetSocketAddress(key.sourceIp(), 0));
    }
    Channel ch = b.handler(new ChannelInboundHandlerAdapter()).register().channel();
    HboneSettings.tune(ch);
    PooledConnection conn = new PooledConnection(this, key, ch);
    try {
      ch.pipeline()
          .addLast(tls.clientContext().newHandler(ch.alloc())) // no peer host: no SNI
          .addLast(PeerIdentity.INSTANCE)
          .addLast(new Alpn(conn));
    } catch (NoWorkloadCertificateException e) {
      conn.ready.completeExceptionally(e);
      ch.close();
      return conn;
    }
    // A refused handshake fails the handshake future before the connection closes, so the caller
    // learns why (PeerIdentity swallows the exception that follows, and ALPN never sees it).
    ch.pipeline()
        .get(SslHandler.class)
        .handshakeFuture()
        .addListener(
            h -> {
              if (!h.isSuccess()) {
                conn.ready.completeExceptionally(
                    new HboneException(
                        "TLS with " + key.nextHop() + " failed: " + PeerIdentity.reason(h.cause()),
                        0,
                        h.cause()));
              }
            });
    ch.closeFuture()
        .addListener(
            f -> {
              Runnable failEarly =
                  () -> {
                    conn.ready.completeExceptionally(closedEarly(key, ch));
                    closed(conn);
                  };
              // A loop task later: TLS closes the channel on a peer's alert before the exception
              // that says why reaches PeerIdentity, a moment after on the same stack.
              try {
                ch.eventLoop().execute(failEarly);
              } catch (java.util.concurrent.RejectedExecutionException e) {
                failEarly.run();
              }
            });
    // register() is asynchronous; connect after it, on the channel's loop.
    ch.eventLoop()
        .execute(
            () ->
                ch.connect(key.nextHop())
                    .addListener(
                        f -> {
                          if (!f.isSuccess()) {
                            conn.ready.completeExceptionally(
                                new HboneException(
                                    "cannot connect to " + key.nextHop() + ": " + f.cause(), 0));
                            ch.close();
                          }
                        }));
    return conn;
  }

  /** The connection to {@code key}'s next hop closed before it was ready; TLS may say why. */
  static HboneException closedEarly(PoolKey key, Channel ch) {
    return new HboneException(
        "HBONE connection to " + key.nextHop() + " closed" + PeerIdentity.tlsFailure(ch), 0);
  }

  /** Installs HTTP/2 once TLS chose {@code h2} and the server's identity is accepted. */
  private static final class Alpn extends ApplicationProtocolNegotiationHandler {
    private final PooledConnection conn;

    Alpn(PooledConnection conn) {
      super("none");
      this.conn = conn;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
      String problem =
          ApplicationProtocolNames.HTTP_2.equals(protocol)
              ? conn.checkPeer()
              : "server chose ALPN " + protocol + ", not h2";
      if (problem != null) {
        conn.ready.completeExceptionally(new HboneException(problem, 0));
        ctx.close();
        return;
      }
      ctx.pipeline()
          .addLast(FlushBatching.handler())
          .addLast(HboneSettings.clientCodec())
          .addLast(
              new Http2MultiplexHandler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      ch.close(); // push is disabled; servers open no streams
                    }
                  }))
          .addLast(new Keepalive(HboneSettings.PING_INTERVAL, HboneSettings.PING_TIMEOUT))
          .addLast(conn)
          .addLast(new ConnectionWindow());
    }
  }

  /** Closes every pooled connection now: GOAWAY, and live tunnels are cut (not drained). */
  @Override
  public void close() {
    List<PooledConnection> all = new ArrayList<>();
    synchronized (this) {
      pool.values().forEach(all::addAll);
      pool.clear();
    }
    for (PooledConnection c : all) {
      c.channel
          .eventLoop()
          .execute(
              () -> {
                Http2FrameCodec codec = c.channel.pipeline().get(Http2FrameCodec.class);
                if (codec != null) {
                  codec.gracefulShutdownTimeoutMillis(0);
                }
                c.channel.close();
              });
    }
  }
}
