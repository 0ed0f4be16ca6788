package io.meshagent.netty.internal.hbone;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersEncoder;
import io.netty.handler.ssl.SslContext;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An HTTP/2 client at the frame level, over mTLS, that sends whatever headers a test wants and
 * ignores the server's limits (Netty's own client refuses to): for malformed CONNECTs and stream
 * floods. Records, per stream, the response status or the RST_STREAM code, and DATA received.
 */
final class RawH2 implements AutoCloseable {
  /** A response status, or 0 and the RST_STREAM code. */
  record Answer(int status, long resetCode) {}

  final Map<Integer, CompletableFuture<Answer>> answers = new ConcurrentHashMap<>();
  final Map<Integer, ByteArrayOutputStream> data = new ConcurrentHashMap<>();
  final CompletableFuture<Void> settingsAcked = new CompletableFuture<>();
  final CompletableFuture<Long> goAway = new CompletableFuture<>();

  /** The server's first SETTINGS, by identifier. */
  final Map<Integer, Long> serverSettings = new ConcurrentHashMap<>();

  /** The WINDOW_UPDATEs on stream 0. */
  final List<Long> connectionWindowUpdates = new java.util.concurrent.CopyOnWriteArrayList<>();

  final Channel channel;

  /** Whether PINGs are answered (a peer that stopped reading answers none). */
  volatile boolean answerPings = true;

  /** The PINGs received. */
  final java.util.concurrent.atomic.AtomicInteger pings =
      new java.util.concurrent.atomic.AtomicInteger();

  private final Http2HeadersEncoder encoder =
      new DefaultHttp2HeadersEncoder(Http2HeadersEncoder.NEVER_SENSITIVE, false);
  private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false);

  RawH2(EventLoopGroup group, SslContext tls, InetSocketAddress server)
      throws InterruptedException {
    channel =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(tls.newHandler(ch.alloc())).addLast(new Frames());
                  }
                })
            .connect(server)
            .sync()
            .channel();
  }

  private static void frame(ByteBuf out, int type, int flags, int stream, ByteBuf payload) {
    out.writeMedium(payload.readableBytes()).writeByte(type).writeByte(flags).writeInt(stream);
    out.writeBytes(payload);
  }

  /** Sends a HEADERS frame (END_HEADERS) opening {@code stream}. */
  CompletableFuture<Answer> send(int stream, Http2Headers headers) {
    CompletableFuture<Answer> answer =
        answers.computeIfAbsent(stream, s -> new CompletableFuture<>());
    channel
        .eventLoop()
        .execute(
            () -> {
              ByteBuf block = Unpooled.buffer();
              ByteBuf out = Unpooled.buffer();
              try {
                encoder.encodeHeaders(stream, headers, block);
                frame(out, 1, 0x4, stream, block);
              } catch (Exception e) {
                out.release();
                answer.completeExceptionally(e);
                return;
              } finally {
                block.release();
              }
              channel.writeAndFlush(out);
            });
    return answer;
  }

  /** Sends a DATA frame. */
  void data(int stream, byte[] bytes, boolean end) {
    ByteBuf out = Unpooled.buffer();
    frame(out, 0, end ? 1 : 0, stream, Unpooled.wrappedBuffer(bytes));
    channel.writeAndFlush(out);
  }

  /** Sends RST_STREAM with {@code code}. */
  void reset(int stream, long code) {
    ByteBuf out = Unpooled.buffer();
    ByteBuf payload = Unpooled.buffer(4).writeInt((int) code);
    try {
      frame(out, 3, 0, stream, payload);
    } finally {
      payload.release();
    }
    channel.writeAndFlush(out);
  }

  String received(int stream) {
    ByteArrayOutputStream b = data.get(stream);
    synchronized (this) {
      return b == null ? "" : b.toString(StandardCharsets.UTF_8);
    }
  }

  private final class Frames extends ByteToMessageDecoder {
    /**
     * The preface goes first, from the event loop: written from another thread it could follow the
     * ACK of the server's SETTINGS, which the server rightly rejects as a corrupt preface.
     */
    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      ByteBuf preface = ctx.alloc().buffer();
      preface.writeBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      frame(preface, 4, 0, 0, Unpooled.EMPTY_BUFFER);
      ctx.writeAndFlush(preface);
      super.channelActive(ctx);
    }

    /** A closed connection answers every open stream at once, saying why, instead of a timeout. */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      IllegalStateException closed =
          new IllegalStateException(
              "the HBONE connection closed"
                  + (goAway.isDone() ? " after GOAWAY " + goAway.getNow(-1L) : " without GOAWAY"));
      answers.values().forEach(a -> a.completeExceptionally(closed));
      super.channelInactive(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out)
        throws Exception {
      while (in.readableBytes() >= 9) {
        int len = in.getUnsignedMedium(in.readerIndex());
        if (in.readableBytes() < 9 + len) {
          return;
        }
        in.skipBytes(3);
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedByte();
        int stream = in.readInt() & 0x7fffffff;
        ByteBuf payload = in.readSlice(len);
        handle(ctx, type, flags, stream, payload);
      }
    }

    private void handle(ChannelHandlerContext ctx, int type, int flags, int stream, ByteBuf p)
        throws Exception {
      switch (type) {
        case 0 -> {
          byte[] b = new byte[p.readableBytes()];
          p.readBytes(b);
          synchronized (RawH2.this) {
            data.computeIfAbsent(stream, s -> new ByteArrayOutputStream()).writeBytes(b);
          }
        }
        case 1 -> {
          Http2Headers h = decoder.decodeHeaders(stream, p);
          int status = Integer.parseInt(h.status().toString());
          answers
              .computeIfAbsent(stream, s -> new CompletableFuture<>())
              .complete(new Answer(status, -1));
        }
        case 3 ->
            answers
                .computeIfAbsent(stream, s -> new CompletableFuture<>())
                .complete(new Answer(0, p.readUnsignedInt()));
        case 4 -> {
          if ((flags & 1) == 0) {
            while (p.readableBytes() >= 6) {
              serverSettings.putIfAbsent(p.readUnsignedShort(), p.readUnsignedInt());
            }
            ByteBuf ack = ctx.alloc().buffer(9);
            frame(ack, 4, 1, 0, Unpooled.EMPTY_BUFFER);
            ctx.writeAndFlush(ack);
            settingsAcked.complete(null);
          }
        }
        case 6 -> {
          if ((flags & 1) == 0) {
            pings.incrementAndGet();
            if (answerPings) {
              ByteBuf ack = ctx.alloc().buffer(17);
              frame(ack, 6, 1, 0, p);
              ctx.writeAndFlush(ack);
            }
          }
        }
        case 8 -> {
          if (stream == 0) {
            connectionWindowUpdates.add(p.readUnsignedInt() & 0x7fffffffL);
          }
        }
        case 7 -> goAway.complete(p.getUnsignedInt(p.readerIndex() + 4));
        default -> {}
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    channel.close().sync();
  }
}
