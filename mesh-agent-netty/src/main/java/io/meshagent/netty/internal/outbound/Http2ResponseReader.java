package io.meshagent.netty.internal.outbound;

import io.meshagent.netty.internal.hbone.HboneTunnel;
import io.meshagent.netty.internal.observe.ReceivedFields;
import io.meshagent.netty.internal.tls.PeerIdentity;
import io.meshagent.traffic.MeshHttpResponse;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;

/**
 * Reads the response of one outbound HTTP/2 stream from its frames and completes the {@link
 * Exchange} when the stream ends: informational (1xx) header blocks are skipped, trailers are kept
 * ({@link MeshHttpResponse#trailers()}: gRPC's status is there), a body over the limit or a
 * malformed block fails the exchange and resets the stream.
 */
final class Http2ResponseReader extends ChannelInboundHandlerAdapter {
  private final Exchange exchange;
  private final BodyBuffer body;
  private @Nullable Http2Headers headers;
  private @Nullable Http2Headers trailers;
  private boolean done;

  private final boolean noteFields;

  /**
   * @param noteFields whether telemetry wants the response's fields noted ({@link ReceivedFields})
   */
  Http2ResponseReader(Exchange exchange, int maxBody, boolean noteFields) {
    this.exchange = exchange;
    this.noteFields = noteFields;
    this.body = new BodyBuffer(maxBody);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (done) {
        return;
      }
      if (msg instanceof Http2HeadersFrame f) {
        onHeaders(ctx, f);
      } else if (msg instanceof Http2DataFrame f) {
        if (headers == null) {
          fail(ctx, "upstream sent DATA before the response headers");
        } else if (!body.add(f.content())) {
          fail(ctx, "upstream response body exceeds the limit of the data plane's maxBodyBytes");
        } else if (f.isEndStream()) {
          complete(ctx);
        }
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onHeaders(ChannelHandlerContext ctx, Http2HeadersFrame f) {
    if (headers == null) {
      int status;
      try {
        status = Http2Messages.status(f.headers());
      } catch (IllegalArgumentException e) {
        fail(ctx, "upstream response is malformed: " + e.getMessage());
        return;
      }
      if (status >= 100 && status < 200 && !f.isEndStream()) {
        return; // informational: the final response follows
      }
      headers = f.headers();
    } else {
      trailers = f.headers(); // a second block is the trailers, which end the stream
    }
    if (f.isEndStream()) {
      complete(ctx);
    }
  }

  private void complete(ChannelHandlerContext ctx) {
    done = true;
    Http2Headers h = headers;
    byte[] bytes = body.take();
    ReceivedFields noted = noteFields ? new ReceivedFields() : null;
    try {
      MeshHttpResponse r = Http2Messages.response(h, bytes, noted);
      if (trailers != null) {
        r = r.withTrailers(Http2Messages.trailers(trailers));
      }
      exchange.noted = noted;
      // The stream's connection is the tunnel, when it came through HBONE.
      exchange.tunnelBaggage = HboneTunnel.baggageOf(ctx.channel().parent());
      exchange.response.complete(
          r.withUpstream(ctx.channel().attr(PeerIdentity.PEER).get(), "", "", 0, ""));
    } catch (IllegalArgumentException e) {
      exchange.response.completeExceptionally(
          new UpstreamResetException("upstream response is malformed: " + e.getMessage()));
    }
  }

  private void fail(ChannelHandlerContext ctx, String why) {
    fail(ctx, new UpstreamResetException(why));
  }

  private void fail(ChannelHandlerContext ctx, UpstreamResetException e) {
    done = true;
    body.release();
    exchange.response.completeExceptionally(e);
    ctx.close(); // resets the stream if it is still open
  }

  /** The multiplexer delivers RST_STREAM as a user event. */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof Http2ResetFrame r && !done) {
      fail(ctx, "upstream reset the stream (error code " + r.errorCode() + ")");
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (!done) {
      // Closed without a reset of its own: its connection ended (Envoy's UC).
      fail(
          ctx,
          UpstreamResetException.connectionEnded(
              "upstream connection closed before the response was complete"));
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!done) {
      fail(ctx, "upstream failed: " + cause.getMessage());
    } else {
      ctx.close();
    }
  }
}
