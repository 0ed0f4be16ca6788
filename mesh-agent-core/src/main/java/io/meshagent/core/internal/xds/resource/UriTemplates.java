package io.meshagent.core.internal.xds.resource;

import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.extensions.path.match.uri_template.v3.UriTemplateMatchConfig;
import io.meshagent.core.xds.ResourceInvalidException;
import io.meshagent.model.authz.Permission;
import java.util.regex.Pattern;

/**
 * Envoy's URI template matcher ({@code envoy.path.match.uri_template.uri_template_matcher}), as
 * {@code uri_template_lib} compiles it: segments that are literals, {@code *} or {@code {name}}
 * (one non-empty segment), or {@code **} or {@code {name=**}} (the rest of the path, last). Mixed
 * segments such as {@code {name}.jpg} are refused.
 */
final class UriTemplates {
  private static final String TYPE_URL =
      "type.googleapis.com/" + UriTemplateMatchConfig.getDescriptor().getFullName();
  private static final String LITERAL = "a-zA-Z0-9\\-._~%!$&'()+,;:@=";
  private static final Pattern LITERAL_SEGMENT = Pattern.compile("[" + LITERAL + "]+");
  private static final Pattern VARIABLE = Pattern.compile("\\{[a-zA-Z][a-zA-Z0-9_]*(=(\\*\\*?))?}");

  private UriTemplates() {}

  static Permission.UriTemplate convert(TypedExtensionConfig config, String path)
      throws ResourceInvalidException {
    String configPath = Paths.field(path, "typed_config");
    if (!config.getTypedConfig().getTypeUrl().equals(TYPE_URL)) {
      throw new ResourceInvalidException(
          Paths.at(
              configPath,
              "'"
                  + config.getTypedConfig().getTypeUrl()
                  + "' is not supported; supported: "
                  + TYPE_URL));
    }
    String template =
        Anys.unpack(config.getTypedConfig(), UriTemplateMatchConfig.class, configPath)
            .getPathTemplate();
    String templatePath = Paths.field(configPath, "path_template");
    return new Permission.UriTemplate(template, Pattern.compile(regex(template, templatePath)));
  }

  static String regex(String template, String path) throws ResourceInvalidException {
    if (!template.startsWith("/")) {
      throw invalid(template, path, "must start with '/'");
    }
    String[] segments = template.substring(1).split("/", -1);
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < segments.length; i++) {
      String s = segments[i];
      regex.append('/');
      boolean last = i == segments.length - 1;
      if (s.equals("**") || VARIABLE.matcher(s).matches() && s.endsWith("=**}")) {
        if (!last) {
          throw invalid(template, path, "'**' must be the last segment");
        }
        regex.append("[").append(LITERAL).append("/]*");
      } else if (s.equals("*") || VARIABLE.matcher(s).matches()) {
        regex.append("[").append(LITERAL).append("]+");
      } else if (LITERAL_SEGMENT.matcher(s).matches() || s.isEmpty() && last) {
        regex.append(Pattern.quote(s));
      } else {
        throw invalid(template, path, "segment '" + s + "' is not supported");
      }
    }
    return regex.toString();
  }

  private static ResourceInvalidException invalid(String template, String path, String why) {
    return new ResourceInvalidException(Paths.at(path, "'" + template + "': " + why));
  }
}
