package io.meshagent.core.internal.authz.jwt;

import com.google.protobuf.Empty;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtProvider;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirement;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirementAndList;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirementOrList;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.RequirementRule;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code envoy.filters.http.jwt_authn} configurations as istiod builds them from a
 * RequestAuthentication ({@code pilot/pkg/security/authn/policy_applier.go}).
 */
public final class IstioJwt {
  private IstioJwt() {}

  /** A provider as istiod writes one {@code jwtRules} entry with an inline (fetched) JWKS. */
  public static JwtProvider.Builder provider(String issuer, String jwks) {
    return JwtProvider.newBuilder()
        .setIssuer(issuer)
        .setLocalJwks(DataSource.newBuilder().setInlineString(jwks))
        .setPayloadInMetadata("payload")
        .setNormalizePayloadInMetadata(
            JwtProvider.NormalizePayload.newBuilder()
                .addSpaceDelimitedClaims("scope")
                .addSpaceDelimitedClaims("permission"));
  }

  /**
   * The filter for providers {@code origins-0..n-1}: {@code any(P, allow_missing)} for one, {@code
   * any(P0..Pn, all(any(P0, allow_missing)..))} for several; CORS preflights bypass it.
   */
  public static JwtAuthentication authentication(JwtProvider.Builder... providers) {
    JwtAuthentication.Builder a = JwtAuthentication.newBuilder().setBypassCorsPreflight(true);
    List<JwtRequirement> inner = new ArrayList<>();
    List<JwtRequirement> outer = new ArrayList<>();
    for (int i = 0; i < providers.length; i++) {
      String name = "origins-" + i;
      a.putProviders(name, providers[i].build());
      inner.add(any(byName(name), ALLOW_MISSING));
      outer.add(byName(name));
    }
    JwtRequirement requires;
    if (providers.length == 1) {
      requires = inner.get(0);
    } else {
      outer.add(
          JwtRequirement.newBuilder()
              .setRequiresAll(JwtRequirementAndList.newBuilder().addAllRequirements(inner))
              .build());
      requires = any(outer.toArray(new JwtRequirement[0]));
    }
    return a.addRules(
            RequirementRule.newBuilder()
                .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                .setRequires(requires))
        .build();
  }

  public static final JwtRequirement ALLOW_MISSING =
      JwtRequirement.newBuilder().setAllowMissing(Empty.getDefaultInstance()).build();

  public static JwtRequirement byName(String name) {
    return JwtRequirement.newBuilder().setProviderName(name).build();
  }

  public static JwtRequirement any(JwtRequirement... requirements) {
    return JwtRequirement.newBuilder()
        .setRequiresAny(JwtRequirementOrList.newBuilder().addAllRequirements(List.of(requirements)))
        .build();
  }
}
