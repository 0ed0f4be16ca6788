package io.meshagent.core.internal.authz.jwt;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Keys generated for a test, their JWKS entries, and tokens signed with them. */
final class Keys {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private Keys() {}

  /** A key pair and how it signs. */
  record SigningKey(KeyPair pair, String alg, String kid) {

    /** The key's JWKS entry (public part only), with {@code kid} and {@code alg}. */
    String jwk() {
      return jwk(true);
    }

    String jwk(boolean withAlg) {
      String common = "\"kid\":\"" + kid + "\"" + (withAlg ? ",\"alg\":\"" + alg + "\"" : "");
      if (pair.getPublic() instanceof RSAPublicKey rsa) {
        return "{\"kty\":\"RSA\","
            + common
            + ",\"n\":\""
            + unsigned(rsa.getModulus(), 0)
            + "\",\"e\":\""
            + unsigned(rsa.getPublicExponent(), 0)
            + "\"}";
      }
      if (pair.getPublic() instanceof ECPublicKey ec) {
        int size = (ec.getParams().getCurve().getField().getFieldSize() + 7) / 8;
        String crv = size == 32 ? "P-256" : size == 48 ? "P-384" : "P-521";
        return "{\"kty\":\"EC\","
            + common
            + ",\"crv\":\""
            + crv
            + "\",\"x\":\""
            + unsigned(ec.getW().getAffineX(), size)
            + "\",\"y\":\""
            + unsigned(ec.getW().getAffineY(), size)
            + "\"}";
      }
      // Ed25519: the last 32 bytes of the X.509 encoding are the raw public key.
      byte[] encoded = pair.getPublic().getEncoded();
      byte[] raw = Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
      return "{\"kty\":\"OKP\","
          + common
          + ",\"crv\":\"Ed25519\",\"x\":\""
          + B64.encodeToString(raw)
          + "\"}";
    }

    /** A token with this header's {@code alg} and {@code kid}, signed by this key. */
    String sign(String payloadJson) {
      return signWith(this, "{\"alg\":\"" + alg + "\",\"kid\":\"" + kid + "\"}", payloadJson);
    }
  }

  static SigningKey rsa(String alg, String kid) {
    return new SigningKey(generate("RSA", 2048), alg, kid);
  }

  static SigningKey ec(String alg, String kid) {
    String curve =
        switch (alg) {
          case "ES384" -> "secp384r1";
          case "ES512" -> "secp521r1";
          default -> "secp256r1";
        };
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec(curve));
      return new SigningKey(g.generateKeyPair(), alg, kid);
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  static SigningKey ed25519(String kid) {
    try {
      return new SigningKey(
          KeyPairGenerator.getInstance("Ed25519").generateKeyPair(), "EdDSA", kid);
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  private static KeyPair generate(String algorithm, int bits) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
      g.initialize(bits);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  static String jwks(String... jwks) {
    return "{\"keys\":[" + String.join(",", jwks) + "]}";
  }

  static String b64(String s) {
    return B64.encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  /** A token with any header, signed by {@code key} with {@code key.alg()}. */
  static String signWith(SigningKey key, String headerJson, String payloadJson) {
    String signingInput = b64(headerJson) + "." + b64(payloadJson);
    byte[] data = signingInput.getBytes(StandardCharsets.US_ASCII);
    return signingInput
        + "."
        + B64.encodeToString(signature(key.pair().getPrivate(), key.alg(), data));
  }

  /** An HS256 token. */
  static String hmac(byte[] secret, String headerJson, String payloadJson) {
    String signingInput = b64(headerJson) + "." + b64(payloadJson);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return signingInput
          + "."
          + B64.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  static String octJwk(byte[] secret, String kid) {
    return "{\"kty\":\"oct\",\"kid\":\"" + kid + "\",\"k\":\"" + B64.encodeToString(secret) + "\"}";
  }

  private static byte[] signature(PrivateKey key, String alg, byte[] data) {
    String bits = alg.substring(2);
    try {
      Signature s;
      if (alg.startsWith("RS")) {
        s = Signature.getInstance("SHA" + bits + "withRSA");
      } else if (alg.startsWith("PS")) {
        s = Signature.getInstance("RSASSA-PSS");
        String hash = "SHA-" + bits;
        s.setParameter(
            new PSSParameterSpec(
                hash, "MGF1", new MGF1ParameterSpec(hash), Integer.parseInt(bits) / 8, 1));
      } else if (alg.startsWith("ES")) {
        s = Signature.getInstance("SHA" + bits + "withECDSAinP1363Format");
      } else {
        s = Signature.getInstance("Ed25519");
      }
      s.initSign(key);
      s.update(data);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  /** Big-endian bytes without sign, left-padded to {@code size} when it is positive. */
  private static String unsigned(BigInteger v, int size) {
    byte[] b = v.toByteArray();
    if (b.length > 1 && b[0] == 0) {
      b = Arrays.copyOfRange(b, 1, b.length);
    }
    if (size > b.length) {
      byte[] padded = new byte[size];
      System.arraycopy(b, 0, padded, size - b.length, b.length);
      b = padded;
    }
    return B64.encodeToString(b);
  }
}
