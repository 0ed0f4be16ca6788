package io.meshagent.netty.internal.hbone;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The CONNECT authority: literal {@code ip:port}, IPv6 bracketed, nothing resolved. */
class AuthorityTest {
  @Test
  void formatsIpv4AndBracketedIpv6() throws Exception {
    assertThat(Authority.format(new InetSocketAddress("10.0.0.2", 8080)))
        .isEqualTo("10.0.0.2:8080");
    assertThat(Authority.format(new InetSocketAddress(InetAddress.getByName("fd00::2"), 80)))
        .isEqualTo("[fd00::2]:80");
  }

  @Test
  void parsesWhatItFormats() throws Exception {
    assertThat(Authority.parse("10.0.0.2:8080")).isEqualTo(new InetSocketAddress("10.0.0.2", 8080));
    assertThat(Authority.parse("[fd00::2]:80"))
        .isEqualTo(new InetSocketAddress(InetAddress.getByName("fd00::2"), 80));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "10.0.0.2",
        "10.0.0.2:",
        ":80",
        "host:80",
        "fd00::2:80",
        "[10.0.0.2]:80",
        "10.0.0.2:0",
        "10.0.0.2:65536",
        "10.0.0.2:+80",
        "10.0.0.2:8o",
        "[fd00::2:80"
      })
  void refusesAnythingElse(String authority) {
    assertThat(Authority.parse(authority)).isNull();
  }

  @Test
  void canonicalTurnsMappedIpv6IntoIpv4() throws Exception {
    assertThat(Authority.canonical(InetAddress.getByName("::ffff:10.0.0.2")))
        .isEqualTo(InetAddress.getByName("10.0.0.2"));
    assertThat(Authority.canonical(InetAddress.getByName("fd00::2")))
        .isEqualTo(InetAddress.getByName("fd00::2"));
  }
}
