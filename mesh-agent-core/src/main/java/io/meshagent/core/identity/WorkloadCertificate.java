package io.meshagent.core.identity;

import static java.util.Objects.requireNonNull;

import io.meshagent.identity.SpiffeId;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A workload's X.509 SVID and the roots it trusts. Immutable.
 *
 * @param id the SPIFFE id the leaf carries
 * @param privateKey the leaf's private key
 * @param chain leaf first, then intermediates (without the root)
 * @param trustBundles roots by trust domain: our own trust domain's roots, and federated ones
 */
public record WorkloadCertificate(
    SpiffeId id,
    PrivateKey privateKey,
    List<X509Certificate> chain,
    Map<String, List<X509Certificate>> trustBundles) {

  public WorkloadCertificate {
    requireNonNull(id, "id");
    requireNonNull(privateKey, "privateKey");
    chain = List.copyOf(chain);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("a certificate chain needs at least the leaf");
    }
    trustBundles = Map.copyOf(trustBundles);
  }

  /** The leaf certificate. */
  public X509Certificate leaf() {
    return chain.get(0);
  }

  /** Start of the leaf's validity. */
  public Instant notBefore() {
    return leaf().getNotBefore().toInstant();
  }

  /** End of the leaf's validity. */
  public Instant notAfter() {
    return leaf().getNotAfter().toInstant();
  }

  /** The roots of our own trust domain. */
  public List<X509Certificate> roots() {
    return trustBundles.getOrDefault(id.trustDomain(), List.of());
  }
}
