package io.meshagent.core.internal.xds.resource;

import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.meshagent.core.xds.ResourceInvalidException;
import io.meshagent.model.StringMatcher;
import io.meshagent.model.authz.MetadataMatcher;
import io.meshagent.model.authz.Permission;
import io.meshagent.model.authz.Principal;
import io.meshagent.model.authz.RbacAction;
import io.meshagent.model.authz.RbacConfig;
import io.meshagent.model.authz.RbacFilter;
import io.meshagent.model.authz.RbacPolicy;
import io.meshagent.model.authz.ValueMatcher;
import io.meshagent.model.listener.CidrRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Converts Envoy's RBAC filters ({@code envoy.filters.http.rbac}, {@code
 * envoy.filters.network.rbac}) and {@code config.rbac.v3} into {@link RbacFilter}.
 *
 * <p>Fails closed: a permission, principal or matcher kind the agent cannot evaluate (CEL
 * conditions, the xDS matcher API, {@code filter_state}, metadata other than the JWT payload, ...)
 * is a {@link ResourceInvalidException}, so the resource is NACKed instead of being enforced with a
 * rule silently missing.
 */
public final class RbacFilters {
  private RbacFilters() {}

  /** Converts {@code extensions.filters.http.rbac.v3.RBAC}; {@code path} prefixes errors. */
  public static RbacFilter http(
      io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC proto, String path)
      throws ResourceInvalidException {
    return filter(
        proto.hasMatcher(),
        proto.hasShadowMatcher(),
        proto.hasRules() ? proto.getRules() : null,
        proto.hasShadowRules() ? proto.getShadowRules() : null,
        proto.getShadowRulesStatPrefix(),
        path);
  }

  /** Converts {@code extensions.filters.network.rbac.v3.RBAC}; {@code path} prefixes errors. */
  public static RbacFilter network(
      io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC proto, String path)
      throws ResourceInvalidException {
    // enforcement_type (ONE_TIME_ON_FIRST_BYTE / CONTINUOUS) and delay_deny only change when a
    // decision is applied, not the decision.
    return filter(
        proto.hasMatcher(),
        proto.hasShadowMatcher(),
        proto.hasRules() ? proto.getRules() : null,
        proto.hasShadowRules() ? proto.getShadowRules() : null,
        proto.getShadowRulesStatPrefix(),
        path);
  }

  /** What the HTTP and network filters share: the same fields in two proto messages. */
  private static RbacFilter filter(
      boolean hasMatcher,
      boolean hasShadowMatcher,
      @Nullable RBAC rules,
      @Nullable RBAC shadowRules,
      String shadowRulesStatPrefix,
      String path)
      throws ResourceInvalidException {
    if (hasMatcher) {
      throw unsupported(Paths.field(path, "matcher"));
    }
    if (hasShadowMatcher) {
      throw unsupported(Paths.field(path, "shadow_matcher"));
    }
    return new RbacFilter(
        rules != null ? config(rules, Paths.field(path, "rules")) : null,
        shadowRules != null ? config(shadowRules, Paths.field(path, "shadow_rules")) : null,
        shadowRulesStatPrefix);
  }

  /** Converts {@code config.rbac.v3.RBAC}; {@code path} prefixes errors. */
  public static RbacConfig config(RBAC proto, String path) throws ResourceInvalidException {
    RbacAction action =
        switch (proto.getAction()) {
          case ALLOW -> RbacAction.ALLOW;
          case DENY -> RbacAction.DENY;
          case LOG -> RbacAction.LOG;
          case UNRECOGNIZED ->
              throw new ResourceInvalidException(
                  Paths.at(
                      Paths.field(path, "action"),
                      proto.getActionValue() + " is not supported; supported: ALLOW, DENY, LOG"));
        };
    // Envoy keeps policies in a std::map: the first match in name order is reported.
    Map<String, io.envoyproxy.envoy.config.rbac.v3.Policy> sorted =
        new TreeMap<>(proto.getPoliciesMap());
    List<RbacPolicy> policies = new ArrayList<>(sorted.size());
    for (var e : sorted.entrySet()) {
      String p = Paths.field(path, "policies[" + e.getKey() + "]");
      policies.add(policy(e.getKey(), e.getValue(), p));
    }
    return new RbacConfig(action, policies);
  }

  private static RbacPolicy policy(
      String name, io.envoyproxy.envoy.config.rbac.v3.Policy proto, String path)
      throws ResourceInvalidException {
    if (proto.hasCondition()) {
      throw unsupported(Paths.field(path, "condition"));
    }
    if (proto.hasCheckedCondition()) {
      throw unsupported(Paths.field(path, "checked_condition"));
    }
    List<Permission> permissions = new ArrayList<>(proto.getPermissionsCount());
    for (int i = 0; i < proto.getPermissionsCount(); i++) {
      permissions.add(permission(proto.getPermissions(i), Paths.element(path, "permissions", i)));
    }
    List<Principal> principals = new ArrayList<>(proto.getPrincipalsCount());
    for (int i = 0; i < proto.getPrincipalsCount(); i++) {
      principals.add(principal(proto.getPrincipals(i), Paths.element(path, "principals", i)));
    }
    return new RbacPolicy(name, permissions, principals);
  }

  @SuppressWarnings("deprecation") // metadata: istiod still emits it rather than sourced_metadata
  static Permission permission(io.envoyproxy.envoy.config.rbac.v3.Permission p, String path)
      throws ResourceInvalidException {
    return switch (p.getRuleCase()) {
      case AND_RULES ->
          new Permission.And(permissions(p.getAndRules().getRulesList(), path, "and_rules"));
      case OR_RULES ->
          new Permission.Or(permissions(p.getOrRules().getRulesList(), path, "or_rules"));
      case NOT_RULE ->
          new Permission.Not(permission(p.getNotRule(), Paths.field(path, "not_rule")));
      case ANY -> {
        if (!p.getAny()) {
          throw new ResourceInvalidException(
              Paths.at(Paths.field(path, "any"), "must be true when set"));
        }
        yield new Permission.Any();
      }
      case DESTINATION_PORT -> {
        int port = p.getDestinationPort();
        if (port < 0 || port > 65535) {
          throw new ResourceInvalidException(
              Paths.at(
                  Paths.field(path, "destination_port"),
                  Integer.toUnsignedString(port) + " is not a port"));
        }
        yield new Permission.DestinationPort(port);
      }
      case DESTINATION_PORT_RANGE -> {
        var r = p.getDestinationPortRange();
        if (r.getStart() < 0 || r.getEnd() > 65536 || r.getStart() > r.getEnd()) {
          throw new ResourceInvalidException(
              Paths.at(
                  Paths.field(path, "destination_port_range"),
                  "[" + r.getStart() + ", " + r.getEnd() + ") is not a port range"));
        }
        yield new Permission.DestinationPortRange(r.getStart(), r.getEnd());
      }
      case DESTINATION_IP ->
          new Permission.DestinationIp(
              cidr(p.getDestinationIp(), Paths.field(path, "destination_ip")));
      case HEADER ->
          new Permission.Header(Matchers.header(p.getHeader(), Paths.field(path, "header")));
      case URL_PATH ->
          new Permission.UrlPath(urlPath(p.getUrlPath(), Paths.field(path, "url_path")));
      case REQUESTED_SERVER_NAME ->
          new Permission.RequestedServerName(
              Matchers.envoy(
                  p.getRequestedServerName(), Paths.field(path, "requested_server_name")));
      case METADATA ->
          new Permission.Metadata(metadata(p.getMetadata(), Paths.field(path, "metadata")));
      case URI_TEMPLATE ->
          UriTemplates.convert(p.getUriTemplate(), Paths.field(path, "uri_template"));
      case SOURCED_METADATA ->
          new Permission.Metadata(
              sourcedMetadata(p.getSourcedMetadata(), Paths.field(path, "sourced_metadata")));
      case RULE_NOT_SET ->
          throw new ResourceInvalidException(Paths.at(path, "no permission rule is set"));
      // matcher and kinds newer than this agent.
      default ->
          throw unsupported(Paths.field(path, p.getRuleCase().name().toLowerCase(Locale.ROOT)));
    };
  }

  @SuppressWarnings("deprecation") // metadata: istiod still emits it rather than sourced_metadata
  static Principal principal(io.envoyproxy.envoy.config.rbac.v3.Principal p, String path)
      throws ResourceInvalidException {
    return switch (p.getIdentifierCase()) {
      case AND_IDS -> new Principal.And(principals(p.getAndIds().getIdsList(), path, "and_ids"));
      case OR_IDS -> new Principal.Or(principals(p.getOrIds().getIdsList(), path, "or_ids"));
      case NOT_ID -> new Principal.Not(principal(p.getNotId(), Paths.field(path, "not_id")));
      case ANY -> {
        if (!p.getAny()) {
          throw new ResourceInvalidException(
              Paths.at(Paths.field(path, "any"), "must be true when set"));
        }
        yield new Principal.Any();
      }
      case AUTHENTICATED -> {
        var a = p.getAuthenticated();
        yield new Principal.Authenticated(
            a.hasPrincipalName()
                ? Matchers.envoy(
                    a.getPrincipalName(), Paths.field(path, "authenticated.principal_name"))
                : null);
      }
      case DIRECT_REMOTE_IP ->
          new Principal.DirectRemoteIp(
              cidr(p.getDirectRemoteIp(), Paths.field(path, "direct_remote_ip")));
      case REMOTE_IP ->
          new Principal.RemoteIp(cidr(p.getRemoteIp(), Paths.field(path, "remote_ip")));
      case SOURCE_IP -> sourceIp(p, path);
      case HEADER ->
          new Principal.Header(Matchers.header(p.getHeader(), Paths.field(path, "header")));
      case URL_PATH ->
          new Principal.UrlPath(urlPath(p.getUrlPath(), Paths.field(path, "url_path")));
      case METADATA ->
          new Principal.Metadata(metadata(p.getMetadata(), Paths.field(path, "metadata")));
      case SOURCED_METADATA ->
          new Principal.Metadata(
              sourcedMetadata(p.getSourcedMetadata(), Paths.field(path, "sourced_metadata")));
      case IDENTIFIER_NOT_SET ->
          throw new ResourceInvalidException(Paths.at(path, "no principal identifier is set"));
      // filter_state, custom and kinds newer than this agent.
      default ->
          throw unsupported(
              Paths.field(path, p.getIdentifierCase().name().toLowerCase(Locale.ROOT)));
    };
  }

  @SuppressWarnings("deprecation") // source_ip is deprecated, still accepted by Envoy
  private static Principal sourceIp(io.envoyproxy.envoy.config.rbac.v3.Principal p, String path)
      throws ResourceInvalidException {
    return new Principal.SourceIp(cidr(p.getSourceIp(), Paths.field(path, "source_ip")));
  }

  private static List<Permission> permissions(
      List<io.envoyproxy.envoy.config.rbac.v3.Permission> rules, String path, String field)
      throws ResourceInvalidException {
    String p = Paths.field(path, field);
    if (rules.isEmpty()) {
      throw new ResourceInvalidException(Paths.at(Paths.field(p, "rules"), "must not be empty"));
    }
    List<Permission> out = new ArrayList<>(rules.size());
    for (int i = 0; i < rules.size(); i++) {
      out.add(permission(rules.get(i), Paths.element(p, "rules", i)));
    }
    return out;
  }

  private static List<Principal> principals(
      List<io.envoyproxy.envoy.config.rbac.v3.Principal> ids, String path, String field)
      throws ResourceInvalidException {
    String p = Paths.field(path, field);
    if (ids.isEmpty()) {
      throw new ResourceInvalidException(Paths.at(Paths.field(p, "ids"), "must not be empty"));
    }
    List<Principal> out = new ArrayList<>(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      out.add(principal(ids.get(i), Paths.element(p, "ids", i)));
    }
    return out;
  }

  private static StringMatcher urlPath(
      io.envoyproxy.envoy.type.matcher.v3.PathMatcher m, String path)
      throws ResourceInvalidException {
    if (!m.hasPath()) {
      throw new ResourceInvalidException(Paths.at(path, "path must be set"));
    }
    return Matchers.envoy(m.getPath(), Paths.field(path, "path"));
  }

  private static CidrRange cidr(io.envoyproxy.envoy.config.core.v3.CidrRange r, String path)
      throws ResourceInvalidException {
    String address = r.getAddressPrefix();
    if (!IpAddresses.isLiteral(address)) {
      throw new ResourceInvalidException(
          Paths.at(Paths.field(path, "address_prefix"), "'" + address + "' is not an IP address"));
    }
    int length = r.hasPrefixLen() ? r.getPrefixLen().getValue() : 0;
    int max = IpAddresses.maxPrefixLength(address);
    if (length < 0 || length > max) {
      throw new ResourceInvalidException(
          Paths.at(
              Paths.field(path, "prefix_len"),
              Integer.toUnsignedString(length) + " is longer than " + max + " for " + address));
    }
    return new CidrRange(address, length);
  }

  private static MetadataMatcher sourcedMetadata(
      io.envoyproxy.envoy.config.rbac.v3.SourcedMetadata m, String path)
      throws ResourceInvalidException {
    if (m.getMetadataSource() != io.envoyproxy.envoy.config.rbac.v3.MetadataSource.DYNAMIC) {
      throw new ResourceInvalidException(
          Paths.at(
              Paths.field(path, "metadata_source"),
              m.getMetadataSource() + " is not supported; supported: DYNAMIC"));
    }
    return metadata(m.getMetadataMatcher(), Paths.field(path, "metadata_matcher"));
  }

  private static MetadataMatcher metadata(
      io.envoyproxy.envoy.type.matcher.v3.MetadataMatcher m, String path)
      throws ResourceInvalidException {
    // Only the verified JWT payload is known to the agent; any other namespace would be evaluated
    // as absent, which a not_id or invert would turn into a match.
    if (!m.getFilter().equals(MetadataMatcher.JWT_FILTER)) {
      throw new ResourceInvalidException(
          Paths.at(
              Paths.field(path, "filter"),
              "'"
                  + m.getFilter()
                  + "' is not supported; supported: "
                  + MetadataMatcher.JWT_FILTER));
    }
    List<String> keys = new ArrayList<>(m.getPathCount());
    for (int i = 0; i < m.getPathCount(); i++) {
      var segment = m.getPath(i);
      if (!segment.hasKey() || segment.getKey().isEmpty()) {
        throw new ResourceInvalidException(
            Paths.at(Paths.element(path, "path", i), "key must be set"));
      }
      keys.add(segment.getKey());
    }
    if (keys.isEmpty() || !keys.get(0).equals(MetadataMatcher.JWT_PAYLOAD_KEY)) {
      throw new ResourceInvalidException(
          Paths.at(
              Paths.field(path, "path"),
              "must start with '" + MetadataMatcher.JWT_PAYLOAD_KEY + "', the JWT payload"));
    }
    if (!m.hasValue()) {
      throw new ResourceInvalidException(Paths.at(Paths.field(path, "value"), "must be set"));
    }
    return new MetadataMatcher(
        m.getFilter(), keys, value(m.getValue(), Paths.field(path, "value")), m.getInvert());
  }

  private static ValueMatcher value(io.envoyproxy.envoy.type.matcher.v3.ValueMatcher v, String path)
      throws ResourceInvalidException {
    return switch (v.getMatchPatternCase()) {
      case STRING_MATCH ->
          new ValueMatcher.StringValue(
              Matchers.envoy(v.getStringMatch(), Paths.field(path, "string_match")));
      case LIST_MATCH -> {
        var list = v.getListMatch();
        if (!list.hasOneOf()) {
          throw new ResourceInvalidException(
              Paths.at(Paths.field(path, "list_match"), "one_of must be set"));
        }
        yield new ValueMatcher.ListOneOf(
            value(list.getOneOf(), Paths.field(path, "list_match.one_of")));
      }
      case OR_MATCH -> {
        var matchers = v.getOrMatch().getValueMatchersList();
        String p = Paths.field(path, "or_match");
        if (matchers.size() < 2) {
          throw new ResourceInvalidException(
              Paths.at(Paths.field(p, "value_matchers"), "needs at least 2 matchers"));
        }
        List<ValueMatcher> out = new ArrayList<>(matchers.size());
        for (int i = 0; i < matchers.size(); i++) {
          out.add(value(matchers.get(i), Paths.element(p, "value_matchers", i)));
        }
        yield new ValueMatcher.AnyOf(out);
      }
      case PRESENT_MATCH -> new ValueMatcher.Present(v.getPresentMatch());
      case BOOL_MATCH -> new ValueMatcher.BoolValue(v.getBoolMatch());
      case MATCHPATTERN_NOT_SET ->
          throw new ResourceInvalidException(Paths.at(path, "no match pattern is set"));
      // null_match, double_match: never emitted by istiod.
      default ->
          throw unsupported(
              Paths.field(path, v.getMatchPatternCase().name().toLowerCase(Locale.ROOT)));
    };
  }

  private static ResourceInvalidException unsupported(String path) {
    return new ResourceInvalidException(
        Paths.at(path, "not supported; the agent cannot evaluate it and refuses to ignore it"));
  }
}
