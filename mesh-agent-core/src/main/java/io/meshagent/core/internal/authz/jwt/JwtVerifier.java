package io.meshagent.core.internal.authz.jwt;

import io.meshagent.core.internal.authz.jwt.TokenResult.Location;
import io.meshagent.core.internal.routing.RequestHeaders;
import io.meshagent.model.authz.JwtRequirement;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One {@code jwt_authn} provider compiled for verification: its token locations, its audiences and
 * its keys, parsed once from the inline JWKS. Immutable and thread-safe; {@link #verify} is a pure
 * function of the request and the clock.
 *
 * <p>Checks in Envoy's order ({@code authenticator.cc}): the token parses; its {@code iss} is the
 * provider's issuer (any when the provider names none); {@code nbf} and {@code exp} hold with the
 * clock skew (60 s unless {@code clock_skew_seconds} says otherwise); one of its audiences is
 * allowed (when the provider lists any; {@code http(s)://} and a trailing {@code /} are ignored, as
 * Envoy's {@code CheckAudience} ignores them); a key verifies the signature.
 */
public final class JwtVerifier {
  /** Envoy's {@code kClockSkewInSecond}. */
  static final long DEFAULT_CLOCK_SKEW_SECONDS = 60;

  private static final String BASE64URL_AND_DOT =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";

  private final JwtRequirement provider;
  private final List<Location> locations;
  private final Set<String> audiences;
  private final long clockSkewSeconds;
  private final @Nullable Jwks jwks;

  /** Compiles {@code provider}; parses its inline JWKS. */
  public JwtVerifier(JwtRequirement provider) {
    this.provider = provider;
    this.locations = locations(provider);
    Set<String> audiences = new HashSet<>();
    for (String a : provider.audiences()) {
      audiences.add(sanitizeAudience(a));
    }
    this.audiences = Set.copyOf(audiences);
    this.clockSkewSeconds =
        provider.clockSkewSeconds() > 0
            ? Integer.toUnsignedLong(provider.clockSkewSeconds())
            : DEFAULT_CLOCK_SKEW_SECONDS;
    // Envoy keeps an invalid inline JWKS as "no keys" (tokens then fail); a remote-only provider
    // has no keys here at all, and its tokens fail closed.
    String local = provider.localJwks();
    this.jwks = local != null ? Jwks.parse(local) : null;
  }

  /** The provider. */
  public JwtRequirement provider() {
    return provider;
  }

  /** Where this provider reads tokens, in order, without duplicates. */
  public List<Location> locations() {
    return locations;
  }

  /**
   * Verifies every token in the provider's locations: none is {@link TokenResult.Missing}; all
   * valid is {@link TokenResult.Valid} with the last one's payload; otherwise the first failure.
   * Envoy insists on all, so that a good token cannot carry a bad one past the check.
   */
  public TokenResult verify(RequestHeaders request, Clock clock) {
    long now = Math.floorDiv(clock.millis(), 1000);
    Jwt last = null;
    List<Location> found = new ArrayList<>(1);
    for (Location l : locations) {
      for (String token : tokens(l, request)) {
        Jwt jwt;
        try {
          jwt = Jwt.parse(token);
        } catch (Jwt.Invalid e) {
          return new TokenResult.Invalid(provider.name(), e.status);
        }
        JwtStatus status = check(jwt, now);
        if (status != null) {
          return new TokenResult.Invalid(provider.name(), status);
        }
        last = jwt;
        if (!found.contains(l)) {
          found.add(l);
        }
      }
    }
    if (last == null) {
      return new TokenResult.Missing();
    }
    return new TokenResult.Valid(
        provider.name(), Json.toMap(last.payload), last.payloadBase64, found);
  }

  /**
   * Verifies one token, wherever it came from.
   *
   * @return the token's claims, or why it is rejected
   */
  public TokenResult verifyToken(String token, Clock clock) {
    Jwt jwt;
    try {
      jwt = Jwt.parse(token);
    } catch (Jwt.Invalid e) {
      return new TokenResult.Invalid(provider.name(), e.status);
    }
    JwtStatus status = check(jwt, Math.floorDiv(clock.millis(), 1000));
    if (status != null) {
      return new TokenResult.Invalid(provider.name(), status);
    }
    return new TokenResult.Valid(
        provider.name(), Json.toMap(jwt.payload), jwt.payloadBase64, List.of());
  }

  private @Nullable JwtStatus check(Jwt jwt, long nowSeconds) {
    if (!provider.issuer().isEmpty() && !provider.issuer().equals(jwt.iss)) {
      return JwtStatus.UNKNOWN_ISSUER;
    }
    JwtStatus time = jwt.checkTime(nowSeconds, clockSkewSeconds);
    if (time != null) {
      return time;
    }
    if (!audiences.isEmpty() && !audienceAllowed(jwt.audiences)) {
      return JwtStatus.AUDIENCE_NOT_ALLOWED;
    }
    if (jwks == null) {
      return JwtStatus.JWKS_NOT_AVAILABLE;
    }
    return jwks.verify(jwt);
  }

  private boolean audienceAllowed(List<String> tokenAudiences) {
    for (String a : tokenAudiences) {
      if (audiences.contains(sanitizeAudience(a))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Envoy's {@code sanitizeAudience}: drops an {@code http://} or {@code https://} and a final /.
   */
  static String sanitizeAudience(String aud) {
    int begin = 0;
    if (aud.startsWith("http://")) {
      begin = 7;
    } else if (aud.startsWith("https://")) {
      begin = 8;
    }
    int end = aud.endsWith("/") ? aud.length() - 1 : aud.length();
    return begin <= end ? aud.substring(begin, end) : "";
  }

  /**
   * Envoy's extractor: the provider's headers, query parameters and cookies; with none of them,
   * {@code Authorization: Bearer} and the {@code access_token} parameter.
   */
  private static List<Location> locations(JwtRequirement p) {
    Set<Location> out = new LinkedHashSet<>();
    for (JwtRequirement.FromHeader h : p.fromHeaders()) {
      out.add(
          new Location(Location.Kind.HEADER, h.name().toLowerCase(Locale.ROOT), h.valuePrefix()));
    }
    for (String param : p.fromParams()) {
      out.add(new Location(Location.Kind.QUERY_PARAMETER, param, ""));
    }
    for (String cookie : p.fromCookies()) {
      out.add(new Location(Location.Kind.COOKIE, cookie, ""));
    }
    if (out.isEmpty()) {
      out.add(new Location(Location.Kind.HEADER, "authorization", "Bearer "));
      out.add(new Location(Location.Kind.QUERY_PARAMETER, "access_token", ""));
    }
    return List.copyOf(out);
  }

  /** The tokens at one location: every value of a header, the first of a parameter or cookie. */
  static List<String> tokens(Location l, RequestHeaders request) {
    switch (l.kind()) {
      case HEADER -> {
        List<String> values = request.headerValues(l.name());
        if (values.isEmpty()) {
          return List.of();
        }
        List<String> out = new ArrayList<>(values.size());
        for (String v : values) {
          if (l.valuePrefix().isEmpty()) {
            out.add(v);
            continue;
          }
          // Envoy finds the prefix anywhere in the value, then takes what follows from the first
          // base64url character on.
          int pos = v.indexOf(l.valuePrefix());
          if (pos >= 0) {
            out.add(afterPrefix(v, pos + l.valuePrefix().length()));
          }
        }
        return out;
      }
      case QUERY_PARAMETER -> {
        String v = request.queryParameter(l.name());
        return v == null ? List.of() : List.of(percentDecode(v));
      }
      case COOKIE -> {
        String v = request.cookie(l.name());
        return v == null ? List.of() : List.of(v);
      }
    }
    return List.of();
  }

  /** Envoy's {@code extractJWT}: from the first base64url or dot character on; else all of it. */
  private static String afterPrefix(String value, int after) {
    for (int i = after; i < value.length(); i++) {
      if (BASE64URL_AND_DOT.indexOf(value.charAt(i)) >= 0) {
        return value.substring(i);
      }
    }
    return value;
  }

  /** Percent-decodes as Envoy's query parsing does; malformed escapes are kept as they are. */
  static String percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length());
    ByteArrayOutputStream escaped = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%'
          && i + 2 < s.length()
          && hex(s.charAt(i + 1)) >= 0
          && hex(s.charAt(i + 2)) >= 0) {
        escaped.write(hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2)));
        i += 2;
        continue;
      }
      if (escaped.size() > 0) {
        out.append(escaped.toString(StandardCharsets.UTF_8));
        escaped.reset();
      }
      out.append(c);
    }
    return out.append(escaped.toString(StandardCharsets.UTF_8)).toString();
  }

  private static int hex(char c) {
    return Character.digit(c, 16);
  }
}
