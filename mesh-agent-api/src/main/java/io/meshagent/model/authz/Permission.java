package io.meshagent.model.authz;

import static java.util.Objects.requireNonNull;

import io.meshagent.model.StringMatcher;
import io.meshagent.model.listener.CidrRange;
import io.meshagent.model.route.HeaderMatcher;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Envoy's {@code config.rbac.v3.Permission}: what a request does. The kinds are those istiod emits;
 * anything else is refused when the configuration is parsed.
 *
 * <p>{@link Header}, {@link UrlPath}, {@link UriTemplate} and {@link Metadata} need an HTTP
 * request.
 */
public sealed interface Permission {

  /** All of {@code rules} match ({@code and_rules}). */
  record And(List<Permission> rules) implements Permission {
    public And {
      rules = List.copyOf(rules);
    }
  }

  /** Any of {@code rules} matches ({@code or_rules}). */
  record Or(List<Permission> rules) implements Permission {
    public Or {
      rules = List.copyOf(rules);
    }
  }

  /** {@code rule} does not match ({@code not_rule}). */
  record Not(Permission rule) implements Permission {
    public Not {
      requireNonNull(rule, "rule");
    }
  }

  /** Always matches ({@code any: true}). */
  record Any() implements Permission {}

  /** The connection's local port equals {@code port} ({@code destination_port}). */
  record DestinationPort(int port) implements Permission {}

  /** {@code start <= port < end} ({@code destination_port_range}). */
  record DestinationPortRange(int start, int end) implements Permission {}

  /** The connection's local address is in {@code range} ({@code destination_ip}). */
  record DestinationIp(CidrRange range) implements Permission {
    public DestinationIp {
      requireNonNull(range, "range");
    }
  }

  /**
   * A request header matches ({@code header}); istiod matches methods on {@code :method} and hosts
   * on {@code :authority}.
   */
  record Header(HeaderMatcher matcher) implements Permission {
    public Header {
      requireNonNull(matcher, "matcher");
    }
  }

  /** The request path without query and fragment matches ({@code url_path}). */
  record UrlPath(StringMatcher matcher) implements Permission {
    public UrlPath {
      requireNonNull(matcher, "matcher");
    }
  }

  /**
   * The request path without query and fragment matches an Envoy URI template ({@code
   * uri_template}); istiod emits it for paths with {@code {*}} (one segment) or {@code {**}} (any
   * rest).
   *
   * @param template the template, for example {@code /api/*}{@code /reviews/**}
   * @param regex the template as a regex over the whole path, as Envoy compiles it
   */
  record UriTemplate(String template, Pattern regex) implements Permission {
    public UriTemplate {
      requireNonNull(template, "template");
      requireNonNull(regex, "regex");
    }
  }

  /** The TLS server name (empty without SNI) matches ({@code requested_server_name}). */
  record RequestedServerName(StringMatcher matcher) implements Permission {
    public RequestedServerName {
      requireNonNull(matcher, "matcher");
    }
  }

  /** Dynamic metadata matches ({@code metadata}). */
  record Metadata(MetadataMatcher matcher) implements Permission {
    public Metadata {
      requireNonNull(matcher, "matcher");
    }
  }
}
