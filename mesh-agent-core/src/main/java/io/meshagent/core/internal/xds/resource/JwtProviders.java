package io.meshagent.core.internal.xds.resource;

import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtProvider;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.RequirementRule;
import io.meshagent.core.xds.ResourceInvalidException;
import io.meshagent.model.authz.JwtRequirement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Converts {@code envoy.filters.http.jwt_authn}'s providers into {@link JwtRequirement}.
 *
 * <p>The agent evaluates the requirement istiod builds from a RequestAuthentication: a request
 * passes with no token, or with tokens that some provider verifies, and fails with an invalid
 * token. Any other requirement tree is refused rather than evaluated differently.
 */
public final class JwtProviders {
  private static final RouteMatch ALL_PATHS = RouteMatch.newBuilder().setPrefix("/").build();

  private JwtProviders() {}

  /**
   * The providers in the order the requirement names them, which is the order Envoy tries them in;
   * {@code path} prefixes errors.
   */
  public static List<JwtRequirement> convert(JwtAuthentication proto, String path)
      throws ResourceInvalidException {
    Map<String, JwtProvider> sorted = new TreeMap<>(proto.getProvidersMap());
    Map<String, JwtRequirement> converted = new LinkedHashMap<>();
    for (var e : sorted.entrySet()) {
      converted.put(
          e.getKey(),
          provider(e.getKey(), e.getValue(), Paths.field(path, "providers[" + e.getKey() + "]")));
    }
    List<JwtRequirement> out = new ArrayList<>(converted.size());
    for (String name : checkRules(proto, sorted.keySet(), path)) {
      out.add(converted.get(name));
    }
    return out;
  }

  /**
   * Accepts istiod's rules only: one rule for prefix {@code /} requiring either {@code any(P1..Pn,
   * allow_missing)} (one provider; older istiod for several) or {@code any(P1..Pn, all(any(P1,
   * allow_missing) .. any(Pn, allow_missing)))}, naming every provider. Both pass a request without
   * a token and one some provider verifies, and reject any other token.
   */
  private static Set<String> checkRules(JwtAuthentication proto, Set<String> providers, String path)
      throws ResourceInvalidException {
    if (proto.hasFilterStateRules()) {
      throw RoutePolicies.unsupported(Paths.field(path, "filter_state_rules"));
    }
    if (providers.isEmpty() && proto.getRulesCount() == 0) {
      return providers; // verifies nothing, in Envoy as here
    }
    if (proto.getRulesCount() != 1) {
      throw new ResourceInvalidException(
          Paths.at(
              Paths.field(path, "rules"),
              proto.getRulesCount()
                  + " rules are not supported; expected istiod's single rule for prefix '/'"));
    }
    RequirementRule rule = proto.getRules(0);
    String rp = Paths.element(path, "rules", 0);
    if (!rule.getMatch().equals(ALL_PATHS)) {
      throw new ResourceInvalidException(
          Paths.at(Paths.field(rp, "match"), "only prefix '/' (istiod's rule) is supported"));
    }
    if (rule.getRequirementTypeCase() != RequirementRule.RequirementTypeCase.REQUIRES) {
      throw new ResourceInvalidException(
          Paths.at(rp, "only an inline requires (istiod's rule) is supported"));
    }
    Set<String> named = anyProviderOrMissing(rule.getRequires());
    if (named == null || !named.equals(providers)) {
      throw new ResourceInvalidException(
          Paths.at(
              Paths.field(rp, "requires"),
              "not supported: expected istiod's requirement: any of the providers "
                  + providers
                  + " or a missing token"));
    }
    return named;
  }

  /** The providers an istiod-shaped requirement names, in order, or null for any other shape. */
  private static @Nullable Set<String> anyProviderOrMissing(
      io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirement r) {
    if (r.getRequiresTypeCase()
        != io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirement.RequiresTypeCase
            .REQUIRES_ANY) {
      return null;
    }
    Set<String> names = new LinkedHashSet<>();
    Set<String> inner = null;
    int rest = 0;
    for (var e : r.getRequiresAny().getRequirementsList()) {
      switch (e.getRequiresTypeCase()) {
        case PROVIDER_NAME -> names.add(e.getProviderName());
        case ALLOW_MISSING -> rest++;
        case REQUIRES_ALL -> {
          rest++;
          inner = new HashSet<>();
          for (var each : e.getRequiresAll().getRequirementsList()) {
            Set<String> one = anyProviderOrMissing(each);
            if (one == null
                || one.size() != 1
                || each.getRequiresAny().getRequirementsCount() != 2) {
              return null;
            }
            inner.addAll(one);
          }
        }
        default -> {
          return null;
        }
      }
    }
    if (rest != 1 || names.isEmpty() || (inner != null && !inner.equals(names))) {
      return null;
    }
    return names;
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
    // Checks the agent does not make would accept tokens Envoy rejects.
    if (p.getRequireExpiration()) {
      throw RoutePolicies.unsupported(Paths.field(path, "require_expiration"));
    }
    if (p.hasMaxLifetime()) {
      throw RoutePolicies.unsupported(Paths.field(path, "max_lifetime"));
    }
    if (p.hasSubjects()) {
      throw RoutePolicies.unsupported(Paths.field(path, "subjects"));
    }
    List<JwtRequirement.FromHeader> headers = new ArrayList<>(p.getFromHeadersCount());
    for (int i = 0; i < p.getFromHeadersCount(); i++) {
      var h = p.getFromHeaders(i);
      if (h.getName().isEmpty()) {
        throw new ResourceInvalidException(
            Paths.at(
                Paths.field(Paths.element(path, "from_headers", i), "name"), "must not be empty"));
      }
      headers.add(new JwtRequirement.FromHeader(h.getName(), h.getValuePrefix()));
    }
    List<JwtRequirement.ClaimToHeader> claims = new ArrayList<>(p.getClaimToHeadersCount());
    for (int i = 0; i < p.getClaimToHeadersCount(); i++) {
      var c = p.getClaimToHeaders(i);
      String cp = Paths.element(path, "claim_to_headers", i);
      if (c.getHeaderName().isEmpty() || c.getClaimName().isEmpty()) {
        throw new ResourceInvalidException(
            Paths.at(cp, "header_name and claim_name must not be empty"));
      }
      claims.add(new JwtRequirement.ClaimToHeader(c.getHeaderName(), c.getClaimName()));
    }
    return new JwtRequirement(
        name,
        p.getIssuer(),
        p.getAudiencesList(),
        localJwks,
        remoteUri,
        headers,
        p.getFromParamsList(),
        p.getFromCookiesList(),
        p.getForward(),
        p.getPayloadInMetadata(),
        p.getNormalizePayloadInMetadata().getSpaceDelimitedClaimsList(),
        p.getForwardPayloadHeader(),
        p.getPadForwardPayloadHeader(),
        claims,
        p.getClockSkewSeconds());
  }
}
