package io.meshagent.model.listener;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Envoy's {@code FilterChainMatch}; empty lists and null match anything.
 *
 * @param destinationPort the original destination port
 * @param prefixRanges original destination addresses
 * @param sourcePrefixRanges source addresses
 * @param sourcePorts source ports
 * @param transportProtocol {@code raw_buffer}, {@code tls} or empty
 * @param serverNames TLS server names
 * @param applicationProtocols ALPN values (Istio's {@code istio-http/1.1}, {@code h2c}, ...)
 */
public record FilterChainMatch(
    @Nullable Integer destinationPort,
    List<CidrRange> prefixRanges,
    List<CidrRange> sourcePrefixRanges,
    List<Integer> sourcePorts,
    String transportProtocol,
    List<String> serverNames,
    List<String> applicationProtocols) {

  /** Matches everything. */
  public static final FilterChainMatch ANY =
      new FilterChainMatch(null, List.of(), List.of(), List.of(), "", List.of(), List.of());

  public FilterChainMatch {
    prefixRanges = List.copyOf(prefixRanges);
    sourcePrefixRanges = List.copyOf(sourcePrefixRanges);
    sourcePorts = List.copyOf(sourcePorts);
    serverNames = List.copyOf(serverNames);
    applicationProtocols = List.copyOf(applicationProtocols);
  }
}
