package io.meshagent.core.internal.listener;

import io.meshagent.model.listener.CidrRange;
import io.meshagent.model.listener.FilterChain;
import io.meshagent.model.listener.FilterChainMatch;
import io.meshagent.model.listener.Listener;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToIntFunction;
import org.jspecify.annotations.Nullable;

/**
 * Envoy's filter-chain matching: the criteria are applied in Envoy's order — destination port,
 * destination IP (longest prefix), server name (exact, then longest wildcard), transport protocol,
 * application protocols, source IP (longest prefix), source port — and at each step only the most
 * specific candidates survive, a chain without the criterion being the fallback. There is no
 * backtracking: once a step has chosen, a later step that finds nothing leaves nothing, as in
 * Envoy's nested lookup. With none left, the listener's default filter chain applies, if any.
 */
public final class FilterChainSelector {
  private static final int NO_MATCH = -1;

  private FilterChainSelector() {}

  /** The chain that handles {@code c} on {@code listener}, or null when Envoy would close it. */
  public static @Nullable FilterChain select(Listener listener, ConnectionInfo c) {
    byte[] dst = Cidrs.bytes(c.destinationIp());
    byte[] src = Cidrs.bytes(c.sourceIp());
    String sni = c.serverName() == null ? "" : c.serverName().toLowerCase(Locale.ROOT);
    List<FilterChain> candidates = new ArrayList<>(listener.filterChains());
    candidates = narrow(candidates, m -> destinationPort(m, c.destinationPort()));
    candidates = narrow(candidates, m -> prefix(m.prefixRanges(), dst));
    candidates = narrow(candidates, m -> serverName(m, sni));
    candidates = narrow(candidates, m -> transport(m, c.transportProtocol()));
    candidates = narrow(candidates, m -> alpn(m, c.applicationProtocols()));
    candidates = narrow(candidates, m -> prefix(m.sourcePrefixRanges(), src));
    candidates = narrow(candidates, m -> sourcePort(m, c.sourcePort()));
    if (!candidates.isEmpty()) {
      // Envoy rejects configurations where two chains tie on every criterion; keep the first.
      return candidates.get(0);
    }
    return listener.defaultFilterChain();
  }

  /**
   * Keeps the chains whose score for one criterion is the highest; a score of {@link #NO_MATCH}
   * excludes a chain, 0 means "criterion unset" (a fallback), higher is more specific.
   */
  private static List<FilterChain> narrow(
      List<FilterChain> chains, ToIntFunction<FilterChainMatch> score) {
    int best = NO_MATCH;
    List<FilterChain> kept = new ArrayList<>(chains.size());
    for (FilterChain chain : chains) {
      int s = score.applyAsInt(chain.match());
      if (s == NO_MATCH || s < best) {
        continue;
      }
      if (s > best) {
        kept.clear();
        best = s;
      }
      kept.add(chain);
    }
    return kept;
  }

  private static int destinationPort(FilterChainMatch m, int port) {
    if (m.destinationPort() == null) {
      return 0;
    }
    return m.destinationPort() == port ? 1 : NO_MATCH;
  }

  /** Longest matching prefix + 1; 0 when the chain lists no prefixes. */
  private static int prefix(List<CidrRange> ranges, byte @Nullable [] address) {
    if (ranges.isEmpty()) {
      return 0;
    }
    int best = NO_MATCH;
    for (CidrRange r : ranges) {
      if (Cidrs.contains(r, address)) {
        best = Math.max(best, r.prefixLength() + 1);
      }
    }
    return best;
  }

  /** An exact name beats any wildcard; a longer wildcard suffix beats a shorter one. */
  private static int serverName(FilterChainMatch m, String sni) {
    if (m.serverNames().isEmpty()) {
      return 0;
    }
    if (sni.isEmpty()) {
      return NO_MATCH;
    }
    int best = NO_MATCH;
    for (String name : m.serverNames()) {
      String n = name.toLowerCase(Locale.ROOT);
      if (n.equals(sni)) {
        return Integer.MAX_VALUE;
      }
      if (n.startsWith("*.") && sni.endsWith(n.substring(1)) && sni.length() > n.length() - 1) {
        best = Math.max(best, n.length());
      }
    }
    return best;
  }

  private static int transport(FilterChainMatch m, String transport) {
    if (m.transportProtocol().isEmpty()) {
      return 0;
    }
    return m.transportProtocol().equals(transport) ? 1 : NO_MATCH;
  }

  private static int alpn(FilterChainMatch m, List<String> offered) {
    if (m.applicationProtocols().isEmpty()) {
      return 0;
    }
    for (String p : m.applicationProtocols()) {
      if (offered.contains(p)) {
        return 1;
      }
    }
    return NO_MATCH;
  }

  private static int sourcePort(FilterChainMatch m, int port) {
    if (m.sourcePorts().isEmpty()) {
      return 0;
    }
    return m.sourcePorts().contains(port) ? 1 : NO_MATCH;
  }
}
