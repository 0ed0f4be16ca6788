package io.meshagent.core.internal.identity;

import io.meshagent.identity.KeyAlgorithm;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;

/** Workload key pairs. Generation is CPU work (RSA takes tens of milliseconds): never on a loop. */
public final class KeyPairs {
  private static final SecureRandom RANDOM = new SecureRandom();

  private KeyPairs() {}

  public static KeyPair generate(KeyAlgorithm algorithm) {
    try {
      KeyPairGenerator g;
      switch (algorithm) {
        case EC_P256 -> {
          g = KeyPairGenerator.getInstance("EC");
          g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        }
        case RSA_2048 -> {
          g = KeyPairGenerator.getInstance("RSA");
          g.initialize(2048, RANDOM);
        }
        default -> throw new IllegalArgumentException("unknown key algorithm " + algorithm);
      }
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot generate " + algorithm + " keys", e);
    }
  }

  /** The JCA signature algorithm for CSRs and certificates signed with {@code keyPair}. */
  public static String signatureAlgorithm(KeyPair keyPair) {
    return keyPair.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
  }
}
