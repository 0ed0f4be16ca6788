package io.meshagent.core.internal.authz.jwt;

import static io.meshagent.core.internal.authz.jwt.IstioJwt.authentication;
import static io.meshagent.core.internal.authz.jwt.IstioJwt.provider;
import static io.meshagent.core.internal.authz.jwt.Keys.jwks;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.core.v3.HttpUri;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtClaimToHeader;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtHeader;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtProvider;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.RemoteJwks;
import io.meshagent.core.internal.authz.AuthzRequest;
import io.meshagent.core.internal.authz.jwt.Keys.SigningKey;
import io.meshagent.core.internal.routing.RequestHeaders;
import io.meshagent.core.internal.xds.resource.JwtProviders;
import io.meshagent.core.xds.ResourceInvalidException;
import io.meshagent.model.route.HeaderToAdd;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code envoy.filters.http.jwt_authn} as istiod configures it for a RequestAuthentication: the
 * filter proto built here, parsed as the agent parses it, then one decision per request. Keys are
 * generated for the test.
 */
class JwtAuthenticatorTest {
  private static final long NOW = 1_700_000_000L;
  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC);
  private static final String ISSUER = "https://issuer.example";

  private static final SigningKey RS256 = Keys.rsa("RS256", "rsa-1");
  private static final SigningKey RS384 = new SigningKey(RS256.pair(), "RS384", "rsa-1");
  private static final SigningKey RS512 = new SigningKey(RS256.pair(), "RS512", "rsa-1");
  private static final SigningKey PS256 = new SigningKey(RS256.pair(), "PS256", "rsa-1");
  private static final SigningKey ES256 = Keys.ec("ES256", "ec-256");
  private static final SigningKey ES384 = Keys.ec("ES384", "ec-384");
  private static final SigningKey ED25519 = Keys.ed25519("ed-1");
  private static final SigningKey OTHER = Keys.rsa("RS256", "rsa-1");
  private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes();

  /** The issuer's JWKS as istiod inlines it; the RSA key serves RS*, PS* (no alg restriction). */
  private static final String JWKS =
      jwks(
          RS256.jwk(false), ES256.jwk(), ES384.jwk(), ED25519.jwk(), Keys.octJwk(SECRET, "hmac-1"));

  private static String claims(String extra) {
    return "{\"iss\":\""
        + ISSUER
        + "\",\"sub\":\"alice\",\"aud\":\"bookinfo\",\"exp\":"
        + (NOW + 3600)
        + ",\"scope\":\"read write\",\"groups\":[\"dev\",\"admin\"]"
        + extra
        + "}";
  }

  private static final String GOOD = claims("");

  private static JwtProvider.Builder issuer() {
    return provider(ISSUER, JWKS).addAudiences("bookinfo");
  }

  private static JwtAuthenticator authenticator(JwtAuthentication proto) {
    try {
      return JwtAuthenticator.build(
          JwtProviders.convert(proto, ""), proto.getBypassCorsPreflight());
    } catch (ResourceInvalidException e) {
      throw new AssertionError(e);
    }
  }

  private static UnaryOperator<RequestHeaders.Builder> bearer(String token) {
    return b -> b.add("authorization", "Bearer " + token);
  }

  private static final UnaryOperator<RequestHeaders.Builder> NONE = b -> b;

  private static Consumer<JwtDecision> verified(String provider) {
    return d ->
        assertThat(d)
            .isInstanceOfSatisfying(
                JwtDecision.Allowed.class,
                a -> {
                  assertThat(a.verified()).isNotNull();
                  assertThat(a.verified().provider()).isEqualTo(provider);
                  assertThat(a.verified().principal()).isEqualTo(ISSUER + "/alice");
                });
  }

  private static final Consumer<JwtDecision> VERIFIED = verified("origins-0");

  private static final Consumer<JwtDecision> NO_TOKEN =
      d ->
          assertThat(d)
              .isInstanceOfSatisfying(
                  JwtDecision.Allowed.class,
                  a -> {
                    assertThat(a.verified()).isNull();
                    assertThat(a.rbacPayload()).isNull();
                  });

  private static Consumer<JwtDecision> denied(int status, String reason) {
    return d ->
        assertThat(d)
            .isInstanceOfSatisfying(
                JwtDecision.Denied.class,
                x -> assertThat(List.of(x.status(), x.reason())).containsExactly(status, reason));
  }

  private static Arguments row(
      String description,
      JwtAuthentication proto,
      UnaryOperator<RequestHeaders.Builder> request,
      Consumer<JwtDecision> check) {
    return Arguments.of(description, proto, request, check);
  }

  static Stream<Arguments> rows() {
    JwtAuthentication one = authentication(issuer());
    return Stream.of(
        row("RS256 in Authorization: Bearer", one, bearer(RS256.sign(GOOD)), VERIFIED),
        row("RS384", one, bearer(RS384.sign(GOOD)), VERIFIED),
        row("RS512", one, bearer(RS512.sign(GOOD)), VERIFIED),
        row("PS256", one, bearer(PS256.sign(GOOD)), VERIFIED),
        row("ES256", one, bearer(ES256.sign(GOOD)), VERIFIED),
        row("ES384", one, bearer(ES384.sign(GOOD)), VERIFIED),
        row("EdDSA (Ed25519)", one, bearer(ED25519.sign(GOOD)), VERIFIED),
        row(
            "HS256 with an oct key",
            one,
            bearer(Keys.hmac(SECRET, "{\"alg\":\"HS256\",\"kid\":\"hmac-1\"}", GOOD)),
            VERIFIED),
        row("no token: allowed without a payload", one, NONE, NO_TOKEN),
        row(
            "a token where the provider does not look is no token",
            one,
            b -> b.add("x-token", RS256.sign(GOOD)),
            NO_TOKEN),
        row(
            "expired beyond the 60 s skew",
            one,
            bearer(RS256.sign(claims("").replace("" + (NOW + 3600), "" + (NOW - 61)))),
            denied(401, "Jwt is expired")),
        row(
            "expired within the 60 s skew",
            one,
            bearer(RS256.sign(claims("").replace("" + (NOW + 3600), "" + (NOW - 59)))),
            VERIFIED),
        row(
            "clock_skew_seconds replaces the default",
            authentication(issuer().setClockSkewSeconds(5)),
            bearer(RS256.sign(claims("").replace("" + (NOW + 3600), "" + (NOW - 6)))),
            denied(401, "Jwt is expired")),
        row(
            "not yet valid beyond the skew",
            one,
            bearer(RS256.sign(claims(",\"nbf\":" + (NOW + 61)))),
            denied(401, "Jwt not yet valid")),
        row(
            "another issuer",
            one,
            bearer(RS256.sign(GOOD.replace(ISSUER, "https://evil.example"))),
            denied(401, "Jwt issuer is not configured")),
        row(
            "another audience: 403",
            one,
            bearer(RS256.sign(GOOD.replace("\"aud\":\"bookinfo\"", "\"aud\":[\"a\",\"b\"]"))),
            denied(403, "Audiences in Jwt are not allowed")),
        row(
            "no audience when the provider lists some: 403",
            one,
            bearer(RS256.sign(GOOD.replace("\"aud\":\"bookinfo\",", ""))),
            denied(403, "Audiences in Jwt are not allowed")),
        row(
            "audiences compare without scheme and trailing slash, as Envoy's",
            one,
            bearer(
                RS256.sign(
                    GOOD.replace("\"aud\":\"bookinfo\"", "\"aud\":[\"x\",\"https://bookinfo/\"]"))),
            VERIFIED),
        row(
            "a provider without audiences accepts any",
            authentication(provider(ISSUER, JWKS)),
            bearer(RS256.sign(GOOD.replace("bookinfo", "anything"))),
            VERIFIED),
        row(
            "signed by another key",
            one,
            bearer(OTHER.sign(GOOD)),
            denied(401, "Jwt verification fails")),
        row(
            "a tampered payload",
            one,
            bearer(tamper(RS256.sign(GOOD))),
            denied(401, "Jwt verification fails")),
        row(
            "a kid no key has",
            one,
            bearer(Keys.signWith(ES256, "{\"alg\":\"ES256\",\"kid\":\"unknown\"}", GOOD)),
            denied(401, "Jwks doesn't have key to match kid or alg from Jwt")),
        row(
            "alg none is refused",
            one,
            bearer(Keys.b64("{\"alg\":\"none\"}") + "." + Keys.b64(GOOD) + ".x"),
            denied(401, "Jwt header [alg] is not supported")),
        row(
            "an HS256 token cannot use the RSA key as a secret",
            authentication(provider(ISSUER, jwks(RS256.jwk(false)))),
            bearer(Keys.hmac(RS256.pair().getPublic().getEncoded(), "{\"alg\":\"HS256\"}", GOOD)),
            denied(401, "Jwt verification fails")),
        row(
            "not three sections",
            one,
            bearer("abc.def"),
            denied(
                401,
                "Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections")),
        row(
            "a header that is not base64url",
            one,
            bearer("a*b.c.d"),
            denied(401, "Jwt header is an invalid Base64url encoded")),
        row(
            "a header that is not JSON",
            one,
            bearer(Keys.b64("not json") + "." + Keys.b64(GOOD) + ".c2ln"),
            denied(401, "Jwt header is an invalid JSON")),
        row(
            "exp that is not a number",
            one,
            bearer(RS256.sign(GOOD.replace("\"exp\":" + (NOW + 3600), "\"exp\":\"soon\""))),
            denied(401, "Jwt payload [exp] field is not an integer")),
        row(
            "a signature that is not base64url",
            one,
            bearer(RS256.sign(GOOD) + "!"),
            denied(401, "Jwt signature is an invalid Base64url encoded")),
        row(
            "a token in the default access_token parameter, percent-encoded",
            one,
            b -> b,
            VERIFIED),
        row(
            "a token in a custom header with a prefix",
            authentication(
                issuer()
                    .addFromHeaders(
                        JwtHeader.newBuilder().setName("X-Jwt").setValuePrefix("Token "))),
            b -> b.add("x-jwt", "Token " + ES256.sign(GOOD)),
            VERIFIED),
        row(
            "a custom header replaces the default Authorization",
            authentication(issuer().addFromHeaders(JwtHeader.newBuilder().setName("x-jwt"))),
            bearer(RS256.sign(GOOD)),
            NO_TOKEN),
        row(
            "a token in a custom query parameter",
            authentication(issuer().addFromParams("token")),
            b -> b,
            VERIFIED),
        row(
            "a token in a cookie",
            authentication(issuer().addFromCookies("session")),
            b -> b.add("cookie", "theme=dark; session=" + RS256.sign(GOOD)),
            VERIFIED),
        row(
            "two tokens: one bad one fails the request",
            authentication(issuer().addFromHeaders(JwtHeader.newBuilder().setName("x-jwt"))),
            b -> b.add("x-jwt", RS256.sign(GOOD)).add("x-jwt", OTHER.sign(GOOD)),
            denied(401, "Jwt verification fails")),
        row(
            "remote JWKS only: fails closed",
            authentication(
                provider(ISSUER, JWKS)
                    .setRemoteJwks(
                        RemoteJwks.newBuilder()
                            .setHttpUri(
                                HttpUri.newBuilder().setUri("https://issuer.example/jwks")))),
            bearer(RS256.sign(GOOD)),
            denied(401, "JWKS not available: remote_jwks is not fetched by mesh-agent")),
        row(
            "remote JWKS only: no token still passes",
            authentication(
                provider(ISSUER, JWKS)
                    .setRemoteJwks(
                        RemoteJwks.newBuilder()
                            .setHttpUri(
                                HttpUri.newBuilder().setUri("https://issuer.example/jwks")))),
            NONE,
            NO_TOKEN),
        row(
            "a JWKS that does not parse verifies nothing",
            authentication(provider(ISSUER, "{not json")),
            bearer(RS256.sign(GOOD)),
            denied(401, "Jwks doesn't have any valid public key")),
        row(
            "an EC key off its curve is skipped",
            authentication(
                provider(
                    ISSUER, jwks("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AQ\",\"y\":\"Ag\"}"))),
            bearer(ES256.sign(GOOD)),
            denied(401, "Jwks doesn't have any valid public key")),
        row(
            "two providers sharing Authorization: the second issuer's token",
            authentication(
                provider("https://other.example", jwks(OTHER.jwk())), provider(ISSUER, JWKS)),
            bearer(RS256.sign(GOOD)),
            verified("origins-1")),
        row(
            "two providers: a token neither verifies reports the first failure",
            authentication(
                provider("https://other.example", jwks(OTHER.jwk())), provider(ISSUER, JWKS)),
            bearer(RS256.sign(GOOD.replace(ISSUER, "https://third.example"))),
            denied(401, "Jwt issuer is not configured")),
        row(
            "bypass_cors_preflight lets a preflight through with a bad token",
            one,
            b ->
                b.method("OPTIONS")
                    .add("origin", "https://a.example")
                    .add("access-control-request-method", "GET")
                    .add("authorization", "Bearer garbage"),
            NO_TOKEN));
  }

  /** Replaces the payload section with another one, keeping the signature. */
  private static String tamper(String token) {
    String[] parts = token.split("\\.");
    return parts[0] + "." + Keys.b64(GOOD.replace("alice", "mallory")) + "." + parts[2];
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void decides(
      String description,
      JwtAuthentication proto,
      UnaryOperator<RequestHeaders.Builder> request,
      Consumer<JwtDecision> check) {
    String path = "/productpage";
    if (description.contains("access_token")) {
      path += "?access_token=" + RS256.sign(GOOD).replace(".", "%2E");
    } else if (description.contains("custom query parameter")) {
      path += "?a=1&token=" + RS256.sign(GOOD);
    }
    RequestHeaders r = request.apply(RequestHeaders.builder("bookinfo:9080", path)).build();
    check.accept(authenticator(proto).authenticate(r, CLOCK));
  }

  @Test
  void aVerifiedPayloadReachesRbacNormalizedAsIstiodAsks() throws Exception {
    JwtDecision d =
        authenticator(authentication(issuer()))
            .authenticate(
                RequestHeaders.builder("bookinfo", "/")
                    .add("authorization", "Bearer " + RS256.sign(GOOD))
                    .build(),
                CLOCK);
    var allowed = (JwtDecision.Allowed) d;
    assertThat(allowed.payloads().get("origins-0")).containsEntry("scope", "read write");
    assertThat(allowed.rbacPayload())
        .containsEntry("scope", List.of("read", "write"))
        .containsEntry("groups", List.of("dev", "admin"))
        .containsEntry("sub", "alice")
        .containsEntry("exp", (double) (NOW + 3600));
    InetAddress ip = InetAddress.getByName("10.0.0.1");
    AuthzRequest request =
        allowed.applyTo(
            AuthzRequest.tcp(null, ip, ip, 9080, "")
                .withHttp(new AuthzRequest.Http("GET", "/", "bookinfo", Map.of())));
    assertThat(request.jwtPayload()).isEqualTo(allowed.rbacPayload());
  }

  @Test
  void theTokenIsStrippedAndClaimsForwardedAsEnvoyDoes() {
    JwtDecision d =
        authenticator(
                authentication(
                    issuer()
                        .setForwardPayloadHeader("x-jwt-payload")
                        .setPadForwardPayloadHeader(true)
                        .addClaimToHeaders(
                            JwtClaimToHeader.newBuilder()
                                .setHeaderName("x-sub")
                                .setClaimName("sub"))
                        .addClaimToHeaders(
                            JwtClaimToHeader.newBuilder()
                                .setHeaderName("x-exp")
                                .setClaimName("exp"))
                        .addClaimToHeaders(
                            JwtClaimToHeader.newBuilder()
                                .setHeaderName("x-groups")
                                .setClaimName("groups"))))
            .authenticate(
                RequestHeaders.builder("bookinfo", "/")
                    .add("authorization", "Bearer " + RS256.sign(GOOD))
                    .add("x-sub", "forged")
                    .build(),
                CLOCK);
    var allowed = (JwtDecision.Allowed) d;
    String payload = Keys.b64(GOOD);
    assertThat(allowed.requestHeadersToRemove())
        .containsExactly("x-jwt-payload", "x-sub", "x-exp", "x-groups", "authorization");
    assertThat(allowed.requestHeadersToAdd())
        .extracting(HeaderToAdd::name, HeaderToAdd::value)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "x-jwt-payload", payload + "===".substring(0, (4 - payload.length() % 4) % 4)),
            org.assertj.core.groups.Tuple.tuple("x-sub", "alice"),
            org.assertj.core.groups.Tuple.tuple("x-exp", "" + (NOW + 3600)));
  }

  @Test
  void aDenialNamesTheRealmLikeEnvoy() {
    JwtDecision d =
        authenticator(authentication(issuer()))
            .authenticate(
                RequestHeaders.builder("bookinfo:9080", "/productpage?x=1")
                    .add("authorization", "Bearer " + OTHER.sign(GOOD))
                    .add("x-forwarded-proto", "https")
                    .build(),
                CLOCK);
    assertThat(d)
        .isEqualTo(
            new JwtDecision.Denied(
                401,
                "Jwt verification fails",
                "Bearer realm=\"https://bookinfo:9080/productpage?x=1\", error=\"invalid_token\"",
                "origins-0"));
  }

  @Test
  void oneTokenVerifiesOnItsOwn() {
    JwtVerifier v;
    try {
      v = new JwtVerifier(JwtProviders.convert(authentication(issuer()), "").get(0));
    } catch (ResourceInvalidException e) {
      throw new AssertionError(e);
    }
    assertThat(v.verifyToken(ES256.sign(GOOD), CLOCK))
        .isInstanceOfSatisfying(
            TokenResult.Valid.class, t -> assertThat(t.payload()).containsEntry("sub", "alice"));
    assertThat(v.verifyToken("x.y.z", CLOCK))
        .isEqualTo(new TokenResult.Invalid("origins-0", JwtStatus.HEADER_BAD_BASE64));
  }
}
