package io.meshagent.core.internal.authz.jwt;

import io.meshagent.core.internal.routing.RequestHeaders;
import io.meshagent.model.authz.JwtRequirement;
import io.meshagent.model.authz.MetadataMatcher;
import io.meshagent.model.listener.HttpConnectionManager;
import io.meshagent.model.route.HeaderToAdd;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;

/**
 * {@code envoy.filters.http.jwt_authn} as istiod configures it for RequestAuthentication, as a pure
 * function: {@code (providers, request, clock) →} {@link JwtDecision}. Immutable, lock-free.
 *
 * <p>istiod's requirement (checked when the listener is parsed) is "any provider, or no token":
 * {@code requires_any} of the providers and {@code allow_missing}, or for several providers {@code
 * requires_any(P1..Pn, requires_all(requires_any(Pi, allow_missing)...))}. Envoy evaluates it in
 * order and stops at the first provider that verifies its tokens, so:
 *
 * <ul>
 *   <li>the first provider (in requirement order) whose tokens all verify allows the request, with
 *       its payload;
 *   <li>no token in any provider's locations allows the request without a payload: RBAC decides,
 *       and {@code request.auth.*} conditions do not match;
 *   <li>otherwise the request is denied with the failure of the first provider that found a token
 *       (401 and Envoy's message, 403 for a disallowed audience).
 * </ul>
 *
 * <p>With {@code bypass_cors_preflight} a CORS preflight passes untouched.
 */
public final class JwtAuthenticator {
  private static final int CACHE_SLOTS = 32;
  private static final int MAX_URI_PATH = 256;

  /** Authenticators by the identity of their provider list; see {@code RouteTable}'s cache. */
  private static final AtomicReferenceArray<JwtAuthenticator> CACHE =
      new AtomicReferenceArray<>(CACHE_SLOTS);

  private static final JwtDecision.Allowed UNTOUCHED =
      new JwtDecision.Allowed(null, null, List.of(), List.of(), List.of());

  private final List<JwtRequirement> providers;
  private final boolean bypassCorsPreflight;
  private final JwtVerifier[] verifiers;
  private final List<String> outputHeaders;

  private JwtAuthenticator(List<JwtRequirement> providers, boolean bypassCorsPreflight) {
    this.providers = providers;
    this.bypassCorsPreflight = bypassCorsPreflight;
    this.verifiers = new JwtVerifier[providers.size()];
    Set<String> output = new LinkedHashSet<>();
    for (int i = 0; i < verifiers.length; i++) {
      JwtRequirement p = providers.get(i);
      verifiers[i] = new JwtVerifier(p);
      if (!p.forwardPayloadHeader().isEmpty()) {
        output.add(p.forwardPayloadHeader().toLowerCase(Locale.ROOT));
      }
      for (JwtRequirement.ClaimToHeader c : p.claimToHeaders()) {
        output.add(c.headerName().toLowerCase(Locale.ROOT));
      }
    }
    this.outputHeaders = List.copyOf(output);
  }

  /** Compiles the providers, in requirement order; parses their JWKS. */
  public static JwtAuthenticator build(
      List<JwtRequirement> providers, boolean bypassCorsPreflight) {
    return new JwtAuthenticator(List.copyOf(providers), bypassCorsPreflight);
  }

  /** The authenticator of {@code hcm}'s {@code jwt_authn} filter, compiled once and cached. */
  public static JwtAuthenticator of(HttpConnectionManager hcm) {
    List<JwtRequirement> providers = hcm.jwtProviders();
    boolean bypass = hcm.jwtBypassCorsPreflight();
    int slot = System.identityHashCode(providers) & (CACHE_SLOTS - 1);
    JwtAuthenticator a = CACHE.get(slot);
    if (a != null && a.providers == providers && a.bypassCorsPreflight == bypass) {
      return a;
    }
    a = new JwtAuthenticator(providers, bypass);
    CACHE.set(slot, a);
    return a;
  }

  /** Decides what the filter does with {@code request} at {@code clock}'s time. */
  public JwtDecision authenticate(RequestHeaders request, Clock clock) {
    if (verifiers.length == 0 || (bypassCorsPreflight && isCorsPreflight(request))) {
      return UNTOUCHED;
    }
    TokenResult.Invalid failed = null;
    for (JwtVerifier v : verifiers) {
      TokenResult r = v.verify(request, clock);
      if (r instanceof TokenResult.Valid valid) {
        return allowed(v.provider(), valid);
      }
      if (r instanceof TokenResult.Invalid invalid && failed == null) {
        failed = invalid;
      }
    }
    if (failed != null) {
      return new JwtDecision.Denied(
          failed.status().httpStatus(),
          failed.reason(),
          "Bearer realm=\"" + originalUri(request) + "\", error=\"invalid_token\"",
          failed.provider());
    }
    return new JwtDecision.Allowed(null, null, outputHeaders, List.of(), List.of());
  }

  private JwtDecision.Allowed allowed(JwtRequirement p, TokenResult.Valid valid) {
    List<String> remove = new ArrayList<>(outputHeaders);
    List<String> removeParams = new ArrayList<>(1);
    if (!p.forward()) {
      for (TokenResult.Location l : valid.locations()) {
        switch (l.kind()) {
          case HEADER -> remove.add(l.name());
          case QUERY_PARAMETER -> removeParams.add(l.name());
          case COOKIE -> {} // Envoy leaves cookies alone
        }
      }
    }
    List<HeaderToAdd> add = new ArrayList<>(1 + p.claimToHeaders().size());
    if (!p.forwardPayloadHeader().isEmpty()) {
      String payload = valid.payloadBase64();
      if (p.padForwardPayloadHeader()) {
        payload += "===".substring(0, (4 - payload.length() % 4) % 4); // Base64::completePadding
      }
      add.add(header(p.forwardPayloadHeader(), payload));
    }
    for (JwtRequirement.ClaimToHeader c : p.claimToHeaders()) {
      String value = claimString(valid.payload(), c.claimName());
      if (value != null && !value.isEmpty()) {
        add.add(header(c.headerName(), value));
      }
    }
    Map<String, Object> rbac =
        p.payloadInMetadata().equals(MetadataMatcher.JWT_PAYLOAD_KEY)
            ? normalize(valid.payload(), p.spaceDelimitedClaims())
            : null;
    return new JwtDecision.Allowed(valid, rbac, remove, add, removeParams);
  }

  private static HeaderToAdd header(String name, String value) {
    return new HeaderToAdd(
        name.toLowerCase(Locale.ROOT),
        value,
        HeaderToAdd.AppendAction.APPEND_IF_EXISTS_OR_ADD,
        false);
  }

  /**
   * Envoy's {@code normalize_payload_in_metadata}: a listed claim whose value is a string of
   * space-separated words becomes the list of words.
   */
  static Map<String, Object> normalize(Map<String, Object> payload, List<String> claims) {
    if (claims.isEmpty()) {
      return payload;
    }
    Map<String, Object> out = null;
    for (String claim : claims) {
      if (payload.get(claim) instanceof String s) {
        List<String> words = new ArrayList<>();
        for (String w : s.split(" ")) {
          if (!w.isEmpty()) {
            words.add(w);
          }
        }
        if (!words.isEmpty()) {
          out = out == null ? new HashMap<>(payload) : out;
          out.put(claim, List.copyOf(words));
        }
      }
    }
    return out == null ? payload : Map.copyOf(out);
  }

  /**
   * A claim ({@code a.b} for nested objects) as Envoy's {@code claim_to_headers} writes it: strings
   * as they are, booleans as {@code true}/{@code false}, whole non-negative numbers as integers and
   * other numbers as C's {@code %f}; null for anything else.
   */
  static @Nullable String claimString(Map<String, Object> payload, String claim) {
    Object v = payload;
    for (String name : claim.split("\\.", -1)) {
      if (!(v instanceof Map<?, ?> m)) {
        return null;
      }
      v = m.get(name);
    }
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof Boolean b) {
      return b.toString();
    }
    if (v instanceof Double d) {
      if (d >= 0 && d < 0x1p64 && d == Math.rint(d)) {
        return new BigDecimal(d).toPlainString();
      }
      return String.format(Locale.ROOT, "%f", d);
    }
    return null;
  }

  /**
   * Envoy's {@code isCorsPreflightRequest}: OPTIONS with origin and access-control-request-method.
   */
  static boolean isCorsPreflight(RequestHeaders request) {
    String origin = request.header("origin");
    String method = request.header("access-control-request-method");
    return request.method().equals("OPTIONS")
        && origin != null
        && !origin.isEmpty()
        && method != null
        && !method.isEmpty();
  }

  /** Envoy's {@code buildOriginalUri}: forwarded proto, host and the path cut at 256 characters. */
  private static String originalUri(RequestHeaders request) {
    String proto = request.header("x-forwarded-proto");
    String path = request.header("x-envoy-original-path");
    if (path == null) {
      path = request.path();
    }
    if (path.length() > MAX_URI_PATH) {
      path = path.substring(0, MAX_URI_PATH);
    }
    return (proto == null ? request.scheme() : proto) + "://" + request.authority() + path;
  }
}
