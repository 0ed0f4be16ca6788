package io.meshagent.core.internal.xds;

import java.util.Map;
import java.util.Set;

/**
 * One open ADS stream in either protocol. Methods are called from the control context only; they
 * write requests and never block.
 */
interface AdsStream {

  /**
   * Opens or changes the subscription to a type.
   *
   * @param typeUrl the type
   * @param wildcard whether the type is subscribed as a wildcard
   * @param names the complete set of names now wanted (named types)
   * @param added names added since the last request (Delta)
   * @param removed names removed since the last request (Delta)
   * @param version the last accepted version (SotW)
   * @param nonce the last nonce received for the type (SotW)
   * @param knownVersions resources already held, on a new stream (Delta)
   */
  void subscribe(
      String typeUrl,
      boolean wildcard,
      Set<String> names,
      Set<String> added,
      Set<String> removed,
      String version,
      String nonce,
      Map<String, String> knownVersions);

  /** Accepts a response. */
  void ack(String typeUrl, boolean wildcard, Set<String> names, String version, String nonce);

  /**
   * Rejects a response, keeping {@code acceptedVersion} in force.
   *
   * @param error names every invalid resource and why
   */
  void nack(
      String typeUrl,
      boolean wildcard,
      Set<String> names,
      String acceptedVersion,
      String nonce,
      String error);

  /** Cancels the stream; no callback follows. */
  void cancel(String reason);
}
