package io.meshagent.netty.internal.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshagent.core.internal.listener.ConnectionInfo;
import io.meshagent.netty.testing.Capture;
import io.meshagent.netty.testing.LeakCheck;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslProvider;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The inspector on an {@link EmbeddedChannel}: what it reports of the first bytes (TLS with SNI and
 * ALPN, HTTP/1.x, the h2c preface, anything else), however the bytes are split across reads, and
 * that the bytes it held reach the next handler intact, with nothing leaked.
 */
class InspectorTest {
  private static final int SERVICE_PORT = 9080;
  private static final String SNI = "reviews.default.svc.cluster.local";

  @BeforeAll
  static void leakCheck() throws Exception {
    LeakCheck.install();
  }

  @AfterEach
  void noLeaks() {
    assertThat(LeakCheck.leaks()).isEmpty();
  }

  /** An embedded channel with the addresses of an accepted TCP connection. */
  static final class AcceptedChannel extends EmbeddedChannel {
    static final InetSocketAddress LOCAL = new InetSocketAddress("10.0.0.5", 15006);
    static final InetSocketAddress REMOTE = new InetSocketAddress("10.0.0.9", 43210);

    AcceptedChannel(ChannelHandler... handlers) {
      super(handlers);
    }

    @Override
    protected SocketAddress localAddress0() {
      return LOCAL;
    }

    @Override
    protected SocketAddress remoteAddress0() {
      return REMOTE;
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /**
   * The h2c preface and an empty SETTINGS frame, as an HTTP/2 client with prior knowledge sends.
   */
  private static final byte[] H2C =
      concat(ascii("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0});

  record Case(
      String name, byte[] bytes, String transport, @Nullable String sni, List<String> alpn) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Case> cases() throws Exception {
    return List.of(
        new Case(
            "TLS (JDK client) with SNI and ALPN",
            Hellos.clientHello(SslProvider.JDK, SNI, "h2", "http/1.1"),
            "tls",
            SNI,
            List.of("h2", "http/1.1")),
        new Case(
            "TLS (BoringSSL client) with Istio's ALPN",
            Hellos.clientHello(SslProvider.OPENSSL, SNI, "istio-peer-exchange", "istio"),
            "tls",
            SNI,
            List.of("istio-peer-exchange", "istio")),
        new Case(
            "TLS without SNI or ALPN",
            Hellos.clientHello(SslProvider.JDK, null),
            "tls",
            null,
            List.of()),
        new Case(
            "GET",
            ascii("GET / HTTP/1.1\r\nHost: reviews\r\n\r\n"),
            "raw_buffer",
            null,
            List.of("http/1.1")),
        new Case(
            "HEAD, HTTP/1.0",
            ascii("HEAD /health HTTP/1.0\r\n\r\n"),
            "raw_buffer",
            null,
            List.of("http/1.1")),
        new Case(
            "DELETE",
            ascii("DELETE /items/7 HTTP/1.1\r\nHost: reviews\r\n\r\n"),
            "raw_buffer",
            null,
            List.of("http/1.1")),
        new Case(
            "OPTIONS *",
            ascii("OPTIONS * HTTP/1.1\r\nHost: reviews\r\n\r\n"),
            "raw_buffer",
            null,
            List.of("http/1.1")),
        new Case("h2c preface", H2C, "raw_buffer", null, List.of("h2c")),
        new Case("lower-case text", ascii("hello world\r\n"), "raw_buffer", null, List.of()),
        new Case("SSH banner", ascii("SSH-2.0-OpenSSH_9.6\r\n"), "raw_buffer", null, List.of()),
        new Case("Redis RESP", ascii("*1\r\n$4\r\nPING\r\n"), "raw_buffer", null, List.of()),
        new Case(
            "binary",
            new byte[] {0, 0, 0, 42, 1, 2, 3, 4, 5, 6, 7, 8},
            "raw_buffer",
            null,
            List.of()),
        new Case(
            "a long upper-case word is no method",
            ascii("ABCDEFGHIJKLMNOP\r\n"),
            "raw_buffer",
            null,
            List.of()));
  }

  /** Methods starting with P, which share their first byte with the h2c preface. */
  static List<Case> methodsStartingWithP() {
    return List.of(
        new Case(
            "POST",
            ascii("POST /reviews HTTP/1.1\r\nHost: reviews\r\nContent-Length: 2\r\n\r\n{}"),
            "raw_buffer",
            null,
            List.of("http/1.1")),
        new Case(
            "PUT",
            ascii("PUT /reviews/1 HTTP/1.1\r\nHost: reviews\r\nContent-Length: 0\r\n\r\n"),
            "raw_buffer",
            null,
            List.of("http/1.1")),
        new Case(
            "PATCH",
            ascii("PATCH /reviews/1 HTTP/1.1\r\nHost: reviews\r\nContent-Length: 0\r\n\r\n"),
            "raw_buffer",
            null,
            List.of("http/1.1")));
  }

  /** How the bytes arrive: one read, one byte per read, or cut at a few places. */
  enum Split {
    WHOLE,
    BYTE_BY_BYTE,
    AT_3,
    AT_5_AND_20;

    List<byte[]> apply(byte[] b) {
      return switch (this) {
        case WHOLE -> List.of(b);
        case BYTE_BY_BYTE -> {
          List<byte[]> out = new ArrayList<>();
          for (byte x : b) {
            out.add(new byte[] {x});
          }
          yield out;
        }
        case AT_3 -> cut(b, 3);
        case AT_5_AND_20 -> cut(b, 5, 20);
      };
    }

    private static List<byte[]> cut(byte[] b, int... at) {
      List<byte[]> out = new ArrayList<>();
      int from = 0;
      for (int i : at) {
        if (i > from && i < b.length) {
          out.add(Arrays.copyOfRange(b, from, i));
          from = i;
        }
      }
      out.add(Arrays.copyOfRange(b, from, b.length));
      return out;
    }
  }

  private static Stream<Arguments> bySplit(List<Case> cases) {
    return cases.stream().flatMap(c -> Stream.of(Split.values()).map(s -> Arguments.of(c, s)));
  }

  static Stream<Arguments> inspections() throws Exception {
    return bySplit(cases());
  }

  static Stream<Arguments> pMethods() {
    return bySplit(methodsStartingWithP());
  }

  /** Writes the pieces as pooled (leak-tracked) buffers. */
  private static void write(EmbeddedChannel ch, List<byte[]> pieces) {
    for (byte[] piece : pieces) {
      ch.writeInbound(ByteBufAllocator.DEFAULT.buffer(piece.length).writeBytes(piece));
    }
  }

  private static void inspect(Case c, Split split) {
    List<ConnectionInfo> seen = new ArrayList<>();
    Capture capture = new Capture();
    EmbeddedChannel ch =
        new AcceptedChannel(new Inspector(SERVICE_PORT, (ctx, info) -> seen.add(info)), capture);

    write(ch, split.apply(c.bytes()));

    assertThat(seen)
        .containsExactly(
            new ConnectionInfo(
                "10.0.0.5", SERVICE_PORT, c.sni(), c.transport(), c.alpn(), "10.0.0.9", 43210));
    assertThat(ch.pipeline().get(Inspector.class)).as("the inspector has left").isNull();
    assertThat(capture.bytes.toByteArray()).as("bytes passed on intact").isEqualTo(c.bytes());
    assertThat(ch.finishAndReleaseAll()).isFalse();
  }

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("inspections")
  void reportsWhatTheFirstBytesSayAndPassesThemOn(Case c, Split split) {
    inspect(c, split);
  }

  /**
   * Envoy's HTTP inspector recognises any HTTP/1.x request line; a method whose first letter is
   * {@code P} must not be taken for a failed h2c preface.
   */
  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("pMethods")
  void requestsWhoseMethodStartsWithPAreHttp(Case c, Split split) {
    inspect(c, split);
  }

  static Stream<Arguments> undecided() {
    return Stream.of(
        Arguments.of("fewer than five bytes", List.of("GE", "T"), " / HTTP/1.1\r\n\r\n"),
        Arguments.of("a method still being read", List.of("OPTIO", "NS"), " * HTTP/1.1\r\n\r\n"),
        Arguments.of(
            "a possible h2c preface", List.of("PRI * ", "HTTP/2"), ".0\r\n\r\nSM\r\n\r\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("undecided")
  void waitsWhileTheBytesCannotDecide(String rule, List<String> undecided, String rest) {
    List<ConnectionInfo> seen = new ArrayList<>();
    Capture capture = new Capture();
    EmbeddedChannel ch =
        new AcceptedChannel(new Inspector(SERVICE_PORT, (ctx, info) -> seen.add(info)), capture);
    StringBuilder all = new StringBuilder();

    for (String piece : undecided) {
      write(ch, List.of(ascii(piece)));
      all.append(piece);
      assertThat(seen).as("after %s", all).isEmpty();
      assertThat(capture.bytes.size()).as("nothing passed on yet").isZero();
    }
    write(ch, List.of(ascii(rest)));

    assertThat(seen).hasSize(1);
    assertThat(new String(capture.bytes.toByteArray(), StandardCharsets.US_ASCII))
        .isEqualTo(all + rest);
    ch.finishAndReleaseAll();
  }

  /**
   * A client that half-closes after fewer bytes than decide anything (one byte of a TCP stream):
   * the inspector decides at the end of its input, and the next handler sees the bytes, then the
   * end. Left waiting for the timeout, the end would have passed before that handler was added.
   */
  @Test
  void aHalfCloseBeforeTheBytesDecideEndsTheWaitAndIsPassedOnAfterThem() {
    List<ConnectionInfo> seen = new ArrayList<>();
    List<String> events = new ArrayList<>();
    Capture capture =
        new Capture() {
          @Override
          public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            events.add(bytes.size() + " bytes, then " + evt.getClass().getSimpleName());
          }
        };
    // The handler after the inspector is added when it decides, as the inbound pipelines do.
    EmbeddedChannel ch =
        new AcceptedChannel(
            new Inspector(
                SERVICE_PORT,
                (ctx, info) -> {
                  seen.add(info);
                  ctx.pipeline().addLast(capture);
                }));

    write(ch, List.of(new byte[] {'x'}));
    assertThat(seen).isEmpty();
    ch.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);

    assertThat(seen)
        .extracting(ConnectionInfo::transportProtocol, ConnectionInfo::applicationProtocols)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("raw_buffer", List.of()));
    assertThat(capture.bytes.toByteArray()).isEqualTo(new byte[] {'x'});
    assertThat(events).containsExactly("1 bytes, then ChannelInputShutdownEvent");
    assertThat(ch.pipeline().get(Inspector.class)).isNull();
    ch.finishAndReleaseAll();
  }

  @Test
  void anIncompleteTlsRecordWaitsForTheRest() throws Exception {
    byte[] hello = Hellos.clientHello(SslProvider.JDK, SNI, "h2");
    List<ConnectionInfo> seen = new ArrayList<>();
    Capture capture = new Capture();
    EmbeddedChannel ch =
        new AcceptedChannel(new Inspector(SERVICE_PORT, (ctx, info) -> seen.add(info)), capture);

    write(ch, List.of(Arrays.copyOf(hello, hello.length - 1)));

    assertThat(seen).isEmpty();
    assertThat(capture.bytes.size()).isZero();
    write(ch, List.of(new byte[] {hello[hello.length - 1]}));
    assertThat(seen).extracting(ConnectionInfo::serverName).containsExactly(SNI);
    assertThat(capture.bytes.toByteArray()).isEqualTo(hello);
    ch.finishAndReleaseAll();
  }

  @Test
  void bytesAfterTheDecisionGoStraightToTheNextHandler() {
    Capture capture = new Capture();
    EmbeddedChannel ch =
        new AcceptedChannel(new Inspector(SERVICE_PORT, (ctx, info) -> {}), capture);

    write(ch, List.of(ascii("GET / HTTP/1.1\r\n"), ascii("Host: a\r\n"), ascii("\r\n")));

    assertThat(new String(capture.bytes.toByteArray(), StandardCharsets.US_ASCII))
        .isEqualTo("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    ch.finishAndReleaseAll();
  }

  /** As the inbound pipelines do: the next stage is added once the connection is planned. */
  @Test
  void theNextStageMayBeAddedByTheCallback() throws Exception {
    byte[] hello = Hellos.clientHello(SslProvider.JDK, SNI, "h2");
    Capture capture = new Capture();
    BiConsumer<ChannelHandlerContext, ConnectionInfo> next =
        (ctx, info) -> ctx.pipeline().addLast(capture);
    EmbeddedChannel ch = new AcceptedChannel(new Inspector(SERVICE_PORT, next));

    write(ch, Split.AT_5_AND_20.apply(hello));

    assertThat(capture.bytes.toByteArray()).isEqualTo(hello);
    ch.finishAndReleaseAll();
  }

  /** A refused connection (the callback closes it) leaks nothing of what was held. */
  @Test
  void aCallbackThatClosesTheChannelLeaksNothing() throws Exception {
    byte[] hello = Hellos.clientHello(SslProvider.JDK, SNI, "h2");
    EmbeddedChannel ch =
        new AcceptedChannel(new Inspector(SERVICE_PORT, (ctx, info) -> ctx.close()));

    write(ch, Split.AT_3.apply(hello));

    assertThat(ch.isOpen()).isFalse();
    ch.finishAndReleaseAll();
  }

  /** A connection that closes before the bytes decide: the held bytes are released. */
  @Test
  void undecidedBytesAreReleasedWhenTheChannelCloses() {
    List<ConnectionInfo> seen = new ArrayList<>();
    EmbeddedChannel ch =
        new AcceptedChannel(new Inspector(SERVICE_PORT, (ctx, info) -> seen.add(info)));

    write(ch, List.of(ascii("PR"), new byte[] {22}));
    ch.close();

    assertThat(seen).isEmpty();
    ch.finishAndReleaseAll();
  }
}
