package io.meshagent.netty.internal.admin;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;

/**
 * One admin response, built off the event loop. The body is an array the response owns (no buffer
 * to release when the connection is gone before it is written).
 *
 * @param status the HTTP status
 * @param contentType the {@code content-type}
 * @param body the body; never modified after construction
 */
record AdminResponse(HttpResponseStatus status, String contentType, byte[] body) {
  static final String TEXT = "text/plain; charset=UTF-8";
  static final String JSON = "application/json";

  /** Prometheus text exposition format 0.0.4, the only format served. */
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  static AdminResponse text(HttpResponseStatus status, String text) {
    return new AdminResponse(status, TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  static AdminResponse json(String json) {
    return new AdminResponse(HttpResponseStatus.OK, JSON, json.getBytes(StandardCharsets.UTF_8));
  }
}
