package io.meshagent.core.internal.authz;

import io.meshagent.core.internal.routing.HeaderMatching;
import io.meshagent.model.StringMatcher;
import io.meshagent.model.authz.MetadataMatcher;
import io.meshagent.model.authz.Permission;
import io.meshagent.model.authz.Principal;
import io.meshagent.model.authz.RbacPolicy;
import io.meshagent.model.authz.ValueMatcher;
import io.meshagent.model.listener.CidrRange;
import io.meshagent.model.route.HeaderMatcher;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** Envoy's RBAC matchers ({@code source/extensions/filters/common/rbac/matchers.cc}). */
final class RbacMatching {
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private RbacMatching() {}

  /** A policy matches when some permission and some principal match; empty lists never match. */
  static Tri policy(RbacPolicy policy, AuthzRequest r) {
    Tri permissions = Tri.FALSE;
    for (Permission p : policy.permissions()) {
      permissions = or(permissions, permission(p, r));
      if (permissions == Tri.TRUE) {
        break;
      }
    }
    if (permissions == Tri.FALSE) {
      return Tri.FALSE;
    }
    Tri principals = Tri.FALSE;
    for (Principal p : policy.principals()) {
      principals = or(principals, principal(p, r));
      if (principals == Tri.TRUE) {
        break;
      }
    }
    return and(permissions, principals);
  }

  static Tri permission(Permission p, AuthzRequest r) {
    if (p instanceof Permission.And and) {
      Tri result = Tri.TRUE;
      for (Permission rule : and.rules()) {
        result = and(result, permission(rule, r));
        if (result == Tri.FALSE) {
          break;
        }
      }
      return result;
    } else if (p instanceof Permission.Or or) {
      Tri result = Tri.FALSE;
      for (Permission rule : or.rules()) {
        result = or(result, permission(rule, r));
        if (result == Tri.TRUE) {
          break;
        }
      }
      return result;
    } else if (p instanceof Permission.Not not) {
      return permission(not.rule(), r).not();
    } else if (p instanceof Permission.Any) {
      return Tri.TRUE;
    } else if (p instanceof Permission.DestinationPort port) {
      return Tri.of(r.destinationPort() == port.port());
    } else if (p instanceof Permission.DestinationPortRange range) {
      return Tri.of(r.destinationPort() >= range.start() && r.destinationPort() < range.end());
    } else if (p instanceof Permission.DestinationIp ip) {
      return cidr(ip.range(), r.destinationIp());
    } else if (p instanceof Permission.Header h) {
      return r.http() == null ? Tri.UNKNOWN : Tri.of(header(h.matcher(), r.http()));
    } else if (p instanceof Permission.UrlPath path) {
      return r.http() == null
          ? Tri.UNKNOWN
          : Tri.of(path.matcher().matches(r.http().pathWithoutQuery()));
    } else if (p instanceof Permission.UriTemplate t) {
      return r.http() == null
          ? Tri.UNKNOWN
          : Tri.of(t.regex().matcher(r.http().pathWithoutQuery()).matches());
    } else if (p instanceof Permission.RequestedServerName sni) {
      return Tri.of(sni.matcher().matches(r.requestedServerName()));
    } else if (p instanceof Permission.Metadata m) {
      return metadata(m.matcher(), r);
    }
    // A kind added to the model but not here: fail closed.
    return Tri.UNKNOWN;
  }

  static Tri principal(Principal p, AuthzRequest r) {
    if (p instanceof Principal.And and) {
      Tri result = Tri.TRUE;
      for (Principal id : and.ids()) {
        result = and(result, principal(id, r));
        if (result == Tri.FALSE) {
          break;
        }
      }
      return result;
    } else if (p instanceof Principal.Or or) {
      Tri result = Tri.FALSE;
      for (Principal id : or.ids()) {
        result = or(result, principal(id, r));
        if (result == Tri.TRUE) {
          break;
        }
      }
      return result;
    } else if (p instanceof Principal.Not not) {
      return principal(not.id(), r).not();
    } else if (p instanceof Principal.Any) {
      return Tri.TRUE;
    } else if (p instanceof Principal.Authenticated a) {
      // Envoy: no TLS peer never matches; with one, the URI SAN is the principal name.
      if (r.peer() == null) {
        return Tri.FALSE;
      }
      StringMatcher name = a.principalName();
      return Tri.of(name == null || name.matches(r.peer().toString()));
    } else if (p instanceof Principal.DirectRemoteIp ip) {
      return cidr(ip.range(), r.sourceIp());
    } else if (p instanceof Principal.SourceIp ip) {
      return cidr(ip.range(), r.sourceIp());
    } else if (p instanceof Principal.RemoteIp ip) {
      return cidr(ip.range(), r.remoteIp());
    } else if (p instanceof Principal.Header h) {
      return r.http() == null ? Tri.UNKNOWN : Tri.of(header(h.matcher(), r.http()));
    } else if (p instanceof Principal.UrlPath path) {
      return r.http() == null
          ? Tri.UNKNOWN
          : Tri.of(path.matcher().matches(r.http().pathWithoutQuery()));
    } else if (p instanceof Principal.Metadata m) {
      return metadata(m.matcher(), r);
    }
    return Tri.UNKNOWN;
  }

  private static Tri and(Tri a, Tri b) {
    if (a == Tri.FALSE || b == Tri.FALSE) {
      return Tri.FALSE;
    }
    return a == Tri.TRUE && b == Tri.TRUE ? Tri.TRUE : Tri.UNKNOWN;
  }

  private static Tri or(Tri a, Tri b) {
    if (a == Tri.TRUE || b == Tri.TRUE) {
      return Tri.TRUE;
    }
    return a == Tri.FALSE && b == Tri.FALSE ? Tri.FALSE : Tri.UNKNOWN;
  }

  /** Envoy's {@code HeaderUtility::matchHeaders} on the values joined with {@code ,}. */
  static boolean header(HeaderMatcher m, AuthzRequest.Http http) {
    return HeaderMatching.matches(m, http.header(m.name()));
  }

  /**
   * Envoy's {@code MetadataMatcher}: the value at {@code path}, absent when any step is missing,
   * matched and then inverted. Only the verified JWT payload is known; it needs HTTP.
   */
  private static Tri metadata(MetadataMatcher m, AuthzRequest r) {
    if (r.http() == null || !m.filter().equals(MetadataMatcher.JWT_FILTER)) {
      return Tri.UNKNOWN;
    }
    List<String> path = m.path();
    if (path.isEmpty() || !path.get(0).equals(MetadataMatcher.JWT_PAYLOAD_KEY)) {
      return Tri.UNKNOWN;
    }
    Object value = r.jwtPayload();
    for (int i = 1; i < path.size() && value != null; i++) {
      value = value instanceof Map<?, ?> map ? map.get(path.get(i)) : null;
    }
    return Tri.of(value(m.value(), value) != m.invert());
  }

  private static boolean value(ValueMatcher m, @Nullable Object value) {
    if (m instanceof ValueMatcher.StringValue s) {
      return value instanceof String str && s.matcher().matches(str);
    } else if (m instanceof ValueMatcher.ListOneOf list) {
      if (value instanceof List<?> values) {
        for (Object v : values) {
          if (value(list.element(), v)) {
            return true;
          }
        }
      }
      return false;
    } else if (m instanceof ValueMatcher.AnyOf any) {
      for (ValueMatcher each : any.matchers()) {
        if (value(each, value)) {
          return true;
        }
      }
      return false;
    } else if (m instanceof ValueMatcher.Present p) {
      return p.present() && value != null;
    } else if (m instanceof ValueMatcher.BoolValue b) {
      return value instanceof Boolean v && v == b.value();
    }
    return false;
  }

  /** Whether {@code address} is in {@code range}; unknown if the range is not an IP literal. */
  static Tri cidr(CidrRange range, InetAddress address) {
    String literal = range.address();
    if (literal.indexOf(':') < 0 && !IPV4.matcher(literal).matches()) {
      return Tri.UNKNOWN; // never resolve a name on the request path
    }
    byte[] net;
    try {
      net = InetAddress.getByName(literal).getAddress();
    } catch (UnknownHostException e) {
      return Tri.UNKNOWN;
    }
    byte[] addr = address.getAddress();
    if (net.length != addr.length) {
      return Tri.FALSE; // Envoy: an IPv4 range never matches an IPv6 address, and vice versa
    }
    int bits = range.prefixLength();
    if (bits < 0 || bits > net.length * 8) {
      return Tri.UNKNOWN;
    }
    int full = bits / 8;
    for (int i = 0; i < full; i++) {
      if (net[i] != addr[i]) {
        return Tri.FALSE;
      }
    }
    int rest = bits % 8;
    if (rest == 0) {
      return Tri.TRUE;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return Tri.of((net[full] & mask) == (addr[full] & mask));
  }
}
