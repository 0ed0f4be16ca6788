package io.meshagent.core.internal.xds.resource;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.meshagent.core.xds.ResourceInvalidException;
import io.meshagent.model.route.CorsPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Converts CORS policies: {@code envoy.extensions.filters.http.cors.v3.CorsPolicy} in {@code
 * typed_per_filter_config} (istiod) and the deprecated inline {@code envoy.config.route.v3
 * .CorsPolicy}.
 */
final class CorsPolicies {
  private static final String CORS_POLICY_TYPE =
      "type.googleapis.com/"
          + io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy.getDescriptor()
              .getFullName();

  private static final int MILLION = RoutePolicies.MILLION;

  private CorsPolicies() {}

  /**
   * A level's CORS policy: its {@code typed_per_filter_config} entry, else its deprecated inline
   * policy, else null. Both at one level: the typed entry, since Envoy then ignores every inline
   * policy of the route.
   *
   * @param path the level's field path, for errors
   * @param inline the level's inline {@code cors}, or null when it has none
   * @param inlinePath the inline policy's field path
   */
  static @Nullable CorsPolicy level(
      Map<String, Any> perFilter,
      String path,
      io.envoyproxy.envoy.config.route.v3.@Nullable CorsPolicy inline,
      String inlinePath)
      throws ResourceInvalidException {
    PerFilterConfigs.Entry e =
        PerFilterConfigs.entry(perFilter, PerFilterConfigs.CORS_FILTER, path);
    if (e != null && e.disabled()) {
      return CorsPolicy.DISABLED;
    }
    if (e != null && e.config() != null) {
      Any any = e.config();
      if (!any.getTypeUrl().equals(CORS_POLICY_TYPE)) {
        throw new ResourceInvalidException(
            Paths.at(
                e.path(), any.getTypeUrl() + " is not supported; supported: " + CORS_POLICY_TYPE));
      }
      var p =
          Anys.unpack(
              any, io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy.class, e.path());
      return policy(
          p.getAllowOriginStringMatchList(),
          p.getAllowMethods(),
          p.getAllowHeaders(),
          p.getExposeHeaders(),
          p.getMaxAge(),
          p.hasAllowCredentials() ? p.getAllowCredentials() : null,
          p.hasAllowPrivateNetworkAccess() ? p.getAllowPrivateNetworkAccess() : null,
          p.hasForwardNotMatchingPreflights() ? p.getForwardNotMatchingPreflights() : null,
          p.hasFilterEnabled() ? p.getFilterEnabled() : null,
          p.hasShadowEnabled() ? p.getShadowEnabled() : null,
          false,
          e.path());
    }
    if (inline == null) {
      return null;
    }
    return policy(
        inline.getAllowOriginStringMatchList(),
        inline.getAllowMethods(),
        inline.getAllowHeaders(),
        inline.getExposeHeaders(),
        inline.getMaxAge(),
        inline.hasAllowCredentials() ? inline.getAllowCredentials() : null,
        inline.hasAllowPrivateNetworkAccess() ? inline.getAllowPrivateNetworkAccess() : null,
        inline.hasForwardNotMatchingPreflights() ? inline.getForwardNotMatchingPreflights() : null,
        inline.hasFilterEnabled() ? inline.getFilterEnabled() : null,
        inline.hasShadowEnabled() ? inline.getShadowEnabled() : null,
        true,
        inlinePath);
  }

  private static CorsPolicy policy(
      List<StringMatcher> origins,
      String allowMethods,
      String allowHeaders,
      String exposeHeaders,
      String maxAge,
      @Nullable BoolValue allowCredentials,
      @Nullable BoolValue allowPrivateNetworkAccess,
      @Nullable BoolValue forwardNotMatchingPreflights,
      @Nullable RuntimeFractionalPercent filterEnabled,
      @Nullable RuntimeFractionalPercent shadowEnabled,
      boolean legacyInline,
      String path)
      throws ResourceInvalidException {
    List<io.meshagent.model.StringMatcher> allowOrigins = new ArrayList<>(origins.size());
    for (int i = 0; i < origins.size(); i++) {
      allowOrigins.add(
          Matchers.envoy(origins.get(i), Paths.element(path, "allow_origin_string_match", i)));
    }
    return new CorsPolicy(
        allowOrigins,
        allowMethods,
        allowHeaders,
        exposeHeaders,
        maxAge,
        allowCredentials == null ? null : allowCredentials.getValue(),
        allowPrivateNetworkAccess == null ? null : allowPrivateNetworkAccess.getValue(),
        forwardNotMatchingPreflights == null ? null : forwardNotMatchingPreflights.getValue(),
        // Envoy: enabled unless filter_enabled says otherwise; shadow only when shadow_enabled is
        // set. Runtime keys are not read: the agent has no runtime.
        filterEnabled == null
            ? MILLION
            : RouteConfigurationType.perMillion(filterEnabled, Paths.field(path, "filter_enabled")),
        shadowEnabled == null
            ? 0
            : RouteConfigurationType.perMillion(shadowEnabled, Paths.field(path, "shadow_enabled")),
        legacyInline);
  }
}
