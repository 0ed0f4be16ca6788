package io.meshagent.netty.internal.admin;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dispatches requests of one connection to the routes and writes the responses in request order
 * (HTTP/1.1 pipelining), each when its route completes. Unknown paths get 404, other methods than
 * GET 405. Per channel; all state is touched on its event loop only.
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);

  private final Map<String, AdminRoute> routes;
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  private boolean closing;

  private record Pending(CompletableFuture<AdminResponse> response, boolean keepAlive) {}

  AdminHandler(Map<String, AdminRoute> routes) {
    this.routes = routes;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (closing) {
      return;
    }
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    CompletableFuture<AdminResponse> response;
    if (!request.decoderResult().isSuccess()) {
      keepAlive = false;
      response = done(HttpResponseStatus.BAD_REQUEST, "malformed request");
    } else {
      QueryStringDecoder query = new QueryStringDecoder(request.uri());
      AdminRoute route = routes.get(query.path());
      if (route == null) {
        response = done(HttpResponseStatus.NOT_FOUND, "no admin endpoint " + query.path());
      } else if (!request.method().equals(HttpMethod.GET)) {
        response =
            done(
                HttpResponseStatus.METHOD_NOT_ALLOWED,
                query.path() + " answers GET only, not " + request.method());
      } else {
        AdminRequest r =
            new AdminRequest(
                query.path(), query.parameters(), new DefaultHttpHeaders().add(request.headers()));
        try {
          response = route.handle(r);
        } catch (RuntimeException e) {
          response = CompletableFuture.failedFuture(e);
        }
      }
    }
    pending.add(new Pending(response, keepAlive));
    response.whenComplete((r, e) -> ctx.executor().execute(() -> drain(ctx)));
  }

  private static CompletableFuture<AdminResponse> done(HttpResponseStatus status, String text) {
    return CompletableFuture.completedFuture(AdminResponse.text(status, text + "\n"));
  }

  /**
   * Writes every finished response at the head of the queue; a later one waits for earlier ones.
   */
  private void drain(ChannelHandlerContext ctx) {
    while (!closing && !pending.isEmpty() && pending.peek().response().isDone()) {
      Pending p = pending.poll();
      AdminResponse r;
      try {
        r = p.response().join();
      } catch (CompletionException | java.util.concurrent.CancellationException e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        log.warn("admin endpoint failed", cause);
        r =
            AdminResponse.text(
                HttpResponseStatus.INTERNAL_SERVER_ERROR, "admin endpoint failed: " + cause + "\n");
      }
      FullHttpResponse response =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, r.status(), Unpooled.wrappedBuffer(r.body()));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
      if (r.status().equals(HttpResponseStatus.METHOD_NOT_ALLOWED)) {
        response.headers().set(HttpHeaderNames.ALLOW, HttpMethod.GET.name());
      }
      if (r.contentType().startsWith("text/plain") && r.status().code() >= 400) {
        response.headers().set("x-content-type-options", "nosniff");
      }
      HttpUtil.setContentLength(response, r.body().length);
      HttpUtil.setKeepAlive(response, p.keepAlive());
      if (p.keepAlive()) {
        ctx.writeAndFlush(response);
      } else {
        closing = true;
        pending.clear();
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      }
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    closing = true;
    pending.clear();
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("admin connection from {} failed", ctx.channel().remoteAddress(), cause);
    ctx.close();
  }
}
