package io.meshagent.netty.internal.inbound;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What Envoy's TLS inspector reads from a ClientHello: the server name and the offered ALPN
 * protocols. Parsing is bounds-checked throughout; a malformed or truncated hello yields what was
 * read so far, and the handshake that follows rejects it properly.
 *
 * @param serverName the SNI host name, or null
 * @param alpn the offered protocols, in order
 */
record ClientHello(@Nullable String serverName, List<String> alpn) {
  static final ClientHello NONE = new ClientHello(null, List.of());

  private static final int HANDSHAKE = 22;
  private static final int CLIENT_HELLO = 1;
  private static final int EXT_SERVER_NAME = 0;
  private static final int EXT_ALPN = 16;

  /** Bytes needed before {@link #parse} can run: the whole first record, or -1 if not TLS. */
  static int recordLength(ByteBuf in) {
    int i = in.readerIndex();
    if (in.readableBytes() < 5) {
      return 0;
    }
    if (in.getUnsignedByte(i) != HANDSHAKE || in.getUnsignedByte(i + 1) != 3) {
      return -1;
    }
    return 5 + in.getUnsignedShort(i + 3);
  }

  /** Parses the first record at the reader index, without moving it. */
  static ClientHello parse(ByteBuf in) {
    int end = in.readerIndex() + Math.min(in.readableBytes(), recordLength(in));
    int p = in.readerIndex() + 5;
    String sni = null;
    List<String> alpn = new ArrayList<>();
    try {
      if (p + 4 > end || in.getUnsignedByte(p) != CLIENT_HELLO) {
        return NONE;
      }
      p += 4 + 2 + 32; // handshake header, client_version, random
      p += 1 + in.getUnsignedByte(p); // session id
      p += 2 + in.getUnsignedShort(p); // cipher suites
      p += 1 + in.getUnsignedByte(p); // compression methods
      if (p + 2 > end) {
        return NONE;
      }
      int extEnd = Math.min(end, p + 2 + in.getUnsignedShort(p));
      p += 2;
      while (p + 4 <= extEnd) {
        int type = in.getUnsignedShort(p);
        int len = in.getUnsignedShort(p + 2);
        int data = p + 4;
        if (data + len > extEnd) {
          break;
        }
        if (type == EXT_SERVER_NAME && len >= 5 && in.getUnsignedByte(data + 2) == 0) {
          int n = in.getUnsignedShort(data + 3);
          if (data + 5 + n <= data + len) {
            sni = in.toString(data + 5, n, StandardCharsets.US_ASCII);
          }
        } else if (type == EXT_ALPN && len >= 2) {
          int q = data + 2;
          int listEnd = Math.min(data + len, q + in.getUnsignedShort(data));
          while (q < listEnd) {
            int n = in.getUnsignedByte(q);
            if (q + 1 + n > listEnd) {
              break;
            }
            alpn.add(in.toString(q + 1, n, StandardCharsets.US_ASCII));
            q += 1 + n;
          }
        }
        p = data + len;
      }
    } catch (IndexOutOfBoundsException e) {
      // truncated: keep what was read
    }
    return new ClientHello(sni, List.copyOf(alpn));
  }
}
