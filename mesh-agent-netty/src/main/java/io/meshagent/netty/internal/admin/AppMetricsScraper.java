package io.meshagent.netty.internal.admin;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Fetches the app's own Prometheus metrics over loopback, as pilot-agent does for its merged
 * metrics: a GET to the annotated port and path, forwarding Prometheus's {@code User-Agent} and
 * {@code X-Prometheus-Scrape-Timeout-Seconds} (which also bounds the scrape), asking for text
 * format 0.0.4 only so the merged output stays one format. Non-blocking: a Netty client on the data
 * plane's event loops; the body is copied out of its buffer before the future completes, so no
 * buffer outlives the scrape.
 */
final class AppMetricsScraper {
  static final String SCRAPE_TIMEOUT_HEADER = "X-Prometheus-Scrape-Timeout-Seconds";
  private static final String ACCEPT_TEXT = "text/plain;version=0.0.4";

  private final AppMetricsTarget target;
  private final EventLoopGroup group;
  private final int maxBytes;

  AppMetricsScraper(AppMetricsTarget target, EventLoopGroup group, int maxBytes) {
    this.target = target;
    this.group = group;
    this.maxBytes = maxBytes;
  }

  AppMetricsTarget target() {
    return target;
  }

  /** The app's metrics, or an exceptional completion saying why not (never a partial body). */
  CompletableFuture<byte[]> scrape(HttpHeaders incoming) {
    CompletableFuture<byte[]> result = new CompletableFuture<>();
    Duration timeout = timeout(incoming.get(SCRAPE_TIMEOUT_HEADER), target.timeout());
    ChannelFuture connect =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(timeout.toMillis(), 60_000))
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(new HttpClientCodec())
                        .addLast(new HttpObjectAggregator(maxBytes))
                        .addLast(new ResponseHandler(result));
                  }
                })
            .connect(target.address());
    connect.addListener(
        f -> {
          if (!f.isSuccess()) {
            result.completeExceptionally(
                new IOException(
                    "cannot connect to " + target.address() + ": " + f.cause(), f.cause()));
            return;
          }
          connect.channel().writeAndFlush(request(incoming));
        });
    ScheduledFuture<?> deadline =
        connect
            .channel()
            .eventLoop()
            .schedule(
                () ->
                    result.completeExceptionally(
                        new TimeoutException("no answer within " + timeout.toMillis() + " ms")),
                timeout.toNanos(),
                TimeUnit.NANOSECONDS);
    result.whenComplete(
        (body, error) -> {
          deadline.cancel(false);
          connect.channel().close();
        });
    return result;
  }

  private FullHttpRequest request(HttpHeaders incoming) {
    String host = target.address().getHostString();
    FullHttpRequest r =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1, HttpMethod.GET, target.path(), Unpooled.EMPTY_BUFFER);
    r.headers()
        .set(
            HttpHeaderNames.HOST,
            (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + target.address().getPort())
        .set(HttpHeaderNames.ACCEPT, ACCEPT_TEXT)
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    String agent = incoming.get(HttpHeaderNames.USER_AGENT);
    if (agent != null) {
      r.headers().set(HttpHeaderNames.USER_AGENT, agent);
    }
    String scrapeTimeout = incoming.get(SCRAPE_TIMEOUT_HEADER);
    if (scrapeTimeout != null) {
      r.headers().set(SCRAPE_TIMEOUT_HEADER, scrapeTimeout);
    }
    return r;
  }

  /** Prometheus's timeout header in seconds ({@code 9.5}), or {@code fallback}. */
  static Duration timeout(@Nullable String header, Duration fallback) {
    if (header == null) {
      return fallback;
    }
    try {
      double seconds = Double.parseDouble(header.trim());
      if (seconds > 0 && seconds < 3600) {
        return Duration.ofNanos((long) (seconds * 1e9));
      }
    } catch (NumberFormatException e) {
      // Not a number: the default applies, as pilot-agent ignores a bad header.
    }
    return fallback;
  }

  /** Completes the scrape with the body of a 200, or fails it. */
  private final class ResponseHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
    private final CompletableFuture<byte[]> result;

    ResponseHandler(CompletableFuture<byte[]> result) {
      this.result = result;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
      if (!response.decoderResult().isSuccess()) {
        result.completeExceptionally(
            new IOException("malformed response: " + response.decoderResult().cause()));
      } else if (!response.status().equals(HttpResponseStatus.OK)) {
        result.completeExceptionally(
            new IOException("GET " + target.path() + " answered " + response.status()));
      } else {
        result.complete(ByteBufUtil.getBytes(response.content()));
      }
      ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      result.completeExceptionally(new IOException("the app closed the connection first"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      result.completeExceptionally(cause);
      ctx.close();
    }
  }
}
