package io.meshagent.core.internal.xds.resource;

import io.meshagent.core.xds.ResourceInvalidException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * IP literals: raw bytes to text (RFC 5952 compressed form for IPv6, as istiod and Envoy print
 * them) and checks that text is an IP literal. Never resolves names.
 */
final class IpAddresses {
  private static final Pattern IPV4 =
      Pattern.compile(
          "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

  private IpAddresses() {}

  /**
   * The literal of a raw 4- or 16-byte address.
   *
   * @throws ResourceInvalidException if the length is neither 4 nor 16
   */
  static String literal(byte[] bytes, String path) throws ResourceInvalidException {
    if (bytes.length == 16) {
      // Formatted here: InetAddress would turn IPv4-mapped addresses into IPv4 and does not
      // compress zero groups.
      return ipv6(bytes);
    }
    if (bytes.length != 4) {
      throw new ResourceInvalidException(
          Paths.at(path, "IP address must be 4 or 16 bytes, got " + bytes.length));
    }
    try {
      return InetAddress.getByAddress(bytes).getHostAddress();
    } catch (UnknownHostException e) {
      throw new ResourceInvalidException(Paths.at(path, "invalid IP address"), e);
    }
  }

  /** Whether {@code text} is an IPv4 or IPv6 literal (without brackets or zone). */
  static boolean isLiteral(String text) {
    if (IPV4.matcher(text).matches()) {
      return true;
    }
    if (text.indexOf(':') < 0 || text.indexOf('%') >= 0 || text.startsWith("[")) {
      return false;
    }
    try {
      // A string with ':' is parsed as an IPv6 literal, never looked up.
      InetAddress.getByName(text);
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** The maximum prefix length for the literal's family. */
  static int maxPrefixLength(String literal) {
    return literal.indexOf(':') >= 0 ? 128 : 32;
  }

  private static String ipv6(byte[] b) {
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
    }
    // RFC 5952: compress the longest run (first on ties) of two or more zero groups.
    int bestStart = -1;
    int bestLen = 0;
    for (int i = 0; i < 8; ) {
      if (groups[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    if (bestLen < 2) {
      bestStart = -1;
    }
    StringBuilder sb = new StringBuilder(39);
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(groups[i]));
    }
    return sb.toString();
  }
}
