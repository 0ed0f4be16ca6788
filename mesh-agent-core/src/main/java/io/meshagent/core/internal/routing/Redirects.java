package io.meshagent.core.internal.routing;

import io.meshagent.model.route.RouteAction;

/** Envoy's {@code RouteEntryImplBase::newUri}: the {@code location} of a redirect. */
final class Redirects {
  private Redirects() {}

  static String location(RouteAction.Redirect r, RequestHeaders request) {
    String forwardedProto = request.header("x-forwarded-proto");
    String requestScheme = forwardedProto != null ? forwardedProto : request.scheme();
    String scheme = r.scheme().isEmpty() ? requestScheme : r.scheme();
    String port = r.port() == 0 ? "" : ":" + r.port();
    String host = r.host().isEmpty() ? requestHost(request, requestScheme, scheme, port) : r.host();
    String path = request.path();
    if (!r.path().isEmpty()) {
      // A path_redirect with a query replaces the request's; otherwise the query is kept.
      int q = CompiledRoute.pathEnd(path);
      path = r.path().indexOf('?') >= 0 ? r.path() : r.path() + path.substring(q);
    }
    if (r.stripQuery()) {
      int q = path.indexOf('?');
      if (q >= 0) {
        int fragment = path.indexOf('#', q);
        path = path.substring(0, q) + (fragment >= 0 ? path.substring(fragment) : "");
      }
    }
    return scheme + "://" + host + port + path;
  }

  /**
   * Envoy's {@code processRequestHost}: the request's host, without its port when a new port is set
   * or when the scheme changes away from the port's default.
   */
  private static String requestHost(
      RequestHeaders request, String requestScheme, String newScheme, String newPort) {
    String host = request.authority();
    if (host.isEmpty()) {
      return host;
    }
    int end;
    if (host.charAt(0) == '[') {
      end = host.lastIndexOf("]:");
      if (end >= 0) {
        end++;
      }
    } else {
      end = host.lastIndexOf(':');
    }
    if (end < 0) {
      return host;
    }
    String requestPort = host.substring(end);
    boolean removePort = !newPort.isEmpty();
    if (!newScheme.equals(requestScheme)) {
      removePort |= requestScheme.equals("https") && requestPort.equals(":443");
      removePort |= requestScheme.equals("http") && requestPort.equals(":80");
    }
    return removePort ? host.substring(0, end) : host;
  }
}
