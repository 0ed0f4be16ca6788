package io.meshagent.core.internal.xds.resource;

import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtProvider;
import io.meshagent.core.xds.ResourceInvalidException;
import io.meshagent.model.authz.JwtRequirement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Converts {@code envoy.filters.http.jwt_authn}'s providers into {@link JwtRequirement}. Parsing
 * only: the agent neither fetches JWKS nor verifies tokens.
 */
public final class JwtProviders {
  private JwtProviders() {}

  /** The providers in name order; {@code path} prefixes errors. */
  public static List<JwtRequirement> convert(JwtAuthentication proto, String path)
      throws ResourceInvalidException {
    Map<String, JwtProvider> sorted = new TreeMap<>(proto.getProvidersMap());
    List<JwtRequirement> out = new ArrayList<>(sorted.size());
    for (var e : sorted.entrySet()) {
      out.add(
          provider(e.getKey(), e.getValue(), Paths.field(path, "providers[" + e.getKey() + "]")));
    }
    return out;
  }

  private static JwtRequirement provider(String name, JwtProvider p, String path)
      throws ResourceInvalidException {
    String localJwks = null;
    String remoteUri = null;
    switch (p.getJwksSourceSpecifierCase()) {
      case REMOTE_JWKS -> {
        remoteUri = p.getRemoteJwks().getHttpUri().getUri();
        if (remoteUri.isEmpty()) {
          throw new ResourceInvalidException(
              Paths.at(Paths.field(path, "remote_jwks.http_uri.uri"), "must not be empty"));
        }
      }
      case LOCAL_JWKS -> {
        var source = p.getLocalJwks();
        localJwks =
            switch (source.getSpecifierCase()) {
              case INLINE_STRING -> source.getInlineString();
              case INLINE_BYTES -> source.getInlineBytes().toStringUtf8();
              default ->
                  throw new ResourceInvalidException(
                      Paths.at(
                          Paths.field(path, "local_jwks"),
                          source.getSpecifierCase()
                              + " is not supported; supported: inline_string, inline_bytes"));
            };
      }
      case JWKSSOURCESPECIFIER_NOT_SET ->
          throw new ResourceInvalidException(
              Paths.at(path, "neither remote_jwks nor local_jwks is set"));
    }
    List<JwtRequirement.FromHeader> headers = new ArrayList<>(p.getFromHeadersCount());
    for (var h : p.getFromHeadersList()) {
      headers.add(new JwtRequirement.FromHeader(h.getName(), h.getValuePrefix()));
    }
    return new JwtRequirement(
        name,
        p.getIssuer(),
        p.getAudiencesList(),
        localJwks,
        remoteUri,
        headers,
        p.getFromParamsList(),
        p.getForward(),
        p.getPayloadInMetadata());
  }
}
