package io.meshagent.core.internal.identity;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.util.Objects.requireNonNull;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyException;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.jspecify.annotations.Nullable;

/**
 * PEM as Istio and SPIRE write it: certificate chains ({@code CERTIFICATE}, leaf first) and
 * unencrypted private keys in PKCS#8 ({@code PRIVATE KEY}), SEC1 ({@code EC PRIVATE KEY}) or PKCS#1
 * ({@code RSA PRIVATE KEY}) form. Text outside PEM blocks is ignored, as OpenSSL ignores it.
 *
 * <p>Errors name the origin of the text (a file path, or "the CA response") so that a person can
 * find the bad input.
 */
public final class Pem {
  private static final Base64.Encoder BASE64 =
      Base64.getMimeEncoder(64, new byte[] {'\n'}); // RFC 7468: 64-character lines

  private Pem() {}

  /**
   * The certificates in {@code pem}, in order; other PEM blocks (a key in the same file) are
   * skipped.
   *
   * @param origin where {@code pem} came from, for messages
   * @throws CertificateException if the text is malformed or holds no certificate
   */
  public static List<X509Certificate> readCertificates(String pem, String origin)
      throws CertificateException {
    requireNonNull(pem, "pem");
    requireNonNull(origin, "origin");
    List<X509Certificate> certificates = new ArrayList<>();
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      Object o;
      while ((o = parser.readObject()) != null) {
        if (o instanceof X509CertificateHolder holder) {
          certificates.add(
              (X509Certificate)
                  factory.generateCertificate(new ByteArrayInputStream(holder.getEncoded())));
        }
      }
    } catch (IOException | CertificateException | RuntimeException e) {
      throw new CertificateException(malformed(origin, e), e);
    }
    if (certificates.isEmpty()) {
      throw new CertificateException("no certificate in " + origin);
    }
    return List.copyOf(certificates);
  }

  /** The certificates in {@code file}; messages name the file. */
  public static List<X509Certificate> readCertificates(Path file)
      throws IOException, CertificateException {
    return readCertificates(Files.readString(file, US_ASCII), file.toString());
  }

  /**
   * The one private key in {@code pem}; other PEM blocks (certificates in the same file) are
   * skipped.
   *
   * @param origin where {@code pem} came from, for messages
   * @throws KeyException if the text is malformed, holds no key or more than one, or the key is
   *     encrypted
   */
  public static PrivateKey readPrivateKey(String pem, String origin) throws KeyException {
    requireNonNull(pem, "pem");
    requireNonNull(origin, "origin");
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    PrivateKey key = null;
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object o;
      while ((o = parser.readObject()) != null) {
        PrivateKey found = null;
        if (o instanceof PrivateKeyInfo info) {
          found = converter.getPrivateKey(info);
        } else if (o instanceof PEMKeyPair pair) {
          // SEC1 keys often omit the public key, so convert only the private half.
          found = converter.getPrivateKey(pair.getPrivateKeyInfo());
        } else if (o instanceof PKCS8EncryptedPrivateKeyInfo || o instanceof PEMEncryptedKeyPair) {
          throw new KeyException(
              "encrypted private key in " + origin + "; only unencrypted keys are supported");
        }
        if (found != null) {
          if (key != null) {
            throw new KeyException("more than one private key in " + origin);
          }
          key = found;
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new KeyException(malformed(origin, e), e);
    }
    if (key == null) {
      throw new KeyException("no private key in " + origin);
    }
    return key;
  }

  /** The private key in {@code file}; messages name the file. */
  public static PrivateKey readPrivateKey(Path file) throws IOException, KeyException {
    return readPrivateKey(Files.readString(file, US_ASCII), file.toString());
  }

  /** {@code certificates} as consecutive {@code CERTIFICATE} blocks, in order. */
  public static String encodeCertificates(List<X509Certificate> certificates)
      throws CertificateEncodingException {
    StringBuilder out = new StringBuilder();
    for (X509Certificate c : certificates) {
      block(out, "CERTIFICATE", c.getEncoded());
    }
    return out.toString();
  }

  /**
   * {@code key} as a PKCS#8 {@code PRIVATE KEY} block, the form Istio, Netty and OpenSSL 3 read.
   *
   * @throws IllegalArgumentException if the key cannot be exported in PKCS#8 (a hardware key)
   */
  public static String encodePrivateKey(PrivateKey key) {
    byte[] der = key.getEncoded();
    if (der == null || !"PKCS#8".equals(key.getFormat())) {
      throw new IllegalArgumentException(
          "a " + key.getAlgorithm() + " key in format " + key.getFormat() + " is not PKCS#8");
    }
    return block(new StringBuilder(), "PRIVATE KEY", der).toString();
  }

  private static StringBuilder block(StringBuilder out, String type, byte[] der) {
    return out.append("-----BEGIN ")
        .append(type)
        .append("-----\n")
        .append(BASE64.encodeToString(der))
        .append("\n-----END ")
        .append(type)
        .append("-----\n");
  }

  private static String malformed(String origin, Exception e) {
    @Nullable String detail = e.getMessage();
    Throwable cause = e.getCause();
    if (cause != null
        && cause.getMessage() != null
        && (detail == null || !detail.contains(cause.getMessage()))) {
      detail = detail == null ? cause.getMessage() : detail + ": " + cause.getMessage();
    }
    return "malformed PEM in " + origin + ": " + (detail == null ? e.toString() : detail);
  }
}
