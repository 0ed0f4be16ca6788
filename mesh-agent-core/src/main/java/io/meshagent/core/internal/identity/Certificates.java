package io.meshagent.core.internal.identity;

import io.meshagent.identity.SpiffeId;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Reading the SPIFFE identity out of a certificate delivered by a provider. */
public final class Certificates {
  private static final Integer URI_SAN = 6;

  private Certificates() {}

  /**
   * The single SPIFFE URI SAN of {@code leaf}.
   *
   * @param what names the certificate in errors, for example "the leaf certificate from istiod"
   * @throws CertificateException if it has none, several, or one that is not a SPIFFE id
   */
  public static SpiffeId spiffeId(X509Certificate leaf, String what) throws CertificateException {
    List<String> uris = new ArrayList<>();
    try {
      Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          if (URI_SAN.equals(san.get(0))) {
            uris.add(String.valueOf(san.get(1)));
          }
        }
      }
    } catch (CertificateParsingException e) {
      throw new CertificateException(what + " has unreadable SANs", e);
    }
    if (uris.size() != 1) {
      throw new CertificateException(
          what + " has " + uris.size() + " URI SANs; exactly one SPIFFE id is required");
    }
    try {
      return SpiffeId.parse(uris.get(0));
    } catch (IllegalArgumentException e) {
      throw new CertificateException(what + ": " + e.getMessage(), e);
    }
  }

  /** Whether {@code key} is the private half of {@code leaf}'s public key. */
  public static boolean keyMatches(X509Certificate leaf, java.security.PrivateKey key) {
    try {
      String alg = key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
      java.security.Signature signer = java.security.Signature.getInstance(alg);
      signer.initSign(key);
      byte[] probe = {'m', 'e', 's', 'h'};
      signer.update(probe);
      byte[] signature = signer.sign();
      java.security.Signature verifier = java.security.Signature.getInstance(alg);
      verifier.initVerify(leaf.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (java.security.GeneralSecurityException e) {
      return false;
    }
  }
}
