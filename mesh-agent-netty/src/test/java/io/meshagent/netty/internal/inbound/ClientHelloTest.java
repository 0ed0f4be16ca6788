package io.meshagent.netty.internal.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshagent.netty.testing.LeakCheck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslProvider;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the TLS inspector reads from real ClientHellos (Netty's JDK and BoringSSL clients): SNI and
 * ALPN, and nothing — without an exception — from truncated or foreign bytes.
 */
class ClientHelloTest {
  private static final String SNI = "reviews.default.svc.cluster.local";

  /** istiod's SNI for a cluster without subset; clients refuse to send names with underscores. */
  private static final String ISTIO_SNI = "outbound_.9080_._.reviews.default.svc.cluster.local";

  /** TLS record header (5), handshake header (4), client_version (2), random (32). */
  private static final int BEFORE_SESSION_ID = 43;

  private final List<ByteBuf> buffers = new ArrayList<>();

  @BeforeAll
  static void leakCheck() throws Exception {
    LeakCheck.install();
  }

  @AfterEach
  void release() {
    buffers.forEach(ByteBuf::release);
    assertThat(LeakCheck.leaks()).isEmpty();
  }

  /** A pooled, leak-tracked buffer holding {@code bytes}, released after the test. */
  private ByteBuf buf(byte[] bytes, int offset, int length) {
    ByteBuf b = ByteBufAllocator.DEFAULT.buffer(Math.max(1, length));
    b.writeBytes(bytes, offset, length);
    buffers.add(b);
    return b;
  }

  private ByteBuf buf(byte[] bytes) {
    return buf(bytes, 0, bytes.length);
  }

  static Stream<Arguments> hellos() {
    return Stream.of(
        Arguments.of(SslProvider.JDK, SNI, new String[] {"h2", "http/1.1"}),
        Arguments.of(
            SslProvider.JDK, "ratings.default.svc", new String[] {"istio-peer-exchange", "istio"}),
        Arguments.of(SslProvider.JDK, null, new String[] {"h2"}),
        Arguments.of(SslProvider.JDK, SNI, new String[] {}),
        Arguments.of(SslProvider.JDK, null, new String[] {}),
        Arguments.of(SslProvider.OPENSSL, SNI, new String[] {"h2", "http/1.1"}),
        Arguments.of(
            SslProvider.OPENSSL, SNI, new String[] {"istio-peer-exchange", "istio", "istio-h2"}),
        Arguments.of(SslProvider.OPENSSL, null, new String[] {"http/1.1"}),
        Arguments.of(SslProvider.OPENSSL, SNI, new String[] {}));
  }

  @ParameterizedTest(name = "{0}, SNI {1}, ALPN {2}")
  @MethodSource("hellos")
  void readsServerNameAndAlpnOfARealHello(SslProvider provider, @Nullable String sni, String[] alpn)
      throws Exception {
    byte[] hello = Hellos.clientHello(provider, sni, alpn);
    ByteBuf in = buf(hello);

    ClientHello parsed = ClientHello.parse(in);

    assertThat(parsed.serverName()).isEqualTo(sni);
    assertThat(parsed.alpn()).containsExactly(alpn);
    assertThat(ClientHello.recordLength(in)).isEqualTo(hello.length);
    assertThat(in.readerIndex()).isZero();
    assertThat(in.readableBytes()).isEqualTo(hello.length);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("providers")
  void readsIstiodsServerNameWithUnderscores(SslProvider provider) throws Exception {
    byte[] hello =
        Hellos.clientHelloWithUnderscores(provider, ISTIO_SNI, "istio-peer-exchange", "istio");

    assertThat(ClientHello.parse(buf(hello)))
        .isEqualTo(new ClientHello(ISTIO_SNI, List.of("istio-peer-exchange", "istio")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("providers")
  void parsesAtTheReaderIndexAndIgnoresWhatFollowsTheRecord(SslProvider provider) throws Exception {
    byte[] hello = Hellos.clientHello(provider, SNI, "h2");
    byte[] framed = new byte[7 + hello.length + 64];
    Arrays.fill(framed, (byte) 0x5a);
    System.arraycopy(hello, 0, framed, 7, hello.length);
    ByteBuf in = buf(framed);
    in.readerIndex(7);

    assertThat(ClientHello.parse(in)).isEqualTo(new ClientHello(SNI, List.of("h2")));
    assertThat(ClientHello.recordLength(in)).isEqualTo(hello.length);
    assertThat(in.readerIndex()).isEqualTo(7);
  }

  static Stream<SslProvider> providers() {
    return Stream.of(SslProvider.JDK, SslProvider.OPENSSL);
  }

  /**
   * Every prefix of a real hello: no exception; nothing before the session id is known; after that,
   * whatever is returned is what the whole hello says (an extension is read only whole).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("providers")
  void truncatedHelloYieldsNothingWrongAndNeverThrows(SslProvider provider) throws Exception {
    byte[] hello = Hellos.clientHello(provider, SNI, "h2", "http/1.1");

    for (int length = 0; length < hello.length; length++) {
      ClientHello parsed = ClientHello.parse(buf(hello, 0, length));

      if (length <= BEFORE_SESSION_ID) {
        assertThat(parsed).as("prefix of %d bytes", length).isEqualTo(ClientHello.NONE);
      } else {
        assertThat(parsed.serverName()).as("prefix of %d bytes", length).isIn(null, SNI);
        assertThat(parsed.alpn())
            .as("prefix of %d bytes", length)
            .isIn(List.of(), List.of("h2", "http/1.1"));
      }
    }
  }

  static Stream<Arguments> foreign() {
    return Stream.of(
        Arguments.of("empty", new byte[0]),
        Arguments.of("HTTP/1.1", ascii("GET / HTTP/1.1\r\nHost: reviews\r\n\r\n")),
        Arguments.of("h2c preface", ascii("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")),
        Arguments.of("zeros", new byte[200]),
        Arguments.of("a TLS alert record", new byte[] {21, 3, 3, 0, 2, 2, 40}),
        Arguments.of(
            "a handshake record that is no ClientHello (ServerHello)",
            record(new byte[] {2, 0, 0, 40}, 60)),
        Arguments.of("a handshake record with a header only", new byte[] {22, 3, 1, 0, 0}),
        Arguments.of(
            "a ClientHello whose lengths point past the record",
            record(new byte[] {1, (byte) 0xff, (byte) 0xff, (byte) 0xff, 3, 3}, 40)),
        Arguments.of(
            "a ClientHello claiming a huge session id",
            record(withByteAt(new byte[80], 0, 1, 38, (byte) 0xff), 0)));
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** A handshake record whose body is {@code head} followed by {@code filler} bytes of 0x41. */
  private static byte[] record(byte[] head, int filler) {
    int body = head.length + filler;
    byte[] r = new byte[5 + body];
    r[0] = 22;
    r[1] = 3;
    r[2] = 1;
    r[3] = (byte) (body >> 8);
    r[4] = (byte) body;
    System.arraycopy(head, 0, r, 5, head.length);
    Arrays.fill(r, 5 + head.length, r.length, (byte) 0x41);
    return r;
  }

  private static byte[] withByteAt(byte[] b, int i0, int v0, int i1, byte v1) {
    b[i0] = (byte) v0;
    b[i1] = v1;
    return b;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("foreign")
  void foreignBytesYieldNothing(String what, byte[] bytes) {
    assertThat(ClientHello.parse(buf(bytes))).isEqualTo(ClientHello.NONE);
  }

  @Test
  void randomBytesNeverThrow() {
    SplittableRandom random = new SplittableRandom(2025);
    for (int i = 0; i < 5_000; i++) {
      byte[] b = new byte[random.nextInt(0, 400)];
      random.nextBytes(b);
      if (b.length >= 6 && random.nextBoolean()) {
        b[0] = 22; // a handshake record of TLS 1.x, so the parser goes further
        b[1] = 3;
        b[5] = 1;
      }
      ByteBuf in = buf(b);

      ClientHello parsed = ClientHello.parse(in);

      assertThat(parsed).isNotNull();
      if (parsed.serverName() != null) {
        assertThat(parsed.serverName().length()).isLessThan(b.length);
      }
      assertThat(in.readerIndex()).isZero();
    }
  }

  static Stream<Arguments> recordLengths() {
    return Stream.of(
        Arguments.of(new byte[] {}, 0),
        Arguments.of(new byte[] {22, 3, 1, 0}, 0),
        Arguments.of(new byte[] {22, 3, 1, 0x02, 0x00}, 5 + 512),
        Arguments.of(new byte[] {22, 3, 3, 0x40, 0x00}, 5 + 16_384),
        Arguments.of(ascii("GET / HTTP/1.1"), -1),
        Arguments.of(new byte[] {22, 2, 0, 0, 0}, -1),
        Arguments.of(new byte[] {23, 3, 3, 0, 10}, -1));
  }

  /** 0: fewer than 5 bytes, wait; -1: not a TLS handshake; else the whole first record. */
  @ParameterizedTest(name = "{index}: {1}")
  @MethodSource("recordLengths")
  void recordLength(byte[] bytes, int expected) {
    assertThat(ClientHello.recordLength(buf(bytes))).isEqualTo(expected);
  }
}
