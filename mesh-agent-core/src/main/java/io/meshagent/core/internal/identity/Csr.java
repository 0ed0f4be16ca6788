package io.meshagent.core.internal.identity;

import io.meshagent.identity.SpiffeId;
import java.io.IOException;
import java.io.StringWriter;
import java.security.KeyPair;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * Certificate signing requests as istio-agent makes them: an empty subject and the SPIFFE id as the
 * only URI SAN (istiod ignores the SAN and issues the caller's authenticated identity, but the dev
 * CA and other CAs read it).
 */
public final class Csr {
  private Csr() {}

  /** A PEM-encoded PKCS#10 request for {@code id}, signed with {@code keyPair}. */
  public static String pem(KeyPair keyPair, SpiffeId id) {
    PKCS10CertificationRequest request = build(keyPair, id);
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(request);
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode a CSR", e);
    }
    return out.toString();
  }

  /** The request itself. */
  public static PKCS10CertificationRequest build(KeyPair keyPair, SpiffeId id) {
    try {
      ExtensionsGenerator extensions = new ExtensionsGenerator();
      extensions.addExtension(
          Extension.subjectAlternativeName,
          true,
          new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, id.toString())));
      return new JcaPKCS10CertificationRequestBuilder(new X500Name(""), keyPair.getPublic())
          .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate())
          .build(
              new JcaContentSignerBuilder(KeyPairs.signatureAlgorithm(keyPair))
                  .build(keyPair.getPrivate()));
    } catch (IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot build a CSR for " + id, e);
    }
  }
}
