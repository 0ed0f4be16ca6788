package io.meshagent.core.internal.identity;

import static java.util.Objects.requireNonNull;

import io.meshagent.identity.SpiffeId;
import io.meshagent.model.StringMatcher;
import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Verifies a mesh peer's certificate chain as ztunnel does: the chain leads to the roots of our own
 * trust domain (trust-domain aliases are not honoured), the leaf is valid now, carries exactly one
 * URI SAN, that SAN is a SPIFFE id in our trust domain, and — when an allowed list is given, as xDS
 * gives one to clients ({@code UpstreamTlsContext.match_subject_alt_names}) — it matches the list.
 *
 * <p>Immutable and thread-safe. Every failure, including an unexpected one inside the JDK's path
 * validator, is a {@link PeerVerificationException}: verification fails closed.
 */
public final class SpiffePeerVerifier {
  private static final String SCHEME = "spiffe://";
  private static final int URI_SAN = 6; // GeneralName.uniformResourceIdentifier

  private final String trustDomain;
  private final List<X509Certificate> roots;
  private final Set<TrustAnchor> anchors;
  private final List<StringMatcher> allowedSans;

  /**
   * Paths already validated against these roots, with the window in which every certificate of the
   * path is valid. A peer presents the same chain for hours; PKIX validation (a Java ECDSA or RSA
   * signature check per link) would otherwise dominate the handshake's cost. Only successes are
   * kept, time is rechecked on every hit, and the SAN and trust-domain checks still run each time.
   */
  private final Map<List<X509Certificate>, Instant[]> validated;

  private static final int MAX_VALIDATED = 4096;

  /**
   * A verifier that accepts any identity in {@code trustDomain}.
   *
   * @param trustDomain our trust domain, for example {@code cluster.local}
   * @param trustBundles root certificates by trust domain; only {@code trustDomain}'s are used
   * @throws IllegalArgumentException if {@code trustDomain} is not a valid trust domain or has no
   *     roots in {@code trustBundles}
   */
  public SpiffePeerVerifier(String trustDomain, Map<String, List<X509Certificate>> trustBundles) {
    requireNonNull(trustDomain, "trustDomain");
    requireNonNull(trustBundles, "trustBundles");
    SpiffeId domainId;
    try {
      domainId = SpiffeId.parse(SCHEME + trustDomain);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid trust domain '" + trustDomain + "'", e);
    }
    if (!domainId.path().isEmpty()) {
      throw new IllegalArgumentException(
          "invalid trust domain '" + trustDomain + "': it must not contain '/'");
    }
    List<X509Certificate> bundle = trustBundles.get(trustDomain);
    if (bundle == null || bundle.isEmpty()) {
      throw new IllegalArgumentException(
          "no root certificates for trust domain "
              + trustDomain
              + "; trust bundles are known for "
              + trustBundles.keySet());
    }
    this.trustDomain = trustDomain;
    this.roots = List.copyOf(bundle);
    Set<TrustAnchor> a = new LinkedHashSet<>();
    for (X509Certificate root : roots) {
      a.add(new TrustAnchor(root, null));
    }
    this.anchors = Set.copyOf(a);
    this.allowedSans = List.of();
    this.validated = new java.util.concurrent.ConcurrentHashMap<>();
  }

  private SpiffePeerVerifier(SpiffePeerVerifier base, List<StringMatcher> allowedSans) {
    this.trustDomain = base.trustDomain;
    this.roots = base.roots;
    this.anchors = base.anchors;
    this.allowedSans = allowedSans;
    this.validated = base.validated;
  }

  /**
   * A verifier with the same roots that also requires the peer's SPIFFE id (its full {@code
   * spiffe://} URI) to match one of {@code allowedSans}; an empty list accepts any identity in the
   * trust domain. Exact SPIFFE ids are {@link StringMatcher.Exact} matchers.
   */
  public SpiffePeerVerifier withAllowedSans(List<StringMatcher> allowedSans) {
    return new SpiffePeerVerifier(this, List.copyOf(allowedSans));
  }

  /** Our trust domain. */
  public String trustDomain() {
    return trustDomain;
  }

  /** The roots of our trust domain that peers' chains must lead to. */
  public List<X509Certificate> roots() {
    return roots;
  }

  /** The SANs a peer must match; empty when any identity in the trust domain is accepted. */
  public List<StringMatcher> allowedSans() {
    return allowedSans;
  }

  /**
   * Verifies {@code chain} (leaf first, as sent in TLS) at time {@code now} and returns the peer's
   * identity.
   *
   * @throws PeerVerificationException saying what is wrong with which peer
   */
  public SpiffeId verify(List<X509Certificate> chain, Instant now)
      throws PeerVerificationException {
    requireNonNull(now, "now");
    if (chain == null || chain.isEmpty()) {
      throw new PeerVerificationException("peer presented no certificate (empty chain)");
    }
    X509Certificate leaf = chain.get(0);
    String uri = singleUriSan(leaf);
    String who = "peer certificate for " + uri;
    checkValidity(leaf, who, now);
    SpiffeId id = parseSpiffe(uri, leaf);
    if (!id.trustDomain().equals(trustDomain)) {
      throw new PeerVerificationException(
          who + " has trust domain " + id.trustDomain() + "; only " + trustDomain + " is trusted");
    }
    validatePath(chain, who, now);
    if (!allowedSans.isEmpty() && !matchesAny(uri)) {
      throw new PeerVerificationException(
          "SAN not allowed: peer certificate has "
              + uri
              + ", expected one of "
              + allowedSans.stream()
                  .map(SpiffePeerVerifier::describe)
                  .collect(Collectors.joining(", ", "[", "]")));
    }
    return id;
  }

  /**
   * The single URI SAN of {@code leaf}, which must be a {@code spiffe://} URI.
   *
   * @throws PeerVerificationException if there is none, more than one, or it is not SPIFFE
   */
  static String singleUriSan(X509Certificate leaf) throws PeerVerificationException {
    Collection<List<?>> sans;
    try {
      sans = leaf.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      throw new PeerVerificationException(
          "peer certificate " + describeSubject(leaf) + " has a malformed subjectAltName", e);
    }
    List<String> uris = new ArrayList<>();
    if (sans != null) {
      for (List<?> san : sans) {
        if (san.size() == 2
            && san.get(0) instanceof Integer type
            && type == URI_SAN
            && san.get(1) instanceof String value) {
          uris.add(value);
        }
      }
    }
    if (uris.isEmpty()) {
      throw new PeerVerificationException(
          "peer certificate "
              + describeSubject(leaf)
              + " has no URI SAN; a SPIFFE id (spiffe://<trust-domain>/...) is required");
    }
    if (uris.size() > 1) {
      throw new PeerVerificationException(
          "peer certificate "
              + describeSubject(leaf)
              + " has "
              + uris.size()
              + " URI SANs "
              + uris
              + "; exactly one SPIFFE id is required");
    }
    String uri = uris.get(0);
    if (!uri.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      throw new PeerVerificationException(
          "peer certificate "
              + describeSubject(leaf)
              + " has URI SAN "
              + uri
              + ", which is not a spiffe:// id");
    }
    return uri;
  }

  /** {@code uri}, a {@code spiffe://} SAN of {@code leaf}, as a SPIFFE id. */
  static SpiffeId parseSpiffe(String uri, X509Certificate leaf) throws PeerVerificationException {
    try {
      return SpiffeId.parse(uri);
    } catch (IllegalArgumentException e) {
      throw new PeerVerificationException(
          "peer certificate "
              + describeSubject(leaf)
              + " has an invalid SPIFFE id: "
              + e.getMessage(),
          e);
    }
  }

  private static void checkValidity(X509Certificate leaf, String who, Instant now)
      throws PeerVerificationException {
    Instant notBefore = leaf.getNotBefore().toInstant();
    Instant notAfter = leaf.getNotAfter().toInstant();
    String period = " (valid from " + notBefore + " to " + notAfter + "; now is " + now + ")";
    try {
      leaf.checkValidity(Date.from(now));
    } catch (CertificateExpiredException e) {
      throw new PeerVerificationException(
          PeerVerificationException.Kind.EXPIRED, who + " expired at " + notAfter + period, e);
    } catch (CertificateNotYetValidException e) {
      throw new PeerVerificationException(
          PeerVerificationException.Kind.NOT_YET_VALID,
          who + " is not valid until " + notBefore + period,
          e);
    }
  }

  private void validatePath(List<X509Certificate> chain, String who, Instant now)
      throws PeerVerificationException {
    // The path handed to PKIX excludes the anchor; peers (Istio included) often append the root.
    List<X509Certificate> path = new ArrayList<>(chain);
    while (path.size() > 1 && roots.contains(path.get(path.size() - 1))) {
      path.remove(path.size() - 1);
    }
    Instant[] window = validated.get(path);
    if (window != null && !now.isBefore(window[0]) && now.isBefore(window[1])) {
      return;
    }
    try {
      CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
      PKIXParameters params = new PKIXParameters(anchors);
      params.setRevocationEnabled(false);
      params.setDate(Date.from(now));
      CertPathValidator.getInstance("PKIX").validate(certPath, params);
      Instant from = Instant.MIN;
      Instant until = Instant.MAX;
      for (X509Certificate c : path) {
        Instant nb = c.getNotBefore().toInstant();
        Instant na = c.getNotAfter().toInstant();
        from = nb.isAfter(from) ? nb : from;
        until = na.isBefore(until) ? na : until;
      }
      for (TrustAnchor anchor : anchors) {
        X509Certificate root = anchor.getTrustedCert();
        if (root.getSubjectX500Principal()
                .equals(path.get(path.size() - 1).getIssuerX500Principal())
            && root.getNotAfter().toInstant().isBefore(until)) {
          until = root.getNotAfter().toInstant();
        }
      }
      if (validated.size() >= MAX_VALIDATED) {
        validated.clear();
      }
      validated.put(List.copyOf(path), new Instant[] {from, until});
      return;
    } catch (CertPathValidatorException e) {
      throw new PeerVerificationException(
          pathKind(e),
          who + " does not chain to the mesh roots of " + trustDomain + ": " + pathFailure(e, path),
          e);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new PeerVerificationException(
          PeerVerificationException.Kind.REJECTED,
          who + " could not be validated against the mesh roots of " + trustDomain + ": " + e,
          e);
    }
  }

  // An intermediate out of its validity is told as such; any other path failure means the chain
  // does not reach a root we trust.
  private static PeerVerificationException.Kind pathKind(CertPathValidatorException e) {
    if (e.getReason() == CertPathValidatorException.BasicReason.EXPIRED) {
      return PeerVerificationException.Kind.EXPIRED;
    }
    if (e.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
      return PeerVerificationException.Kind.NOT_YET_VALID;
    }
    return PeerVerificationException.Kind.UNKNOWN_CA;
  }

  private String pathFailure(CertPathValidatorException e, List<X509Certificate> path) {
    int index = e.getIndex();
    String cert =
        index >= 0 && index < path.size()
            ? "certificate " + index + " (" + describeSubject(path.get(index)) + ")"
            : "the chain";
    if (e.getReason() == PKIXReason.NO_TRUST_ANCHOR) {
      int lastIndex = path.size() - 1;
      X509Certificate last = path.get(lastIndex);
      return "certificate "
          + lastIndex
          + " ("
          + describeSubject(last)
          + ") is issued by "
          + last.getIssuerX500Principal().getName()
          + ", which is not one of the "
          + roots.size()
          + " root(s) "
          + roots.stream()
              .map(r -> r.getSubjectX500Principal().getName())
              .collect(Collectors.joining("; ", "[", "]"));
    }
    if (e.getReason() == CertPathValidatorException.BasicReason.INVALID_SIGNATURE) {
      return "the signature on " + cert + " does not verify with its issuer's key";
    }
    if (e.getReason() == CertPathValidatorException.BasicReason.EXPIRED
        || e.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
      X509Certificate c = index >= 0 && index < path.size() ? path.get(index) : null;
      return cert
          + " is "
          + e.getReason().toString().toLowerCase(Locale.ROOT).replace('_', ' ')
          + (c == null
              ? ""
              : " (valid from "
                  + c.getNotBefore().toInstant()
                  + " to "
                  + c.getNotAfter().toInstant()
                  + ")");
    }
    return cert + ": " + e.getMessage();
  }

  private boolean matchesAny(String uri) {
    for (StringMatcher m : allowedSans) {
      if (m.matches(uri)) {
        return true;
      }
    }
    return false;
  }

  /** A certificate named by subject, or by issuer and serial when its subject is empty. */
  static String describeSubject(X509Certificate cert) {
    String subject = cert.getSubjectX500Principal().getName();
    if (!subject.isEmpty()) {
      return "with subject " + subject;
    }
    return "with an empty subject (serial "
        + cert.getSerialNumber().toString(16)
        + ", issuer "
        + cert.getIssuerX500Principal().getName()
        + ")";
  }

  private static String describe(StringMatcher m) {
    String text;
    boolean ignoreCase;
    if (m instanceof StringMatcher.Exact e) {
      text = e.value();
      ignoreCase = e.ignoreCase();
    } else if (m instanceof StringMatcher.Prefix p) {
      text = p.prefix() + "*";
      ignoreCase = p.ignoreCase();
    } else if (m instanceof StringMatcher.Suffix s) {
      text = "*" + s.suffix();
      ignoreCase = s.ignoreCase();
    } else if (m instanceof StringMatcher.Contains c) {
      text = "*" + c.substring() + "*";
      ignoreCase = c.ignoreCase();
    } else if (m instanceof StringMatcher.Regex r) {
      text = "regex " + r.pattern().pattern();
      ignoreCase = false;
    } else {
      text = m.toString();
      ignoreCase = false;
    }
    return ignoreCase ? text + " (ignoring case)" : text;
  }

  @Override
  public String toString() {
    return "SpiffePeerVerifier{trustDomain="
        + trustDomain
        + ", roots="
        + roots.size()
        + ", allowedSans="
        + allowedSans.stream().map(SpiffePeerVerifier::describe).toList()
        + "}";
  }
}
