package io.meshagent.core.internal.xds.resource;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.route.v3.FilterConfig;
import io.meshagent.core.xds.ResourceInvalidException;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reads one HTTP filter's entry in a {@code typed_per_filter_config} map as Envoy's {@code
 * PerFilterConfigs} does, unwrapping {@code envoy.config.route.v3.FilterConfig}.
 */
final class PerFilterConfigs {
  static final String FAULT_FILTER = "envoy.filters.http.fault";
  static final String CORS_FILTER = "envoy.filters.http.cors";

  private static final String FILTER_CONFIG_TYPE =
      "type.googleapis.com/" + FilterConfig.getDescriptor().getFullName();

  /** Filters whose per-route overrides change who may call; the agent does not apply them. */
  private static final List<String> SECURITY_FILTERS =
      List.of(
          "envoy.filters.http.rbac",
          "envoy.filters.http.jwt_authn",
          "envoy.filters.http.ext_authz");

  private PerFilterConfigs() {}

  /**
   * A level's entry for one filter.
   *
   * @param config the filter's configuration at this level, or null when the entry only enables or
   *     disables the filter
   * @param disabled whether the entry disables the filter ({@code FilterConfig.disabled})
   * @param path the configuration's field path, for error messages
   */
  record Entry(@Nullable Any config, boolean disabled, String path) {}

  /**
   * The entry for {@code filter}, or null when the map has none. Envoy's rules: a {@code
   * FilterConfig} with {@code disabled: true} disables the filter and ignores its config; one
   * without {@code config} is an error; one whose config has no type URL only enables the filter;
   * any other entry enables the filter with that configuration.
   *
   * <p>Refuses per-route overrides of authorization filters first: enforcing the listener's policy
   * while ignoring an override that tightens it would fail open.
   */
  static @Nullable Entry entry(Map<String, Any> perFilter, String filter, String path)
      throws ResourceInvalidException {
    for (String name : SECURITY_FILTERS) {
      if (perFilter.containsKey(name)) {
        throw new ResourceInvalidException(
            Paths.at(
                Paths.field(path, "typed_per_filter_config[" + name + "]"),
                "per-route overrides of " + name + " are not supported"));
      }
    }
    Any any = perFilter.get(filter);
    if (any == null) {
      return null;
    }
    String p = Paths.field(path, "typed_per_filter_config[" + filter + "]");
    if (!any.getTypeUrl().equals(FILTER_CONFIG_TYPE)) {
      return new Entry(any, false, p);
    }
    FilterConfig wrapper = Anys.unpack(any, FilterConfig.class, p);
    if (wrapper.getDisabled()) {
      return new Entry(null, true, p);
    }
    if (!wrapper.hasConfig()) {
      throw new ResourceInvalidException(
          Paths.at(
              Paths.field(p, "config"),
              "required: an empty route/virtual host per filter configuration for " + filter));
    }
    if (wrapper.getConfig().getTypeUrl().isEmpty()) {
      return new Entry(null, false, p);
    }
    return new Entry(wrapper.getConfig(), false, Paths.field(p, "config"));
  }
}
