package io.meshagent.model.route;

import static java.util.Objects.requireNonNull;

import io.meshagent.model.StringMatcher;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Envoy's CORS policy: {@code envoy.extensions.filters.http.cors.v3.CorsPolicy} in a {@code
 * typed_per_filter_config} entry for {@code envoy.filters.http.cors} (as istiod sends it), or the
 * deprecated inline {@code cors} field of a virtual host or route action.
 *
 * <p>A policy configures one level (route configuration, virtual host, route or weighted cluster).
 * Envoy's CORS filter merges the levels field by field, the most specific level that sets a field
 * winning; empty strings, empty lists and null mean "not set here". Whether the filter is enabled
 * comes from the most specific policy alone.
 *
 * @param allowOrigins {@code allow_origin_string_match}: the origins allowed
 * @param allowMethods {@code allow_methods}, as configured (comma separated), or empty
 * @param allowHeaders {@code allow_headers}, as configured, or empty
 * @param exposeHeaders {@code expose_headers}, as configured, or empty
 * @param maxAge {@code max_age} in seconds, as configured, or empty
 * @param allowCredentials {@code allow_credentials}, or null when unset
 * @param allowPrivateNetworkAccess {@code allow_private_network_access}, or null when unset
 * @param forwardNotMatchingPreflights {@code forward_not_matching_preflights}, or null when unset
 *     (Envoy's default: true)
 * @param filterEnabledPerMillion {@code filter_enabled.default_value} in parts per million
 *     (1,000,000 when unset: enabled)
 * @param shadowEnabledPerMillion {@code shadow_enabled.default_value} in parts per million (0 when
 *     unset)
 * @param legacyInline whether it comes from the deprecated inline {@code cors} field, which Envoy
 *     reads only when no level configures the filter in {@code typed_per_filter_config}
 */
public record CorsPolicy(
    List<StringMatcher> allowOrigins,
    String allowMethods,
    String allowHeaders,
    String exposeHeaders,
    String maxAge,
    @Nullable Boolean allowCredentials,
    @Nullable Boolean allowPrivateNetworkAccess,
    @Nullable Boolean forwardNotMatchingPreflights,
    int filterEnabledPerMillion,
    int shadowEnabledPerMillion,
    boolean legacyInline) {

  /**
   * A level where the filter is disabled ({@code FilterConfig} with {@code disabled: true}): it
   * sets nothing, and as the most specific level it turns the filter off.
   */
  public static final CorsPolicy DISABLED =
      new CorsPolicy(List.of(), "", "", "", "", null, null, null, 0, 0, false);

  public CorsPolicy {
    allowOrigins = List.copyOf(allowOrigins);
    requireNonNull(allowMethods, "allowMethods");
    requireNonNull(allowHeaders, "allowHeaders");
    requireNonNull(exposeHeaders, "exposeHeaders");
    requireNonNull(maxAge, "maxAge");
  }
}
