package io.meshagent.netty.internal.outbound;

import io.meshagent.core.internal.identity.SpiffeTrustManager;
import io.meshagent.core.internal.traffic.Upstream;
import io.meshagent.identity.SpiffeId;
import io.meshagent.model.StringMatcher;
import io.meshagent.model.cluster.UpstreamTransport;
import io.meshagent.netty.internal.ReadSize;
import io.meshagent.netty.internal.hbone.HboneClient;
import io.meshagent.netty.internal.tls.NoWorkloadCertificateException;
import io.meshagent.netty.internal.tls.PeerIdentity;
import io.meshagent.netty.internal.tls.WorkloadTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Opens a byte pipe to an endpoint over the transport its cluster chose: a TCP socket (plaintext),
 * a TCP socket with mTLS (Istio mTLS toward a sidecar: the cluster's SNI, the {@code istio.alpn}
 * ALPN for the protocol, the peer's SPIFFE id checked against the cluster's SAN list), or an HBONE
 * tunnel to the endpoint's port 15008 with the endpoint as {@code :authority}. Whatever the
 * transport, the pipe reads and writes {@code ByteBuf}s and reports the peer's EOF as a {@code
 * ChannelInputShutdownEvent}; the verified peer identity is the channel's {@link PeerIdentity#PEER}
 * attribute.
 */
public final class UpstreamConnector {
  private final WorkloadTls tls;
  private final HboneClient hbone;
  private final EventLoopGroup group;
  private final int hbonePort;
  private final Supplier<@Nullable String> baggage;

  public UpstreamConnector(
      WorkloadTls tls, HboneClient hbone, EventLoopGroup group, int hbonePort) {
    this(tls, hbone, group, hbonePort, () -> null);
  }

  /**
   * @param baggage this workload's {@code baggage} for HBONE CONNECTs (ztunnel reads the caller's
   *     metadata there), or null for none
   */
  public UpstreamConnector(
      WorkloadTls tls,
      HboneClient hbone,
      EventLoopGroup group,
      int hbonePort,
      Supplier<@Nullable String> baggage) {
    this.baggage = baggage;
    this.tls = tls;
    this.hbone = hbone;
    this.group = group;
    this.hbonePort = hbonePort;
  }

  /**
   * Connects. {@code app} is added to the pipe's pipeline on its event loop once the transport is
   * up, before any byte is delivered; with {@code autoRead} reading starts at once, otherwise at
   * the first {@code read()}.
   *
   * @param alpn the Istio ALPN for the protocol ({@link IstioAlpn}), used over Istio mTLS
   */
  CompletableFuture<Channel> connect(
      Upstream u, List<String> alpn, ChannelHandler app, boolean autoRead) {
    InetSocketAddress address = new InetSocketAddress(u.endpoint().host(), u.endpoint().port());
    UpstreamTransport t = u.transport();
    if (t instanceof UpstreamTransport.Hbone h) {
      return tunnel(u, h, address, app, autoRead);
    }
    SslHandlerFactory ssl = null;
    List<StringMatcher> sans = List.of();
    if (t instanceof UpstreamTransport.IstioMtls m) {
      SslContext ctx;
      try {
        ctx = tls.clientContext(alpn);
      } catch (NoWorkloadCertificateException e) {
        return failed(u, "no workload certificate for mTLS: " + e.getMessage(), null);
      }
      ssl = ch -> ctx.newHandler(ch.alloc(), m.sni().isEmpty() ? null : m.sni(), address.getPort());
      sans = m.subjectAltNames();
    } else if (t instanceof UpstreamTransport.Tls) {
      return failed(
          u,
          "TLS origination (DestinationRule SIMPLE/MUTUAL with custom certificates) is not"
              + " supported by the agent",
          null);
    }
    return socket(u, address, ssl, sans, app, autoRead);
  }

  @FunctionalInterface
  private interface SslHandlerFactory {
    SslHandler create(Channel ch);
  }

  private CompletableFuture<Channel> socket(
      Upstream u,
      InetSocketAddress address,
      @Nullable SslHandlerFactory ssl,
      List<StringMatcher> sans,
      ChannelHandler app,
      boolean autoRead) {
    if (address.isUnresolved()) {
      // Connecting from the loop skips the bootstrap's resolver: say so here, by name.
      return failed(u, "connect failed: cannot resolve " + address.getHostString(), null);
    }
    CompletableFuture<Channel> result = new CompletableFuture<>();
    ChannelFuture registered =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .option(ChannelOption.AUTO_READ, false)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.RECVBUF_ALLOCATOR, ReadSize.allocator())
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int)
                    Math.max(
                        1, Math.min(Integer.MAX_VALUE, u.cluster().connectTimeout().toMillis())))
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    if (ssl != null) {
                      ch.pipeline().addLast(ssl.create(ch), PeerIdentity.INSTANCE);
                    }
                  }
                })
            .register();
    if (registered.isDone() && !registered.isSuccess()) {
      // No channel (too many open files, a closed group): nothing to connect.
      connectFailed(result, u, registered.cause());
      return result;
    }
    Channel ch = registered.channel();
    // Connect from the channel's loop, with the listeners added in the same task. Added from the
    // caller's thread, they could come after the connect and the handshake had completed, and what
    // the peer sends first (a sidecar's exchange frame) would pass on before the app's handler was
    // there to take it. The registration is queued on the same loop before this.
    try {
      ch.eventLoop()
          .execute(
              () -> {
                if (!registered.isSuccess()) {
                  connectFailed(result, u, registered.cause());
                  return;
                }
                connect(ch, address, u, ssl != null, sans, app, autoRead, result);
              });
    } catch (RuntimeException e) {
      ch.close(); // the loop is going away: it closes the channel if this cannot
      connectFailed(result, u, e);
    }
    return result;
  }

  /** Named by the cause's message, or its class when it has none (a closed channel's has none). */
  private static void connectFailed(
      CompletableFuture<Channel> result, Upstream u, @Nullable Throwable cause) {
    String why =
        cause == null
            ? "unknown cause"
            : cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
    fail(result, u, "connect failed: " + why, cause);
  }

  private void connect(
      Channel ch,
      InetSocketAddress address,
      Upstream u,
      boolean tls,
      List<StringMatcher> sans,
      ChannelHandler app,
      boolean autoRead,
      CompletableFuture<Channel> result) {
    ch.connect(address)
        .addListener(
            x -> {
              if (!x.isSuccess()) {
                ch.close();
                connectFailed(result, u, x.cause());
                return;
              }
              if (!tls) {
                ready(ch, app, autoRead, result);
                return;
              }
              ch.pipeline()
                  .get(SslHandler.class)
                  .handshakeFuture()
                  .addListener(
                      h -> {
                        if (!h.isSuccess()) {
                          ch.close();
                          fail(
                              result,
                              u,
                              "mTLS handshake failed: " + PeerIdentity.reason(h.cause()),
                              h.cause());
                          return;
                        }
                        // The handshake listener runs before the pipeline's event reaches
                        // PeerIdentity.
                        SpiffeId peer;
                        try {
                          peer =
                              SpiffeTrustManager.peerIdentity(
                                  ch.pipeline().get(SslHandler.class).engine().getSession());
                        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
                          peer = null;
                        }
                        ch.attr(PeerIdentity.PEER).set(peer);
                        String refusal = checkSans(peer, sans);
                        if (refusal != null) {
                          ch.close();
                          fail(result, u, refusal, null);
                          return;
                        }
                        ready(ch, app, autoRead, result);
                      });
              ch.read(); // drive the handshake; the SSL handler reads on until it is done
            });
  }

  private CompletableFuture<Channel> tunnel(
      Upstream u,
      UpstreamTransport.Hbone h,
      InetSocketAddress authority,
      ChannelHandler app,
      boolean autoRead) {
    Set<SpiffeId> expected = new HashSet<>();
    List<StringMatcher> sans =
        h.inner() instanceof UpstreamTransport.IstioMtls m ? m.subjectAltNames() : List.of();
    boolean allExact = true;
    for (StringMatcher s : sans) {
      if (s instanceof StringMatcher.Exact e && !e.ignoreCase()) {
        expected.add(SpiffeId.parse(e.value()));
      } else {
        allExact = false;
      }
    }
    // The pool verifies exact identities itself; other matchers are checked on the tunnel.
    Set<SpiffeId> poolExpected = allExact ? expected : Set.of();
    InetSocketAddress nextHop = nextHop(u);
    CompletableFuture<Channel> result = new CompletableFuture<>();
    hbone
        .connect(nextHop, poolExpected, null, authority, baggage.get())
        .whenComplete(
            (tunnel, err) -> {
              if (err != null) {
                fail(result, u, "HBONE via " + nextHop + ": " + PeerIdentity.reason(err), err);
                return;
              }
              Channel ch = tunnel.channel();
              SpiffeId peer = ch.parent().attr(PeerIdentity.PEER).get();
              String refusal = checkSans(peer, sans);
              if (refusal != null) {
                ch.close();
                fail(result, u, refusal, null);
                return;
              }
              ch.attr(PeerIdentity.PEER).set(peer);
              ready(ch, app, autoRead, result);
            });
    return result;
  }

  /**
   * Where the tunnel goes: istiod puts it in the endpoint's {@code
   * envoy.filters.listener.original_dst} metadata as {@code local: <ip>:15008} — the pod's own
   * address, or its waypoint's when the destination has one — while the endpoint itself (the {@code
   * connect_originate} internal address's id) is the CONNECT authority. Without that metadata, the
   * endpoint's IP on the HBONE port.
   */
  private InetSocketAddress nextHop(Upstream u) {
    String local = u.endpoint().metadata().get(ORIGINAL_DST_LOCAL);
    if (local != null) {
      int colon = local.lastIndexOf(':');
      if (colon > 0) {
        String host = local.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
          host = host.substring(1, host.length() - 1);
        }
        try {
          return new InetSocketAddress(host, Integer.parseInt(local.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
          // not ip:port: fall back to the endpoint's address (the parser accepted the endpoint)
        }
      }
    }
    return new InetSocketAddress(u.endpoint().host(), hbonePort);
  }

  private static final String ORIGINAL_DST_LOCAL = "envoy.filters.listener.original_dst/local";

  private static void ready(
      Channel ch, ChannelHandler app, boolean autoRead, CompletableFuture<Channel> result) {
    Runnable up =
        () -> {
          ch.pipeline().addLast(app);
          if (autoRead) {
            ch.config().setAutoRead(true);
          }
          if (!result.complete(ch)) {
            ch.close();
          }
        };
    // At once when on the loop (the handshake's listener is): the TLS handler goes on reading
    // after the handshake, and bytes it decrypts before the app's handler is in place (a
    // server-first protocol's greeting, a sidecar's metadata exchange frame) would be dropped.
    if (ch.eventLoop().inEventLoop()) {
      up.run();
    } else {
      ch.eventLoop().execute(up);
    }
  }

  private static @Nullable String checkSans(@Nullable SpiffeId peer, List<StringMatcher> sans) {
    if (peer == null) {
      return "peer presented no SPIFFE identity";
    }
    if (sans.isEmpty()) {
      return null;
    }
    String id = peer.toString();
    for (StringMatcher m : sans) {
      if (m.matches(id)) {
        return null;
      }
    }
    return "peer identity " + id + " is not one of the cluster's subject alt names " + sans;
  }

  private static CompletableFuture<Channel> failed(
      Upstream u, String why, @Nullable Throwable cause) {
    CompletableFuture<Channel> f = new CompletableFuture<>();
    fail(f, u, why, cause);
    return f;
  }

  private static void fail(
      CompletableFuture<Channel> f, Upstream u, String why, @Nullable Throwable cause) {
    f.completeExceptionally(
        new UpstreamConnectException(
            "upstream " + u.key() + " of cluster " + u.cluster().name() + ": " + why, cause));
  }
}
