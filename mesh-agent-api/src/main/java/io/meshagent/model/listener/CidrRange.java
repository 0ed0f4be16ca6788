package io.meshagent.model.listener;

import static java.util.Objects.requireNonNull;

/**
 * An address prefix.
 *
 * @param address the prefix's address
 * @param prefixLength significant bits
 */
public record CidrRange(String address, int prefixLength) {
  public CidrRange {
    requireNonNull(address, "address");
  }

  @Override
  public String toString() {
    return address + "/" + prefixLength;
  }
}
