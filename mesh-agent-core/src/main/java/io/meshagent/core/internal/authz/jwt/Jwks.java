package io.meshagent.core.internal.authz.jwt;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * A JWKS parsed once, as Envoy's {@code Jwks::createFromJwksCore} parses it, and JWT signature
 * verification with the JDK's providers, as Envoy's {@code verifyJwtWithoutTimeChecking} does it.
 *
 * <p>Keys: RSA ({@code RS*}, {@code PS*}; exponent 3 or 65537, as Envoy insists), EC P-256, P-384
 * and P-521 ({@code ES*}; the point must be on the curve), {@code oct} ({@code HS*}) and OKP
 * Ed25519 ({@code EdDSA}); also Google's form of a JSON object mapping key ids to PEM certificates.
 * Keys that do not parse are skipped; a JWKS with no usable key verifies nothing.
 *
 * <p>Immutable; {@link #verify} creates its {@link Signature} per call, so it is thread-safe.
 */
final class Jwks {
  private static final String CERT_PREFIX = "-----BEGIN CERTIFICATE-----\n";
  private static final String CERT_SUFFIX = "\n-----END CERTIFICATE-----\n";
  private static final BigInteger E3 = BigInteger.valueOf(3);
  private static final BigInteger E65537 = BigInteger.valueOf(65537);

  /** No keys: a JWKS that did not parse or has none. */
  static final Jwks EMPTY = new Jwks(List.of());

  private final List<Jwk> keys;

  /**
   * One key.
   *
   * @param kid the key id, or empty
   * @param alg the algorithm it is restricted to, or empty
   * @param kty {@code RSA}, {@code EC}, {@code oct} or {@code OKP}
   * @param key the public key, or for {@code oct} the secret
   */
  record Jwk(String kid, String alg, String kty, Key key) {}

  private Jwks(List<Jwk> keys) {
    this.keys = List.copyOf(keys);
  }

  List<Jwk> keys() {
    return keys;
  }

  /** Parses a JWKS; never throws: what does not parse is left out. */
  static Jwks parse(String json) {
    Struct jwks = Json.object(json);
    if (jwks == null) {
      return EMPTY;
    }
    Value keys = jwks.getFieldsMap().get("keys");
    List<Jwk> out = new ArrayList<>();
    if (keys == null) {
      x509(jwks, out);
    } else if (keys.hasListValue()) {
      for (Value k : keys.getListValue().getValuesList()) {
        if (k.hasStructValue()) {
          Jwk jwk = jwk(k.getStructValue());
          if (jwk != null) {
            out.add(jwk);
          }
        }
      }
    }
    return out.isEmpty() ? EMPTY : new Jwks(out);
  }

  /**
   * Envoy's signature check: keys whose {@code kid} (when both have one) and {@code alg} (when the
   * key has one) agree with the token are tried in order; the first that verifies wins.
   *
   * @return null when a key verifies the signature, else why not
   */
  @Nullable JwtStatus verify(Jwt jwt) {
    if (keys.isEmpty()) {
      return JwtStatus.JWKS_NO_VALID_KEYS;
    }
    boolean matched = false;
    for (Jwk k : keys) {
      if (!jwt.kid.isEmpty() && !k.kid().isEmpty() && !k.kid().equals(jwt.kid)) {
        continue;
      }
      if (!k.alg().isEmpty() && !k.alg().equals(jwt.alg)) {
        continue;
      }
      matched = true;
      if (k.kty().equals("OKP") && jwt.signature.length != 64) {
        return JwtStatus.ED25519_SIGNATURE_WRONG_LENGTH;
      }
      if (verifies(k, jwt)) {
        return null;
      }
    }
    return matched ? JwtStatus.VERIFICATION_FAILED : JwtStatus.JWKS_KID_ALG_MISMATCH;
  }

  /**
   * Verifies with one key. The key type picks the scheme and the token's {@code alg} the hash, as
   * in Envoy, so a token cannot make an RSA key act as an HMAC secret.
   */
  private static boolean verifies(Jwk k, Jwt jwt) {
    String alg = jwt.alg;
    String bits = alg.endsWith("384") ? "384" : alg.endsWith("512") ? "512" : "256";
    try {
      switch (k.kty()) {
        case "RSA" -> {
          Signature s;
          if (alg.startsWith("RS")) {
            s = Signature.getInstance("SHA" + bits + "withRSA");
          } else if (alg.startsWith("PS")) {
            s = Signature.getInstance("RSASSA-PSS");
            String hash = "SHA-" + bits;
            s.setParameter(
                new PSSParameterSpec(
                    hash, "MGF1", new MGF1ParameterSpec(hash), Integer.parseInt(bits) / 8, 1));
          } else {
            return false;
          }
          return verify(s, (PublicKey) k.key(), jwt);
        }
        case "EC" -> {
          // JOSE signatures are r || s, the P1363 format.
          Signature s = Signature.getInstance("SHA" + bits + "withECDSAinP1363Format");
          return verify(s, (PublicKey) k.key(), jwt);
        }
        case "oct" -> {
          Mac mac = Mac.getInstance("HmacSHA" + bits);
          mac.init(k.key());
          return MessageDigest.isEqual(mac.doFinal(jwt.signedData), jwt.signature);
        }
        case "OKP" -> {
          return verify(Signature.getInstance("Ed25519"), (PublicKey) k.key(), jwt);
        }
        default -> {
          return false;
        }
      }
    } catch (GeneralSecurityException | RuntimeException e) {
      return false; // a malformed signature fails like a wrong one
    }
  }

  private static boolean verify(Signature s, PublicKey key, Jwt jwt)
      throws GeneralSecurityException {
    s.initVerify(key);
    s.update(jwt.signedData);
    return s.verify(jwt.signature);
  }

  private static @Nullable Jwk jwk(Struct k) {
    String kty = string(k, "kty");
    String kid = string(k, "kid");
    String alg = string(k, "alg");
    if (kty == null) {
      return null;
    }
    kid = kid == null ? "" : kid;
    alg = alg == null ? "" : alg;
    try {
      Key key =
          switch (kty) {
            case "RSA" -> rsa(k, alg);
            case "EC" -> ec(k, alg);
            case "oct" -> oct(k, alg);
            case "OKP" -> okp(k, alg);
            default -> null;
          };
      return key == null ? null : new Jwk(kid, alg, kty, key);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return null;
    }
  }

  private static @Nullable Key rsa(Struct k, String alg) throws GeneralSecurityException {
    if (!alg.isEmpty() && !alg.startsWith("RS") && !alg.startsWith("PS")) {
      return null;
    }
    BigInteger n = unsigned(string(k, "n"));
    BigInteger e = unsigned(string(k, "e"));
    if (n == null || e == null || n.signum() <= 0 || !n.testBit(0)) {
      return null;
    }
    if (!e.equals(E3) && !e.equals(E65537)) {
      return null; // Envoy rejects non-standard exponents early
    }
    return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e));
  }

  /** Envoy's curve choice: {@code alg} and {@code crv} must agree; neither means P-256. */
  private static @Nullable Key ec(Struct k, String alg) throws GeneralSecurityException {
    if (!alg.isEmpty() && !alg.startsWith("ES")) {
      return null;
    }
    Value crvValue = k.getFieldsMap().get("crv");
    if (crvValue != null && !crvValue.hasStringValue()) {
      return null;
    }
    String crv = crvValue == null ? "" : crvValue.getStringValue();
    String curve;
    if (alg.equals("ES256") || (alg.isEmpty() && (crv.equals("P-256") || crv.isEmpty()))) {
      curve = "P-256";
    } else if (alg.equals("ES384") || (alg.isEmpty() && crv.equals("P-384"))) {
      curve = "P-384";
    } else if (alg.equals("ES512") || (alg.isEmpty() && crv.equals("P-521"))) {
      curve = "P-521";
    } else {
      return null;
    }
    if (!crv.isEmpty() && !crv.equals(curve)) {
      return null;
    }
    BigInteger x = unsigned(string(k, "x"));
    BigInteger y = unsigned(string(k, "y"));
    if (x == null || y == null) {
      return null;
    }
    String name =
        switch (curve) {
          case "P-256" -> "secp256r1";
          case "P-384" -> "secp384r1";
          default -> "secp521r1";
        };
    AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
    params.init(new ECGenParameterSpec(name));
    ECParameterSpec spec = params.getParameterSpec(ECParameterSpec.class);
    if (!onCurve(spec, x, y)) {
      return null; // as OpenSSL's EC_KEY_set_public_key_affine_coordinates refuses it
    }
    return KeyFactory.getInstance("EC")
        .generatePublic(new ECPublicKeySpec(new ECPoint(x, y), spec));
  }

  private static boolean onCurve(ECParameterSpec spec, BigInteger x, BigInteger y) {
    BigInteger p = ((java.security.spec.ECFieldFp) spec.getCurve().getField()).getP();
    if (x.signum() < 0 || x.compareTo(p) >= 0 || y.signum() < 0 || y.compareTo(p) >= 0) {
      return false;
    }
    BigInteger left = y.multiply(y).mod(p);
    BigInteger right =
        x.pow(3).add(spec.getCurve().getA().multiply(x)).add(spec.getCurve().getB()).mod(p);
    return left.equals(right);
  }

  private static @Nullable Key oct(Struct k, String alg) {
    if (!alg.isEmpty() && !alg.equals("HS256") && !alg.equals("HS384") && !alg.equals("HS512")) {
      return null;
    }
    String value = string(k, "k");
    if (value == null) {
      return null;
    }
    byte[] secret = Base64.getUrlDecoder().decode(value);
    return secret.length == 0 ? null : new SecretKeySpec(secret, "HMAC");
  }

  /** RFC 8037 Ed25519: {@code x} is the 32-byte little-endian y with x's parity in the top bit. */
  private static @Nullable Key okp(Struct k, String alg) throws GeneralSecurityException {
    if (!alg.isEmpty() && !alg.equals("EdDSA")) {
      return null;
    }
    String x = string(k, "x");
    if (!"Ed25519".equals(string(k, "crv")) || x == null) {
      return null;
    }
    byte[] raw = Base64.getUrlDecoder().decode(x);
    if (raw.length != 32) {
      return null;
    }
    boolean xOdd = (raw[31] & 0x80) != 0;
    byte[] be = new byte[32];
    for (int i = 0; i < 32; i++) {
      be[i] = raw[31 - i];
    }
    be[0] &= 0x7f;
    EdECPoint point = new EdECPoint(xOdd, new BigInteger(1, be));
    return KeyFactory.getInstance("Ed25519")
        .generatePublic(new EdECPublicKeySpec(NamedParameterSpec.ED25519, point));
  }

  /** Google's JWKS form: every field a PEM certificate under its key id; RSA keys only. */
  private static void x509(Struct jwks, List<Jwk> out) {
    Map<String, Value> fields = jwks.getFieldsMap();
    if (fields.isEmpty()) {
      return;
    }
    for (var e : fields.entrySet()) {
      String pem = e.getValue().hasStringValue() ? e.getValue().getStringValue() : "";
      if (e.getKey().isEmpty() || !pem.startsWith(CERT_PREFIX) || !pem.endsWith(CERT_SUFFIX)) {
        return;
      }
    }
    List<Jwk> keys = new ArrayList<>(fields.size());
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      for (var e : fields.entrySet()) {
        PublicKey key =
            cf.generateCertificate(
                    new ByteArrayInputStream(
                        e.getValue().getStringValue().getBytes(StandardCharsets.US_ASCII)))
                .getPublicKey();
        if (!(key instanceof RSAPublicKey)) {
          return;
        }
        keys.add(new Jwk(e.getKey(), "", "RSA", key));
      }
    } catch (GeneralSecurityException | RuntimeException ex) {
      return; // Envoy refuses the whole set when one certificate does not parse
    }
    out.addAll(keys);
  }

  private static @Nullable String string(Struct s, String name) {
    Value v = s.getFieldsMap().get(name);
    return v != null && v.hasStringValue() ? v.getStringValue() : null;
  }

  private static @Nullable BigInteger unsigned(@Nullable String base64url) {
    if (base64url == null) {
      return null;
    }
    byte[] bytes = Base64.getUrlDecoder().decode(base64url);
    return bytes.length == 0 ? null : new BigInteger(1, bytes);
  }
}
