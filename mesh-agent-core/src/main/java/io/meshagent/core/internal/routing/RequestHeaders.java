package io.meshagent.core.internal.routing;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What routing reads of a request: the pseudo-headers, the headers as a case-insensitive multimap,
 * the query (parsed on first use) and the downstream source IP. Immutable apart from the lazily
 * parsed query, which is an idempotent, safely published cache; confine an instance to the
 * request's thread anyway.
 */
public final class RequestHeaders {
  private final String authority;
  private final String path;
  private final String method;
  private final String scheme;
  private final String sourceIp;
  private final Map<String, List<String>> headers;
  private @Nullable Map<String, String> query;

  private RequestHeaders(Builder b) {
    this.authority = b.authority;
    this.path = b.path;
    this.method = b.method;
    this.scheme = b.scheme;
    this.sourceIp = b.sourceIp;
    Map<String, List<String>> copy = new HashMap<>(b.headers.size() * 2);
    b.headers.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    this.headers = Map.copyOf(copy);
  }

  /** A builder for a request to {@code authority} and {@code path} ({@code :path}, with query). */
  public static Builder builder(String authority, String path) {
    return new Builder(authority, path);
  }

  /** {@code :authority}. */
  public String authority() {
    return authority;
  }

  /** {@code :path}, with the query and fragment. */
  public String path() {
    return path;
  }

  /** {@code :method}. */
  public String method() {
    return method;
  }

  /** {@code :scheme}. */
  public String scheme() {
    return scheme;
  }

  /** The downstream source IP, or empty. */
  public String sourceIp() {
    return sourceIp;
  }

  /**
   * The header's values joined with {@code ,} as Envoy matches them, or null when absent. The
   * pseudo-headers {@code :authority}, {@code :path}, {@code :method} and {@code :scheme} are
   * headers too.
   */
  public @Nullable String header(String name) {
    String n = lowerCase(name);
    if (n.startsWith(":")) {
      return switch (n) {
        case ":authority" -> authority;
        case ":path" -> path;
        case ":method" -> method;
        case ":scheme" -> scheme;
        default -> null;
      };
    }
    List<String> values = headers.get(n);
    if (values == null) {
      return null;
    }
    return values.size() == 1 ? values.get(0) : String.join(",", values);
  }

  /** The header's values, empty when absent. */
  public List<String> headerValues(String name) {
    return headers.getOrDefault(lowerCase(name), List.of());
  }

  /**
   * The first value of the query parameter, not percent-decoded (as Envoy's route matching reads
   * it), or null when absent; a parameter without {@code =} has the empty value.
   */
  public @Nullable String queryParameter(String name) {
    Map<String, String> q = query;
    if (q == null) {
      q = parseQuery(path);
      query = q;
    }
    return q.get(name);
  }

  /** The value of the first cookie named {@code name} in the {@code cookie} headers, or null. */
  public @Nullable String cookie(String name) {
    for (String header : headerValues("cookie")) {
      for (String pair : header.split(";")) {
        String p = pair.strip();
        int eq = p.indexOf('=');
        if (eq > 0 && p.regionMatches(0, name, 0, name.length()) && eq == name.length()) {
          String v = p.substring(eq + 1);
          return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")
              ? v.substring(1, v.length() - 1)
              : v;
        }
      }
    }
    return null;
  }

  /** Envoy's {@code Grpc::Common::isGrpcRequestHeaders}: content-type is gRPC's. */
  public boolean isGrpc() {
    String ct = header("content-type");
    if (ct == null || !ct.startsWith("application/grpc")) {
      return false;
    }
    return ct.length() == 16 || ct.charAt(16) == '+' || ct.charAt(16) == ';';
  }

  private static Map<String, String> parseQuery(String path) {
    int start = path.indexOf('?');
    int fragment = path.indexOf('#');
    if (start < 0 || (fragment >= 0 && fragment < start)) {
      return Map.of();
    }
    int end = path.indexOf('#', start);
    if (end < 0) {
      end = path.length();
    }
    Map<String, String> params = new HashMap<>();
    int i = start + 1;
    while (i < end) {
      int amp = path.indexOf('&', i);
      if (amp < 0 || amp > end) {
        amp = end;
      }
      if (amp > i) {
        int eq = path.indexOf('=', i);
        String key = eq < 0 || eq > amp ? path.substring(i, amp) : path.substring(i, eq);
        String value = eq < 0 || eq > amp ? "" : path.substring(eq + 1, amp);
        params.putIfAbsent(key, value);
      }
      i = amp + 1;
    }
    return Map.copyOf(params);
  }

  private static String lowerCase(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        return name.toLowerCase(Locale.ROOT);
      }
    }
    return name;
  }

  /** Builds {@link RequestHeaders}. */
  public static final class Builder {
    private final String authority;
    private final String path;
    private String method = "GET";
    private String scheme = "http";
    private String sourceIp = "";
    private final Map<String, List<String>> headers = new HashMap<>();

    Builder(String authority, String path) {
      this.authority = requireNonNull(authority, "authority");
      this.path = requireNonNull(path, "path");
    }

    /** {@code :method}; GET unless set. */
    public Builder method(String method) {
      this.method = requireNonNull(method, "method");
      return this;
    }

    /** {@code :scheme}; http unless set. */
    public Builder scheme(String scheme) {
      this.scheme = requireNonNull(scheme, "scheme");
      return this;
    }

    /** The downstream source IP. */
    public Builder sourceIp(String sourceIp) {
      this.sourceIp = requireNonNull(sourceIp, "sourceIp");
      return this;
    }

    /** Adds a value of a header; names are case-insensitive. */
    public Builder add(String name, String value) {
      requireNonNull(value, "value");
      headers
          .computeIfAbsent(lowerCase(requireNonNull(name, "name")), k -> new ArrayList<>())
          .add(value);
      return this;
    }

    /** Builds the request. */
    public RequestHeaders build() {
      return new RequestHeaders(this);
    }
  }
}
