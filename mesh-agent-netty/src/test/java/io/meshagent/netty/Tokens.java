package io.meshagent.netty;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;

/** RS256 tokens and their JWKS, made in the test: what an identity provider would issue. */
final class Tokens {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private Tokens() {}

  static KeyPair rsaKey() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String jwks(KeyPair key) {
    RSAPublicKey pub = (RSAPublicKey) key.getPublic();
    return "{\"keys\":[{\"kty\":\"RSA\",\"alg\":\"RS256\",\"kid\":\"k1\",\"n\":\""
        + b64(unsigned(pub.getModulus()))
        + "\",\"e\":\""
        + b64(unsigned(pub.getPublicExponent()))
        + "\"}]}";
  }

  static String sign(KeyPair key, String issuer, String subject, long exp) {
    String header =
        b64("{\"alg\":\"RS256\",\"kid\":\"k1\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String payload =
        b64(
            ("{\"iss\":\"" + issuer + "\",\"sub\":\"" + subject + "\",\"exp\":" + exp + "}")
                .getBytes(StandardCharsets.UTF_8));
    try {
      Signature s = Signature.getInstance("SHA256withRSA");
      s.initSign(key.getPrivate());
      s.update((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
      return header + "." + payload + "." + b64(s.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] unsigned(BigInteger v) {
    byte[] b = v.toByteArray();
    return b[0] == 0 ? java.util.Arrays.copyOfRange(b, 1, b.length) : b;
  }

  private static String b64(byte[] b) {
    return B64.encodeToString(b);
  }
}
