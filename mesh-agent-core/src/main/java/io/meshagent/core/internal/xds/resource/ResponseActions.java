package io.meshagent.core.internal.xds.resource;

import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.meshagent.core.xds.ResourceInvalidException;
import io.meshagent.model.route.RouteAction;

/** Converts the route actions that answer without an upstream: redirects and direct responses. */
final class ResponseActions {
  private ResponseActions() {}

  static RouteAction.Redirect redirect(RedirectAction r, String path)
      throws ResourceInvalidException {
    String scheme =
        switch (r.getSchemeRewriteSpecifierCase()) {
          case HTTPS_REDIRECT -> r.getHttpsRedirect() ? "https" : "";
          case SCHEME_REDIRECT -> r.getSchemeRedirect();
          case SCHEMEREWRITESPECIFIER_NOT_SET -> "";
        };
    String newPath =
        switch (r.getPathRewriteSpecifierCase()) {
          case PATH_REDIRECT -> r.getPathRedirect();
          case PREFIX_REWRITE ->
              throw RoutePolicies.unsupported(Paths.field(path, "prefix_rewrite"));
          case REGEX_REWRITE -> throw RoutePolicies.unsupported(Paths.field(path, "regex_rewrite"));
          case PATHREWRITESPECIFIER_NOT_SET -> "";
        };
    if (r.getPortRedirect() > 65535) {
      throw new ResourceInvalidException(
          Paths.at(
              Paths.field(path, "port_redirect"),
              Integer.toUnsignedString(r.getPortRedirect()) + " is not a port"));
    }
    int code =
        switch (r.getResponseCode()) {
          case MOVED_PERMANENTLY -> 301;
          case FOUND -> 302;
          case SEE_OTHER -> 303;
          case TEMPORARY_REDIRECT -> 307;
          case PERMANENT_REDIRECT -> 308;
          case UNRECOGNIZED ->
              throw new ResourceInvalidException(
                  Paths.at(
                      Paths.field(path, "response_code"),
                      r.getResponseCodeValue()
                          + " is not supported; supported: MOVED_PERMANENTLY, FOUND, SEE_OTHER,"
                          + " TEMPORARY_REDIRECT, PERMANENT_REDIRECT"));
        };
    return new RouteAction.Redirect(
        scheme, r.getHostRedirect(), newPath, r.getPortRedirect(), r.getStripQuery(), code);
  }

  static RouteAction.DirectResponse directResponse(DirectResponseAction d, String path)
      throws ResourceInvalidException {
    int status = d.getStatus();
    if (status < 200 || status > 599) {
      throw new ResourceInvalidException(
          Paths.at(Paths.field(path, "status"), status + " is not in [200, 599]"));
    }
    String body = "";
    if (d.hasBody()) {
      var source = d.getBody();
      body =
          switch (source.getSpecifierCase()) {
            case INLINE_STRING -> source.getInlineString();
            case INLINE_BYTES -> source.getInlineBytes().toStringUtf8();
            case SPECIFIER_NOT_SET -> "";
            case FILENAME, ENVIRONMENT_VARIABLE ->
                throw new ResourceInvalidException(
                    Paths.at(
                        Paths.field(path, "body"),
                        "only inline_string and inline_bytes are supported"));
          };
    }
    return new RouteAction.DirectResponse(status, body);
  }
}
