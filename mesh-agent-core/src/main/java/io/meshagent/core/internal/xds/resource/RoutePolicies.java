package io.meshagent.core.internal.xds.resource;

import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.meshagent.core.xds.ResourceInvalidException;
import io.meshagent.model.route.HashPolicy;
import io.meshagent.model.route.HeaderOps;
import io.meshagent.model.route.HeaderToAdd;
import io.meshagent.model.route.RequestMirrorPolicy;
import io.meshagent.model.route.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Converts the policies a route configuration attaches to routes: header changes, retries, hash
 * policies and mirrors.
 */
final class RoutePolicies {
  static final int MILLION = 1_000_000;

  /** Envoy's retry back-off base interval when none is set. */
  static final Duration DEFAULT_BASE_INTERVAL = Duration.ofMillis(25);

  private RoutePolicies() {}

  /** Header changes from the four {@code *_headers_to_*} fields of one level. */
  static HeaderOps headerOps(
      List<HeaderValueOption> requestToAdd,
      List<String> requestToRemove,
      List<HeaderValueOption> responseToAdd,
      List<String> responseToRemove,
      String path)
      throws ResourceInvalidException {
    if (requestToAdd.isEmpty()
        && requestToRemove.isEmpty()
        && responseToAdd.isEmpty()
        && responseToRemove.isEmpty()) {
      return HeaderOps.NONE;
    }
    return new HeaderOps(
        adds(requestToAdd, Paths.field(path, "request_headers_to_add")),
        removes(requestToRemove, Paths.field(path, "request_headers_to_remove")),
        adds(responseToAdd, Paths.field(path, "response_headers_to_add")),
        removes(responseToRemove, Paths.field(path, "response_headers_to_remove")));
  }

  // istiod still sets the deprecated append field.
  @SuppressWarnings("deprecation")
  private static List<HeaderToAdd> adds(List<HeaderValueOption> options, String path)
      throws ResourceInvalidException {
    List<HeaderToAdd> adds = new ArrayList<>(options.size());
    for (int i = 0; i < options.size(); i++) {
      HeaderValueOption o = options.get(i);
      String p = path + "[" + i + "]";
      String name = modifiable(o.getHeader().getKey(), Paths.field(p, "header.key"));
      if (o.hasAppend() && o.getAppendActionValue() != 0) {
        throw new ResourceInvalidException(
            Paths.at(p, "append and append_action are mutually exclusive"));
      }
      HeaderToAdd.AppendAction action =
          o.hasAppend()
              ? (o.getAppend().getValue()
                  ? HeaderToAdd.AppendAction.APPEND_IF_EXISTS_OR_ADD
                  : HeaderToAdd.AppendAction.OVERWRITE_IF_EXISTS_OR_ADD)
              : switch (o.getAppendAction()) {
                case APPEND_IF_EXISTS_OR_ADD -> HeaderToAdd.AppendAction.APPEND_IF_EXISTS_OR_ADD;
                case ADD_IF_ABSENT -> HeaderToAdd.AppendAction.ADD_IF_ABSENT;
                case OVERWRITE_IF_EXISTS_OR_ADD ->
                    HeaderToAdd.AppendAction.OVERWRITE_IF_EXISTS_OR_ADD;
                case OVERWRITE_IF_EXISTS -> HeaderToAdd.AppendAction.OVERWRITE_IF_EXISTS;
                case UNRECOGNIZED ->
                    throw new ResourceInvalidException(
                        Paths.at(
                            Paths.field(p, "append_action"),
                            o.getAppendActionValue() + " is not a known append action"));
              };
      String value =
          o.getHeader().getRawValue().isEmpty()
              ? o.getHeader().getValue()
              : o.getHeader().getRawValue().toStringUtf8();
      adds.add(new HeaderToAdd(name, value, action, o.getKeepEmptyValue()));
    }
    return adds;
  }

  private static List<String> removes(List<String> names, String path)
      throws ResourceInvalidException {
    List<String> removes = new ArrayList<>(names.size());
    for (int i = 0; i < names.size(); i++) {
      removes.add(modifiable(names.get(i), path + "[" + i + "]"));
    }
    return removes;
  }

  /** Envoy refuses to add or remove pseudo-headers and {@code host}. */
  private static String modifiable(String name, String path) throws ResourceInvalidException {
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.isEmpty()) {
      throw new ResourceInvalidException(Paths.at(path, "must not be empty"));
    }
    if (lower.startsWith(":") || lower.equals("host")) {
      throw new ResourceInvalidException(
          Paths.at(path, "'" + name + "': ':'-prefixed or host headers may not be modified"));
    }
    return lower;
  }

  /** Envoy's {@code RetryPolicy}, with Envoy's defaults. */
  static RetryPolicy retry(io.envoyproxy.envoy.config.route.v3.RetryPolicy r, String path)
      throws ResourceInvalidException {
    List<String> retryOn = new ArrayList<>();
    for (String c : r.getRetryOn().split(",")) {
      if (!c.isBlank()) {
        retryOn.add(c.trim());
      }
    }
    int numRetries = r.hasNumRetries() ? r.getNumRetries().getValue() : 1;
    if (numRetries < 0) {
      throw new ResourceInvalidException(
          Paths.at(Paths.field(path, "num_retries"), "is too large"));
    }
    Duration perTry =
        r.hasPerTryTimeout()
            ? Durations.of(r.getPerTryTimeout(), Paths.field(path, "per_try_timeout"))
            : null;
    List<Integer> codes = new ArrayList<>(r.getRetriableStatusCodesCount());
    for (int code : r.getRetriableStatusCodesList()) {
      codes.add(code);
    }
    Duration base = DEFAULT_BASE_INTERVAL;
    Duration max = null;
    if (r.hasRetryBackOff()) {
      var b = r.getRetryBackOff();
      String bp = Paths.field(path, "retry_back_off");
      if (!b.hasBaseInterval()) {
        throw new ResourceInvalidException(Paths.at(Paths.field(bp, "base_interval"), "required"));
      }
      base = Durations.of(b.getBaseInterval(), Paths.field(bp, "base_interval"));
      if (base.toMillis() < 1) {
        throw new ResourceInvalidException(
            Paths.at(Paths.field(bp, "base_interval"), "must be at least 1 ms"));
      }
      if (b.hasMaxInterval()) {
        max = Durations.of(b.getMaxInterval(), Paths.field(bp, "max_interval"));
        if (max.compareTo(base) < 0) {
          throw new ResourceInvalidException(
              Paths.at(Paths.field(bp, "max_interval"), "must not be less than base_interval"));
        }
      }
    }
    List<String> predicates = new ArrayList<>(r.getRetryHostPredicateCount());
    for (var p : r.getRetryHostPredicateList()) {
      predicates.add(p.getName());
    }
    long attempts =
        r.getHostSelectionRetryMaxAttempts() == 0 ? 1 : r.getHostSelectionRetryMaxAttempts();
    return new RetryPolicy(
        retryOn,
        numRetries,
        perTry,
        codes,
        base,
        max == null ? base.multipliedBy(10) : max,
        predicates,
        attempts);
  }

  /** {@code RouteAction.hash_policy}. */
  static List<HashPolicy> hashPolicies(
      List<io.envoyproxy.envoy.config.route.v3.RouteAction.HashPolicy> policies, String path)
      throws ResourceInvalidException {
    List<HashPolicy> out = new ArrayList<>(policies.size());
    for (int i = 0; i < policies.size(); i++) {
      var h = policies.get(i);
      String p = Paths.element(path, "hash_policy", i);
      boolean terminal = h.getTerminal();
      out.add(
          switch (h.getPolicySpecifierCase()) {
            case HEADER -> {
              if (h.getHeader().hasRegexRewrite()) {
                throw unsupported(Paths.field(p, "header.regex_rewrite"));
              }
              yield new HashPolicy.Header(
                  nonEmpty(h.getHeader().getHeaderName(), Paths.field(p, "header.header_name"))
                      .toLowerCase(Locale.ROOT),
                  terminal);
            }
            case COOKIE -> {
              var c = h.getCookie();
              yield new HashPolicy.Cookie(
                  nonEmpty(c.getName(), Paths.field(p, "cookie.name")),
                  c.hasTtl() ? Durations.of(c.getTtl(), Paths.field(p, "cookie.ttl")) : null,
                  c.getPath(),
                  terminal);
            }
            case CONNECTION_PROPERTIES -> {
              if (!h.getConnectionProperties().getSourceIp()) {
                throw new ResourceInvalidException(
                    Paths.at(Paths.field(p, "connection_properties.source_ip"), "must be true"));
              }
              yield new HashPolicy.SourceIp(terminal);
            }
            case QUERY_PARAMETER ->
                new HashPolicy.QueryParameter(
                    nonEmpty(
                        h.getQueryParameter().getName(), Paths.field(p, "query_parameter.name")),
                    terminal);
            case FILTER_STATE -> throw unsupported(Paths.field(p, "filter_state"));
            case POLICYSPECIFIER_NOT_SET ->
                throw new ResourceInvalidException(Paths.at(p, "no policy specifier is set"));
          });
    }
    return out;
  }

  /** {@code RouteAction.request_mirror_policies}. */
  static List<RequestMirrorPolicy> mirrors(
      List<io.envoyproxy.envoy.config.route.v3.RouteAction.RequestMirrorPolicy> policies,
      String path)
      throws ResourceInvalidException {
    List<RequestMirrorPolicy> out = new ArrayList<>(policies.size());
    for (int i = 0; i < policies.size(); i++) {
      var m = policies.get(i);
      String p = Paths.element(path, "request_mirror_policies", i);
      if (m.getCluster().isEmpty()) {
        if (!m.getClusterHeader().isEmpty()) {
          throw unsupported(Paths.field(p, "cluster_header"));
        }
        throw new ResourceInvalidException(
            Paths.at(Paths.field(p, "cluster"), "must not be empty"));
      }
      int perMillion = MILLION;
      if (m.hasRuntimeFraction()) {
        var f = m.getRuntimeFraction();
        perMillion =
            f.hasDefaultValue()
                ? perMillion(f.getDefaultValue(), Paths.field(p, "runtime_fraction.default_value"))
                : 0;
      }
      out.add(new RequestMirrorPolicy(m.getCluster(), perMillion));
    }
    return out;
  }

  /** A fractional percent in parts per million, capped at the denominator as Envoy does. */
  static int perMillion(FractionalPercent p, String path) throws ResourceInvalidException {
    long numerator = Integer.toUnsignedLong(p.getNumerator());
    long perMillion =
        switch (p.getDenominator()) {
          case HUNDRED -> numerator * 10_000;
          case TEN_THOUSAND -> numerator * 100;
          case MILLION -> numerator;
          case UNRECOGNIZED ->
              throw new ResourceInvalidException(
                  Paths.at(
                      Paths.field(path, "denominator"),
                      p.getDenominatorValue()
                          + " is not supported; supported: HUNDRED, TEN_THOUSAND, MILLION"));
        };
    return (int) Math.min(perMillion, MILLION);
  }

  private static String nonEmpty(String value, String path) throws ResourceInvalidException {
    if (value.isEmpty()) {
      throw new ResourceInvalidException(Paths.at(path, "must not be empty"));
    }
    return value;
  }

  static ResourceInvalidException unsupported(String path) {
    return new ResourceInvalidException(Paths.at(path, "not supported"));
  }
}
