package io.meshagent.identity;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * A SPIFFE id, validated per the SPIFFE specification (SPIFFE-ID.md): {@code spiffe://} followed by
 * a trust domain of lower-case letters, digits, {@code .}, {@code -} and {@code _}, and an optional
 * path of non-empty segments of letters, digits, {@code .}, {@code -} and {@code _} (never {@code
 * .} or {@code ..}); no port, user info, query or fragment; at most 2048 bytes.
 *
 * <p>Istio's workload ids have the path {@code /ns/<namespace>/sa/<service-account>}.
 */
public final class SpiffeId {
  private static final String SCHEME = "spiffe://";
  private static final int MAX_LENGTH = 2048;
  private static final int MAX_TRUST_DOMAIN = 255;

  private final String trustDomain;
  private final String path;

  private SpiffeId(String trustDomain, String path) {
    this.trustDomain = trustDomain;
    this.path = path;
  }

  /**
   * Parses {@code uri}.
   *
   * @throws IllegalArgumentException saying which rule {@code uri} breaks
   */
  public static SpiffeId parse(String uri) {
    requireNonNull(uri, "uri");
    if (uri.length() > MAX_LENGTH) {
      throw invalid(uri, "is longer than " + MAX_LENGTH + " bytes");
    }
    if (!uri.startsWith(SCHEME)) {
      throw invalid(uri, "does not start with spiffe://");
    }
    String rest = uri.substring(SCHEME.length());
    int slash = rest.indexOf('/');
    String td = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "" : rest.substring(slash);
    checkTrustDomain(uri, td);
    checkPath(uri, path);
    return new SpiffeId(td, path);
  }

  /**
   * {@code spiffe://<trustDomain>/ns/<namespace>/sa/<serviceAccount>}, Istio's form.
   *
   * @throws IllegalArgumentException if a part contains {@code /} or the result is not a valid id
   */
  public static SpiffeId ofIstio(String trustDomain, String namespace, String serviceAccount) {
    // Each part must stay one URI component: "a/sa/b" as a namespace would otherwise forge a
    // different (and non-Istio) id.
    checkNoSlash("trust domain", trustDomain);
    checkNoSlash("namespace", namespace);
    checkNoSlash("service account", serviceAccount);
    return parse(SCHEME + trustDomain + "/ns/" + namespace + "/sa/" + serviceAccount);
  }

  private static void checkNoSlash(String what, String value) {
    requireNonNull(value, what);
    if (value.indexOf('/') >= 0) {
      throw new IllegalArgumentException(
          "the " + what + " '" + value + "' of a SPIFFE id must not contain '/'");
    }
  }

  /** The trust domain, for example {@code cluster.local}. */
  public String trustDomain() {
    return trustDomain;
  }

  /** The path, empty or starting with {@code /}. */
  public String path() {
    return path;
  }

  /** The namespace of an Istio id ({@code /ns/<ns>/sa/<sa>}), or null for other forms. */
  public @Nullable String namespace() {
    String[] s = istioSegments();
    return s == null ? null : s[1];
  }

  /** The service account of an Istio id, or null for other forms. */
  public @Nullable String serviceAccount() {
    String[] s = istioSegments();
    return s == null ? null : s[3];
  }

  /** The id without {@code spiffe://}, as Istio's principals are written. */
  public String principal() {
    return trustDomain + path;
  }

  private String @Nullable [] istioSegments() {
    if (!path.startsWith("/ns/")) {
      return null;
    }
    String[] s = path.substring(1).split("/", -1);
    return s.length == 4 && s[0].equals("ns") && s[2].equals("sa") ? s : null;
  }

  private static void checkTrustDomain(String uri, String td) {
    if (td.isEmpty()) {
      throw invalid(uri, "has an empty trust domain");
    }
    if (td.length() > MAX_TRUST_DOMAIN) {
      throw invalid(uri, "has a trust domain longer than " + MAX_TRUST_DOMAIN + " characters");
    }
    for (int i = 0; i < td.length(); i++) {
      char c = td.charAt(i);
      if (c == ':') {
        throw invalid(uri, "has a port, which a trust domain must not have");
      }
      if (c == '@') {
        throw invalid(uri, "has user info, which a trust domain must not have");
      }
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_')) {
        throw invalid(
            uri,
            "has '"
                + c
                + "' in its trust domain; only lower-case letters, digits, '.', '-' and '_' are"
                + " allowed");
      }
    }
  }

  private static void checkPath(String uri, String path) {
    if (path.isEmpty()) {
      return;
    }
    if (path.equals("/") || path.endsWith("/")) {
      throw invalid(uri, "has a trailing '/'");
    }
    for (String segment : path.substring(1).split("/", -1)) {
      if (segment.isEmpty()) {
        throw invalid(uri, "has an empty path segment");
      }
      if (segment.equals(".") || segment.equals("..")) {
        throw invalid(uri, "has a '" + segment + "' path segment");
      }
      for (int i = 0; i < segment.length(); i++) {
        char c = segment.charAt(i);
        boolean ok =
            (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || c == '.'
                || c == '-'
                || c == '_';
        if (!ok) {
          throw invalid(
              uri,
              "has '"
                  + c
                  + "' in its path; only letters, digits, '.', '-' and '_' are allowed"
                  + (c == '?' || c == '#' ? " (no query or fragment)" : ""));
        }
      }
    }
  }

  private static IllegalArgumentException invalid(String uri, String why) {
    return new IllegalArgumentException("'" + uri + "' is not a valid SPIFFE id: it " + why);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof SpiffeId other
        && trustDomain.equals(other.trustDomain)
        && path.equals(other.path);
  }

  @Override
  public int hashCode() {
    return trustDomain.hashCode() * 31 + path.hashCode();
  }

  /** The URI form, {@code spiffe://<trust-domain><path>}. */
  @Override
  public String toString() {
    return SCHEME + trustDomain + path;
  }
}
