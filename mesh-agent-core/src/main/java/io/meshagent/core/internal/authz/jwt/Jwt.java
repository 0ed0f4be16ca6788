package io.meshagent.core.internal.authz.jwt;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A JWT parsed as Envoy's {@code Jwt::parseFromString} parses it: three non-empty base64url
 * sections, a JSON header with a supported {@code alg}, a JSON payload whose registered claims have
 * the right types, and a base64url signature. Nothing is verified yet.
 */
final class Jwt {
  /** The algorithms Envoy implements; anything else, {@code none} included, is refused. */
  static final Set<String> ALGORITHMS =
      Set.of(
          "ES256", "ES384", "ES512", "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256",
          "PS384", "PS512", "EdDSA");

  final String alg;
  final String kid;
  final String iss;
  final String sub;
  final List<String> audiences;

  /** {@code nbf} and {@code exp} in epoch seconds; 0 when absent. */
  final long nbf;

  final long exp;

  /** The payload as signed: its base64url text and its JSON. */
  final String payloadBase64;

  final Struct payload;

  /** What the signature signs: {@code header.payload}, ASCII. */
  final byte[] signedData;

  final byte[] signature;

  private Jwt(
      String alg,
      String kid,
      String iss,
      String sub,
      List<String> audiences,
      long nbf,
      long exp,
      String payloadBase64,
      Struct payload,
      byte[] signedData,
      byte[] signature) {
    this.alg = alg;
    this.kid = kid;
    this.iss = iss;
    this.sub = sub;
    this.audiences = audiences;
    this.nbf = nbf;
    this.exp = exp;
    this.payloadBase64 = payloadBase64;
    this.payload = payload;
    this.signedData = signedData;
    this.signature = signature;
  }

  /** A token that cannot be parsed, with Envoy's reason. */
  static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;

    final JwtStatus status;

    Invalid(JwtStatus status) {
      super(status.message(), null, false, false);
      this.status = status;
    }
  }

  static Jwt parse(String token) throws Invalid {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()) {
      throw new Invalid(JwtStatus.BAD_FORMAT);
    }
    Struct header = json(parts[0], JwtStatus.HEADER_BAD_BASE64, JwtStatus.HEADER_BAD_JSON);
    String alg = string(header, "alg", JwtStatus.HEADER_BAD_ALG);
    if (alg == null) {
      throw new Invalid(JwtStatus.HEADER_BAD_ALG);
    }
    if (!ALGORITHMS.contains(alg)) {
      throw new Invalid(JwtStatus.HEADER_NOT_IMPLEMENTED_ALG);
    }
    String kid = string(header, "kid", JwtStatus.HEADER_BAD_KID);
    Struct payload = json(parts[1], JwtStatus.PAYLOAD_BAD_BASE64, JwtStatus.PAYLOAD_BAD_JSON);
    String iss = string(payload, "iss", JwtStatus.ISS_NOT_STRING);
    String sub = string(payload, "sub", JwtStatus.SUB_NOT_STRING);
    seconds(payload, "iat", JwtStatus.IAT_NOT_INTEGER, JwtStatus.IAT_OUT_OF_RANGE);
    long nbf = seconds(payload, "nbf", JwtStatus.NBF_NOT_INTEGER, JwtStatus.NBF_OUT_OF_RANGE);
    long exp = seconds(payload, "exp", JwtStatus.EXP_NOT_INTEGER, JwtStatus.EXP_OUT_OF_RANGE);
    string(payload, "jti", JwtStatus.JTI_NOT_STRING);
    List<String> audiences = audiences(payload);
    byte[] signature = base64(parts[2], JwtStatus.SIGNATURE_BAD_BASE64);
    return new Jwt(
        alg,
        kid == null ? "" : kid,
        iss == null ? "" : iss,
        sub == null ? "" : sub,
        audiences,
        nbf,
        exp,
        parts[1],
        payload,
        (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII),
        signature);
  }

  /**
   * Envoy's {@code verifyTimeConstraint}: not before {@code nbf - skew}, not after {@code exp +
   * skew}; an {@code exp} of 0 never expires.
   */
  @Nullable JwtStatus checkTime(long nowSeconds, long skewSeconds) {
    if (saturatedAdd(nowSeconds, skewSeconds) < nbf) {
      return JwtStatus.NOT_YET_VALID;
    }
    if (exp != 0 && nowSeconds > saturatedAdd(exp, skewSeconds)) {
      return JwtStatus.EXPIRED;
    }
    return null;
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }

  private static byte[] base64(String s, JwtStatus bad) throws Invalid {
    try {
      return Base64.getUrlDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      throw new Invalid(bad);
    }
  }

  private static Struct json(String section, JwtStatus badBase64, JwtStatus badJson)
      throws Invalid {
    Struct s = Json.object(new String(base64(section, badBase64), StandardCharsets.UTF_8));
    if (s == null) {
      throw new Invalid(badJson);
    }
    return s;
  }

  /** A string field, null when absent; another type is {@code wrongType}. */
  private static @Nullable String string(Struct s, String name, JwtStatus wrongType)
      throws Invalid {
    Value v = s.getFieldsMap().get(name);
    if (v == null) {
      return null;
    }
    if (!v.hasStringValue()) {
      throw new Invalid(wrongType);
    }
    return v.getStringValue();
  }

  /**
   * Envoy's {@code GetUInt64}: a JSON number in [0, 2^64), truncated; 0 when absent. Values past
   * {@link Long#MAX_VALUE} saturate, which only matters for times billions of years ahead.
   */
  private static long seconds(Struct s, String name, JwtStatus wrongType, JwtStatus outOfRange)
      throws Invalid {
    Value v = s.getFieldsMap().get(name);
    if (v == null) {
      return 0;
    }
    if (!v.hasNumberValue()) {
      throw new Invalid(wrongType);
    }
    double d = v.getNumberValue();
    if (!(d >= 0) || d >= 0x1p64) {
      throw new Invalid(outOfRange);
    }
    return (long) d;
  }

  /** {@code aud}: a string or a list of strings. */
  private static List<String> audiences(Struct payload) throws Invalid {
    Value v = payload.getFieldsMap().get("aud");
    if (v == null) {
      return List.of();
    }
    if (v.hasStringValue()) {
      return List.of(v.getStringValue());
    }
    if (!v.hasListValue()) {
      throw new Invalid(JwtStatus.AUD_NOT_STRING);
    }
    List<String> out = new ArrayList<>(v.getListValue().getValuesCount());
    for (Value each : v.getListValue().getValuesList()) {
      if (!each.hasStringValue()) {
        throw new Invalid(JwtStatus.AUD_NOT_STRING);
      }
      out.add(each.getStringValue());
    }
    return List.copyOf(out);
  }
}
