package io.meshagent.core.internal.identity.spire;

import com.google.protobuf.ByteString;
import io.meshagent.core.identity.WorkloadCertificate;
import io.meshagent.core.internal.proto.spiffe.X509SVID;
import io.meshagent.core.internal.proto.spiffe.X509SVIDResponse;
import io.meshagent.identity.SpiffeId;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Turns a Workload API {@code X509SVIDResponse} into a workload certificate: the first SVID (the
 * default identity, spiffe/spiffe {@code SPIFFE_Workload_API.md} §5.3), its own trust domain's
 * bundle and the federated bundles. Anything unusable is refused with a message naming the field
 * and the reason; nothing is half-applied.
 */
final class X509Svids {
  private static final byte[] PROBE = "mesh-agent key check".getBytes(StandardCharsets.US_ASCII);
  private static final String SPIFFE_SCHEME = "spiffe://";
  private static final int URI_SAN = 6;

  private X509Svids() {}

  static WorkloadCertificate toCertificate(X509SVIDResponse response) throws CertificateException {
    if (response.getSvidsCount() == 0) {
      throw new CertificateException("the response carries no SVID (svids is empty)");
    }
    X509SVID svid = response.getSvids(0);
    SpiffeId id;
    try {
      id = SpiffeId.parse(svid.getSpiffeId());
    } catch (IllegalArgumentException e) {
      throw new CertificateException("svids[0].spiffe_id: " + e.getMessage(), e);
    }
    String field = "svids[0] (" + id + ")";
    List<X509Certificate> chain = certificates(svid.getX509Svid(), field + ".x509_svid");
    X509Certificate leaf = chain.get(0);
    checkLeaf(leaf, id, field);
    PrivateKey key = privateKey(svid.getX509SvidKey(), field + ".x509_svid_key");
    checkKeyMatches(key, leaf.getPublicKey(), field);

    Map<String, List<X509Certificate>> bundles = new HashMap<>();
    for (Map.Entry<String, ByteString> e : response.getFederatedBundlesMap().entrySet()) {
      String where = "federated_bundles['" + e.getKey() + "']";
      bundles.put(trustDomain(e.getKey(), where), certificates(e.getValue(), where));
    }
    // Our own trust domain's roots come from the SVID's bundle, whatever a federated entry says.
    bundles.put(id.trustDomain(), certificates(svid.getBundle(), field + ".bundle"));
    return new WorkloadCertificate(id, key, chain, bundles);
  }

  /** DER certificates concatenated; at least one. */
  private static List<X509Certificate> certificates(ByteString der, String field)
      throws CertificateException {
    if (der.isEmpty()) {
      throw new CertificateException(field + " is empty; it must hold DER certificates");
    }
    Collection<? extends Certificate> certs;
    try {
      certs = CertificateFactory.getInstance("X.509").generateCertificates(der.newInput());
    } catch (CertificateException e) {
      throw new CertificateException(
          field + " is not DER X.509 certificates: " + e.getMessage(), e);
    }
    if (certs.isEmpty()) {
      throw new CertificateException(field + " holds no certificate");
    }
    List<X509Certificate> out = new ArrayList<>(certs.size());
    for (Certificate c : certs) {
      out.add((X509Certificate) c);
    }
    return out;
  }

  /** X509-SVID.md: exactly one URI SAN, the SPIFFE id; the leaf is not a CA. */
  private static void checkLeaf(X509Certificate leaf, SpiffeId id, String field)
      throws CertificateException {
    List<String> uris = new ArrayList<>();
    Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
    if (sans != null) {
      for (List<?> san : sans) {
        if (san.size() >= 2 && Integer.valueOf(URI_SAN).equals(san.get(0))) {
          uris.add(String.valueOf(san.get(1)));
        }
      }
    }
    if (uris.size() != 1) {
      throw new CertificateException(
          field
              + ": the leaf certificate has "
              + uris.size()
              + " URI SANs "
              + uris
              + "; an X.509 SVID has exactly one, its SPIFFE id");
    }
    if (!uris.get(0).equals(id.toString())) {
      throw new CertificateException(
          field
              + ": the leaf certificate's URI SAN "
              + uris.get(0)
              + " differs from spiffe_id "
              + id);
    }
    if (leaf.getBasicConstraints() >= 0) {
      throw new CertificateException(
          field + ": the leaf certificate is a CA certificate; an X.509 SVID leaf must not be");
    }
  }

  /** Unencrypted PKCS#8 DER; SVID keys are EC or RSA. */
  private static PrivateKey privateKey(ByteString der, String field) throws CertificateException {
    if (der.isEmpty()) {
      throw new CertificateException(field + " is empty; it must hold a PKCS#8 private key");
    }
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der.toByteArray());
    @Nullable InvalidKeySpecException last = null;
    for (String algorithm : List.of("EC", "RSA")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (InvalidKeySpecException e) {
        last = e;
      } catch (GeneralSecurityException e) {
        throw new CertificateException(field + ": " + algorithm + " keys unsupported here", e);
      }
    }
    throw new CertificateException(
        field + " is not an unencrypted PKCS#8 EC or RSA private key", last);
  }

  /** Signs a probe with the key and checks it with the leaf's public key. */
  private static void checkKeyMatches(PrivateKey key, PublicKey leafKey, String field)
      throws CertificateException {
    String mismatch =
        field
            + ": x509_svid_key ("
            + key.getAlgorithm()
            + ") is not the key of the leaf certificate"
            + " ("
            + leafKey.getAlgorithm()
            + ")";
    if (!key.getAlgorithm().equals(leafKey.getAlgorithm())) {
      throw new CertificateException(mismatch);
    }
    String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
    boolean matches;
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(PROBE);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(leafKey);
      verifier.update(PROBE);
      matches = verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      throw new CertificateException(mismatch + ": " + e.getMessage(), e);
    }
    if (!matches) {
      throw new CertificateException(mismatch);
    }
  }

  /**
   * A federated bundle's key: the trust domain's SPIFFE id ({@code spiffe://example.org}, as the
   * standard says) or, as go-spiffe also accepts, the bare name.
   */
  private static String trustDomain(String key, String field) throws CertificateException {
    String uri = key.startsWith(SPIFFE_SCHEME) ? key : SPIFFE_SCHEME + key;
    try {
      return SpiffeId.parse(uri).trustDomain();
    } catch (IllegalArgumentException e) {
      throw new CertificateException(
          field + ": the key is not a trust domain: " + e.getMessage(), e);
    }
  }
}
