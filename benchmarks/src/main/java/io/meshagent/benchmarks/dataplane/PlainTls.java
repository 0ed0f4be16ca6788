package io.meshagent.benchmarks.dataplane;

import io.meshagent.core.identity.WorkloadCertificate;
import io.meshagent.core.internal.identity.SpiffePeerVerifier;
import io.meshagent.core.internal.identity.SpiffeTrustManager;
import io.meshagent.netty.internal.ConnectionWindow;
import io.meshagent.netty.internal.FlushBatching;
import io.meshagent.netty.internal.ReadSize;
import io.meshagent.netty.internal.tls.MeshSslContexts;
import io.meshagent.netty.internal.tls.TlsEngine;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * The baseline, configuration (a): a minimal Netty HTTP/2 server and client over TLS 1.3, and a
 * plain TLS byte stream to a sink, with the same workload certificates and TLS engine as the agent
 * (BoringSSL, client certificates required) and none of its logic: no listener, route, cluster,
 * RBAC or pool. The client keeps one connection and opens a stream per request, as the agent's
 * HTTP/2 pool does. Servers bind to {@code bindIp} (loopback).
 */
final class PlainTls implements AutoCloseable {
  private static final int MAX_BODY = 1 << 20;

  private final EventLoopGroup serverGroup;
  private final EventLoopGroup clientGroup;
  private final SslContext clientBulk;
  private final Channel h2Listener;
  private final Channel bulkListener;
  private final Channel h2Connection;
  private final String authority;

  PlainTls(WorkloadCertificate server, WorkloadCertificate client, String bindIp, int threads)
      throws Exception {
    SpiffeTrustManager trust = trust(server);
    TlsEngine engine = TlsEngine.BORINGSSL;
    SslContext serverH2 = MeshSslContexts.server(server, trust, engine, List.of("h2"));
    SslContext serverBulk = MeshSslContexts.server(server, trust, engine, List.of());
    SslContext clientH2 = MeshSslContexts.client(client, trust(client), engine, List.of("h2"));
    this.clientBulk = MeshSslContexts.client(client, trust(client), engine, List.of());
    this.serverGroup =
        new MultiThreadIoEventLoopGroup(
            threads, new DefaultThreadFactory("plain-server", true), NioIoHandler.newFactory());
    this.clientGroup =
        new MultiThreadIoEventLoopGroup(
            threads, new DefaultThreadFactory("plain-client", true), NioIoHandler.newFactory());
    this.h2Listener =
        listen(
            bindIp,
            ch ->
                ch.pipeline()
                    .addLast(
                        serverH2.newHandler(ch.alloc()),
                        FlushBatching.handler(),
                        Http2FrameCodecBuilder.forServer().initialSettings(tuned()).build(),
                        new Http2MultiplexHandler(
                            new ChannelInitializer<Http2StreamChannel>() {
                              @Override
                              protected void initChannel(Http2StreamChannel s) {
                                s.pipeline()
                                    .addLast(
                                        FlushBatching.stream(),
                                        new Http2StreamFrameToHttpObjectCodec(true),
                                        new HttpObjectAggregator(MAX_BODY),
                                        new Echo());
                              }
                            }),
                        new ConnectionWindow()));
    this.bulkListener =
        listen(
            bindIp,
            ch -> {
              ReadSize.stream(ch); // as the agent's byte streams read
              ch.pipeline().addLast(serverBulk.newHandler(ch.alloc()), new Sink());
            });
    InetSocketAddress h2Address = (InetSocketAddress) h2Listener.localAddress();
    this.authority = "plain:" + h2Address.getPort();
    Channel conn =
        new Bootstrap()
            .group(clientGroup)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.RECVBUF_ALLOCATOR, ReadSize.allocator())
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(
                            clientH2.newHandler(ch.alloc()),
                            FlushBatching.handler(),
                            Http2FrameCodecBuilder.forClient().initialSettings(tuned()).build(),
                            new Http2MultiplexHandler(new Drop()),
                            new ConnectionWindow());
                  }
                })
            .connect(h2Address)
            .sync()
            .channel();
    Future<Channel> handshake = conn.pipeline().get(SslHandler.class).handshakeFuture();
    if (!handshake.await(10, TimeUnit.SECONDS) || !handshake.isSuccess()) {
      throw new IllegalStateException("baseline TLS handshake failed", handshake.cause());
    }
    this.h2Connection = conn;
  }

  private static SpiffeTrustManager trust(WorkloadCertificate own) {
    SpiffePeerVerifier verifier =
        new SpiffePeerVerifier(own.id().trustDomain(), own.trustBundles());
    return new SpiffeTrustManager(() -> verifier, Clock.systemUTC());
  }

  private interface Init {
    void init(SocketChannel ch) throws SSLException;
  }

  private Channel listen(String bindIp, Init init) throws InterruptedException {
    return new ServerBootstrap()
        .group(serverGroup)
        .channel(NioServerSocketChannel.class)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.RECVBUF_ALLOCATOR, ReadSize.allocator())
        .childHandler(
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) throws SSLException {
                init.init(ch);
              }
            })
        .bind(new InetSocketAddress(bindIp, 0))
        .sync()
        .channel();
  }

  /** Sends a POST of {@code body}; completes with the response status on the event loop. */
  CompletableFuture<Integer> send(byte[] body) {
    CompletableFuture<Integer> result = new CompletableFuture<>();
    Future<Http2StreamChannel> open =
        new Http2StreamChannelBootstrap(h2Connection)
            .handler(
                new ChannelInitializer<Http2StreamChannel>() {
                  @Override
                  protected void initChannel(Http2StreamChannel ch) {
                    ch.pipeline()
                        .addLast(
                            FlushBatching.stream(),
                            new Http2StreamFrameToHttpObjectCodec(false),
                            new HttpObjectAggregator(MAX_BODY),
                            new Response(result));
                  }
                })
            .open();
    open.addListener(
        f -> {
          if (!open.isSuccess()) {
            result.completeExceptionally(open.cause());
            return;
          }
          FullHttpRequest req =
              new DefaultFullHttpRequest(
                  HttpVersion.HTTP_1_1, HttpMethod.POST, "/echo", Unpooled.wrappedBuffer(body));
          req.headers()
              .set(HttpHeaderNames.HOST, authority)
              .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
              .set(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(), "https");
          open.getNow().writeAndFlush(req);
        });
    return result;
  }

  /**
   * The HTTP/2 settings of the agent's own connections (4 MiB stream windows; with {@link
   * ConnectionWindow}, 16 MiB for the connection; with {@link FlushBatching}, flushes batched as
   * the agent's are), so that the comparison measures the agent's work rather than Netty's
   * defaults: with 64 KiB windows both sides spent their time waiting for WINDOW_UPDATEs.
   */
  private static Http2Settings tuned() {
    return Http2Settings.defaultSettings().initialWindowSize(ConnectionWindow.STREAM);
  }

  /**
   * Sends {@code bytes} over a new TLS connection to the sink; returns the nanoseconds from the end
   * of the handshake to the sink's answer.
   */
  long bulk(long bytes, byte[] chunk, Duration timeout) throws Exception {
    CompletableFuture<Long> done = new CompletableFuture<>();
    Channel ch =
        new Bootstrap()
            .group(clientGroup)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.RECVBUF_ALLOCATOR, ReadSize.allocator())
            .option(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(512 * 1024, 1024 * 1024))
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel c) {
                    ReadSize.stream(c);
                    c.pipeline()
                        .addLast(
                            clientBulk.newHandler(c.alloc()), new BulkWriter(bytes, chunk, done));
                  }
                })
            .connect(bulkListener.localAddress())
            .sync()
            .channel();
    try {
      return done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } finally {
      ch.close().await(5, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() {
    h2Connection.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    h2Listener.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    bulkListener.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    clientGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    serverGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** The server app: echoes the request body with a 200. */
  private static final class Echo extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      FullHttpResponse resp =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, HttpResponseStatus.OK, req.content().retainedDuplicate());
      resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, req.content().readableBytes());
      ctx.writeAndFlush(resp);
    }
  }

  /** Completes the request's future with the status of the aggregated response. */
  private static final class Response extends SimpleChannelInboundHandler<FullHttpResponse> {
    private final CompletableFuture<Integer> result;

    Response(CompletableFuture<Integer> result) {
      this.result = result;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse resp) {
      result.complete(resp.status().code());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      result.completeExceptionally(new IllegalStateException("stream closed before a response"));
      super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      result.completeExceptionally(cause);
      ctx.close();
    }
  }

  /** Streams the server opens: none are expected. */
  @ChannelHandler.Sharable
  private static final class Drop extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
      ctx.close();
    }
  }

  /**
   * Once the handshake is done, writes the 8-byte length and {@code total} bytes as fast as the
   * channel stays writable (wrapping the shared chunk, never copying it), then waits for the sink's
   * answer and completes with the nanoseconds taken.
   */
  private static final class BulkWriter extends ChannelInboundHandlerAdapter {
    private final long total;
    private final byte[] chunk;
    private final CompletableFuture<Long> done;
    private long sent;
    private long start;
    private int answerBytes;

    BulkWriter(long total, byte[] chunk, CompletableFuture<Long> done) {
      this.total = total;
      this.chunk = chunk;
      this.done = done;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof SslHandshakeCompletionEvent hs) {
        if (!hs.isSuccess()) {
          done.completeExceptionally(hs.cause());
          ctx.close();
          return;
        }
        start = System.nanoTime();
        ctx.write(ctx.alloc().buffer(Long.BYTES).writeLong(total));
        writeMore(ctx);
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
      writeMore(ctx);
      super.channelWritabilityChanged(ctx);
    }

    private void writeMore(ChannelHandlerContext ctx) {
      while (sent < total && ctx.channel().isWritable()) {
        int n = (int) Math.min(chunk.length, total - sent);
        ctx.write(Unpooled.wrappedBuffer(chunk, 0, n), ctx.voidPromise());
        sent += n;
      }
      ctx.flush();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof ByteBuf buf) {
        answerBytes += buf.readableBytes();
      }
      ReferenceCountUtil.release(msg);
      if (answerBytes >= Long.BYTES) {
        done.complete(System.nanoTime() - start);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      done.completeExceptionally(new IllegalStateException("closed after " + sent + " bytes"));
      super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      done.completeExceptionally(cause);
      ctx.close();
    }
  }
}
