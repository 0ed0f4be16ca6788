package io.meshagent.core.internal.listener;

import io.meshagent.model.listener.CidrRange;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.jspecify.annotations.Nullable;

/** Prefix matching on IP literals, without DNS. */
final class Cidrs {
  private Cidrs() {}

  /** The address bytes of an IP literal, or null if it is not one. */
  static byte @Nullable [] bytes(String ip) {
    if (ip.isEmpty() || !(Character.digit(ip.charAt(0), 16) >= 0 || ip.charAt(0) == ':')) {
      return null;
    }
    try {
      // Literals only: getByName does no lookup for them.
      return InetAddress.getByName(ip).getAddress();
    } catch (UnknownHostException | SecurityException e) {
      return null;
    }
  }

  /** Whether {@code address} lies in {@code range}; address families must agree. */
  static boolean contains(CidrRange range, byte @Nullable [] address) {
    byte[] net = bytes(range.address());
    if (net == null || address == null || net.length != address.length) {
      return false;
    }
    int bits = Math.min(range.prefixLength(), net.length * 8);
    for (int i = 0; i < bits / 8; i++) {
      if (net[i] != address[i]) {
        return false;
      }
    }
    int rest = bits % 8;
    if (rest == 0) {
      return true;
    }
    int mask = 0xff << (8 - rest) & 0xff;
    return (net[bits / 8] & mask) == (address[bits / 8] & mask);
  }
}
