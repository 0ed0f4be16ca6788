package io.meshagent.core.internal.routing;

import io.meshagent.model.route.CorsPolicy;
import io.meshagent.model.route.FaultPolicy;
import io.meshagent.model.route.HeaderMatcher;
import io.meshagent.model.route.HeaderOps;
import io.meshagent.model.route.PathMatch;
import io.meshagent.model.route.QueryParameterMatcher;
import io.meshagent.model.route.RequestMirrorPolicy;
import io.meshagent.model.route.RetryPolicy;
import io.meshagent.model.route.Route;
import io.meshagent.model.route.RouteAction;
import io.meshagent.model.route.RouteConfiguration;
import io.meshagent.model.route.RouteMatch;
import io.meshagent.model.route.VirtualHost;
import io.meshagent.model.route.WeightedCluster;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A route with what a decision needs precomputed: the resolved retry policy, fault and CORS policy,
 * the header changes in application order, and the cumulative weights of a split.
 */
final class CompiledRoute {
  private static final int MILLION = 1_000_000;

  final Route route;
  final RouteMatch match;
  final @Nullable RetryPolicy retry;
  final @Nullable FaultPolicy fault;
  final @Nullable CorsPolicy cors;
  final List<HeaderOps> headerOps;

  /**
   * For a weighted split: the running sums of the weights, and per cluster its ops, fault and CORS
   * policy.
   */
  final long[] cumulative;

  final List<List<HeaderOps>> clusterHeaderOps;
  final List<@Nullable FaultPolicy> clusterFaults;
  final List<@Nullable CorsPolicy> clusterCors;
  final long totalWeight;

  /** The regex rewrite's substitution in {@link java.util.regex.Matcher} syntax, or null. */
  final @Nullable String regexReplacement;

  /** The mirror clusters when every mirror takes all requests; null when some are sampled. */
  final @Nullable List<String> allMirrors;

  /**
   * @param faultFilter the connection manager's fault filter configuration, the default when no
   *     level overrides it, or null when there is no fault filter and so no fault injection
   */
  CompiledRoute(
      Route route, VirtualHost vh, RouteConfiguration config, @Nullable FaultPolicy faultFilter) {
    this.route = route;
    this.match = route.match();
    HeaderOps configOps = config.headerOps();
    // Envoy's mostSpecificPerFilterConfig: the most specific override, else the filter's own.
    this.fault =
        faultFilter == null
            ? null
            : firstNonNull(route.fault(), vh.fault(), config.fault(), faultFilter);
    this.cors = Cors.merge(route.cors(), vh.cors(), config.cors());
    this.headerOps = ops(HeaderOps.NONE, route.headerOps(), vh.headerOps(), configOps);
    RetryPolicy r = vh.retryPolicy();
    String replacement = null;
    List<WeightedCluster> weighted = List.of();
    List<String> mirrors = null;
    if (route.action() instanceof RouteAction.Forward f) {
      if (f.retryPolicy() != null) {
        r = f.retryPolicy();
      }
      weighted = f.weightedClusters();
      if (f.regexRewrite() != null) {
        replacement = javaReplacement(f.regexRewrite().substitution());
      }
      mirrors = new ArrayList<>();
      for (RequestMirrorPolicy m : f.mirrors()) {
        if (m.runtimeFractionPerMillion() < MILLION) {
          mirrors = null;
          break;
        }
        mirrors.add(m.cluster());
      }
    }
    this.retry = r;
    this.regexReplacement = replacement;
    this.allMirrors = mirrors == null ? null : List.copyOf(mirrors);
    this.cumulative = new long[weighted.size()];
    List<List<HeaderOps>> clusterOps = new ArrayList<>(weighted.size());
    List<@Nullable FaultPolicy> clusterFaults = new ArrayList<>(weighted.size());
    List<@Nullable CorsPolicy> clusterCors = new ArrayList<>(weighted.size());
    long sum = 0;
    for (int i = 0; i < weighted.size(); i++) {
      WeightedCluster c = weighted.get(i);
      sum += c.weight();
      cumulative[i] = sum;
      clusterOps.add(ops(c.headerOps(), route.headerOps(), vh.headerOps(), configOps));
      clusterFaults.add(c.fault() != null && faultFilter != null ? c.fault() : fault);
      clusterCors.add(
          c.cors() == null ? cors : Cors.merge(c.cors(), route.cors(), vh.cors(), config.cors()));
    }
    this.totalWeight = sum;
    this.clusterHeaderOps = List.copyOf(clusterOps);
    this.clusterFaults = Collections.unmodifiableList(clusterFaults);
    this.clusterCors = Collections.unmodifiableList(clusterCors);
  }

  private static @Nullable FaultPolicy firstNonNull(@Nullable FaultPolicy... levels) {
    for (FaultPolicy f : levels) {
      if (f != null) {
        return f;
      }
    }
    return null;
  }

  /** Envoy's default order: most specific first, so the least specific overwrites. */
  private static List<HeaderOps> ops(HeaderOps... levels) {
    List<HeaderOps> out = new ArrayList<>(levels.length);
    for (HeaderOps o : levels) {
      if (!o.isEmpty()) {
        out.add(o);
      }
    }
    return List.copyOf(out);
  }

  /** Envoy's {@code RouteEntryImplBase::matchRoute} and the path match. */
  boolean matches(RequestHeaders req, long draw) {
    if (match.runtimeFractionPerMillion() < MILLION
        && Long.remainderUnsigned(draw, MILLION) >= match.runtimeFractionPerMillion()) {
      return false;
    }
    if (!matchesPath(req.path())) {
      return false;
    }
    for (HeaderMatcher h : match.headers()) {
      if (!HeaderMatching.matches(h, req.header(h.name()))) {
        return false;
      }
    }
    for (QueryParameterMatcher q : match.queryParameters()) {
      String value = req.queryParameter(q.name());
      if (value == null || (q.matcher() != null && !q.matcher().matches(value))) {
        return false;
      }
    }
    return !match.grpcOnly() || req.isGrpc();
  }

  private boolean matchesPath(String path) {
    boolean ignoreCase = !match.caseSensitive();
    PathMatch pm = match.path();
    if (pm instanceof PathMatch.Prefix p) {
      // Envoy matches a prefix against the whole :path, query included.
      return path.regionMatches(ignoreCase, 0, p.prefix(), 0, p.prefix().length());
    }
    int end = pathEnd(path);
    if (pm instanceof PathMatch.Exact e) {
      return end == e.path().length() && path.regionMatches(ignoreCase, 0, e.path(), 0, end);
    }
    if (pm instanceof PathMatch.PathSeparatedPrefix s) {
      int len = s.prefix().length();
      return end >= len
          && path.regionMatches(ignoreCase, 0, s.prefix(), 0, len)
          && (end == len || path.charAt(len) == '/');
    }
    // Envoy: case_sensitive does not apply to safe_regex.
    PathMatch.Regex r = (PathMatch.Regex) pm;
    return r.pattern().matcher(path).region(0, end).matches();
  }

  /**
   * The path after {@code prefix_rewrite} (the matched prefix, for exact and regex matches the
   * whole path before the query, replaced) or {@code regex_rewrite} (every match in the path before
   * the query replaced); null when the route rewrites nothing.
   */
  @Nullable String rewritePath(String path, RouteAction.Forward f) {
    String prefixRewrite = f.prefixRewrite();
    if (f.regexRewrite() != null && regexReplacement != null) {
      int end = pathEnd(path);
      // Matcher.replaceAll resets any region, so rewrite a copy of the path before the query.
      return f.regexRewrite().pattern().matcher(path.substring(0, end)).replaceAll(regexReplacement)
          + path.substring(end);
    }
    if (prefixRewrite == null) {
      return null;
    }
    PathMatch pm = match.path();
    int matched;
    if (pm instanceof PathMatch.Prefix p) {
      matched = p.prefix().length();
    } else if (pm instanceof PathMatch.PathSeparatedPrefix s) {
      matched = s.prefix().length();
    } else {
      matched = pathEnd(path);
    }
    return prefixRewrite + path.substring(Math.min(matched, path.length()));
  }

  /**
   * An RE2 substitution ({@code \1} for a group, {@code \\} for a backslash) in {@link
   * java.util.regex.Matcher}'s syntax.
   */
  static String javaReplacement(String re2) {
    StringBuilder out = new StringBuilder(re2.length() + 4);
    for (int i = 0; i < re2.length(); i++) {
      char c = re2.charAt(i);
      if (c == '\\' && i + 1 < re2.length() && Character.isDigit(re2.charAt(i + 1))) {
        out.append('$').append(re2.charAt(++i));
      } else if (c == '\\' && i + 1 < re2.length() && re2.charAt(i + 1) == '\\') {
        out.append("\\\\");
        i++;
      } else if (c == '$' || c == '\\') {
        out.append('\\').append(c);
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** Envoy's {@code PathUtil::removeQueryAndFragment}: where the path ends. */
  static int pathEnd(String path) {
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '?' || c == '#') {
        return i;
      }
    }
    return path.length();
  }
}
