package io.meshagent.core.internal.routing;

import io.meshagent.core.internal.lb.XxHash64;
import io.meshagent.model.route.HashPolicy;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;

/**
 * Envoy's {@code HashPolicyImpl::generateHash}: each policy that yields a value hashes it with
 * xxHash64 (seed 0); hashes combine as {@code rotl(hash, 1) ^ next}; a terminal policy that yielded
 * a hash ends the evaluation. Computed only when the cluster balances by hash.
 */
public final class RequestHash {
  private RequestHash() {}

  /** The request's hash, or empty when no policy yields one (the balancer then picks at random). */
  public static OptionalLong of(List<HashPolicy> policies, RequestHeaders request) {
    boolean found = false;
    long hash = 0;
    for (HashPolicy p : policies) {
      String value;
      long h;
      if (p instanceof HashPolicy.Header header) {
        List<String> values = request.headerValues(header.name());
        value = values.isEmpty() ? null : "";
        h = values.isEmpty() ? 0 : headerHash(values);
      } else if (p instanceof HashPolicy.Cookie c) {
        value = request.cookie(c.name());
        h = 0;
      } else if (p instanceof HashPolicy.SourceIp) {
        value = request.sourceIp().isEmpty() ? null : request.sourceIp();
        h = 0;
      } else {
        value = request.queryParameter(((HashPolicy.QueryParameter) p).name());
        h = 0;
      }
      if (value != null) {
        if (!(p instanceof HashPolicy.Header)) {
          h = XxHash64.hash(value, 0);
        }
        hash = found ? Long.rotateLeft(hash, 1) ^ h : h;
        found = true;
      }
      // Envoy stops at a terminal policy once any hash exists, even one from earlier policies.
      if (p.terminal() && found) {
        break;
      }
    }
    return found ? OptionalLong.of(hash) : OptionalLong.empty();
  }

  /**
   * Envoy's header hash: the values sorted (so their order does not matter), each hashed with the
   * previous hash as seed.
   */
  private static long headerHash(List<String> values) {
    if (values.size() == 1) {
      return XxHash64.hash(values.get(0), 0);
    }
    String[] sorted = values.toArray(new String[0]);
    Arrays.sort(sorted);
    long h = 0;
    for (String v : sorted) {
      h = XxHash64.hash(v, h);
    }
    return h;
  }
}
