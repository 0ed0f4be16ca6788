package io.meshagent.netty.internal.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshagent.traffic.HttpHeader;
import io.meshagent.traffic.HttpProtocol;
import io.meshagent.traffic.MeshHttpRequest;
import io.meshagent.traffic.MeshHttpResponse;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.util.List;
import org.junit.jupiter.api.Test;

class Http2MessagesTest {
  @Test
  void requestBlockHasThePseudoHeadersAndNoConnectionSpecificFields() {
    MeshHttpRequest r =
        MeshHttpRequest.builder("POST", "reviews:9080", "/reviews/1?x=1")
            .header("Connection", "keep-alive")
            .header("keep-alive", "timeout=5")
            .header("transfer-encoding", "chunked")
            .header("upgrade", "h2c")
            .header("host", "elsewhere")
            .header("content-length", "999")
            .header("te", "trailers")
            .header("x-request-id", "abc")
            .body("hello")
            .build();

    Http2Headers h = Http2Messages.requestHeaders(r, null);

    assertThat(h.method().toString()).isEqualTo("POST");
    assertThat(h.path().toString()).isEqualTo("/reviews/1?x=1");
    assertThat(h.authority().toString()).isEqualTo("reviews:9080");
    assertThat(h.scheme().toString()).isEqualTo("http");
    assertThat(h.get("content-length").toString()).isEqualTo("5");
    assertThat(h.get("te").toString()).isEqualTo("trailers");
    assertThat(h.get("x-request-id").toString()).isEqualTo("abc");
    for (String gone :
        List.of("connection", "keep-alive", "transfer-encoding", "upgrade", "host")) {
      assertThat(h.contains(gone)).as(gone).isFalse();
    }
  }

  @Test
  void teOtherThanTrailersIsDropped() {
    MeshHttpRequest r = MeshHttpRequest.builder("GET", "a", "/").header("te", "gzip").build();
    assertThat(Http2Messages.requestHeaders(r, null).contains("te")).isFalse();
  }

  @Test
  void receivedRequestTakesHostWhenThereIsNoAuthority() {
    Http2Headers h = new DefaultHttp2Headers().method("GET").path("/p").scheme("http");
    h.add("host", "details:9080");
    h.add("x-a", "1");

    MeshHttpRequest r = Http2Messages.request(h, new byte[0], null);

    assertThat(r.authority()).isEqualTo("details:9080");
    assertThat(r.protocol()).isEqualTo(HttpProtocol.HTTP_2);
    // content-length from the body when the peer sent none, as Netty's aggregator added it.
    assertThat(r.headers())
        .containsExactly(new HttpHeader("x-a", "1"), new HttpHeader("content-length", "0"));
  }

  @Test
  void receivedRequestWithoutPathIsRefusedByName() {
    Http2Headers h = new DefaultHttp2Headers().method("GET").authority("a");
    assertThatThrownBy(() -> Http2Messages.request(h, new byte[0], null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(":path");
  }

  @Test
  void forbiddenCharactersInAValueAreRefusedNamingTheHeader() {
    Http2Headers h = new DefaultHttp2Headers(false).status("200");
    h.add("x-evil", "a\r\nset-cookie: b");
    assertThatThrownBy(() -> Http2Messages.response(h, new byte[0], null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("x-evil");
  }

  /** The decoder's values are scanned as bytes, within their own window of a shared array. */
  @Test
  void forbiddenBytesAreFoundInsideAnAsciiStringsWindowOnly() {
    byte[] shared = "\nok\r\nb".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    Http2Headers fine = new DefaultHttp2Headers(false).status("200");
    fine.add("x-window", new AsciiString(shared, 1, 2, false)); // "ok": the LF is outside
    assertThat(Http2Messages.response(fine, new byte[0], null).header("x-window")).isEqualTo("ok");

    Http2Headers evil = new DefaultHttp2Headers(false).status("200");
    evil.add("x-window", new AsciiString(shared, 2, 3, false)); // "k\r\n"
    assertThatThrownBy(() -> Http2Messages.response(evil, new byte[0], null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("x-window")
        .hasMessageContaining("at 1");
  }

  @Test
  void aLongValueSeenBeforeIsNotTrustedWhenItIsADifferentString() {
    String clean = "m".repeat(300);
    Http2Headers ok = new DefaultHttp2Headers(false).status("200");
    AsciiString indexed = new AsciiString(clean);
    ok.add("x-envoy-peer-metadata", indexed);
    assertThat(Http2Messages.response(ok, new byte[0], null).header("x-envoy-peer-metadata"))
        .isEqualTo(clean);
    // The same AsciiString again (as HPACK's table delivers it): still accepted.
    assertThat(Http2Messages.response(ok, new byte[0], null).status()).isEqualTo(200);

    Http2Headers bad = new DefaultHttp2Headers(false).status("200");
    bad.add("x-envoy-peer-metadata", new AsciiString("m".repeat(150) + "\n" + "m".repeat(149)));
    assertThatThrownBy(() -> Http2Messages.response(bad, new byte[0], null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("x-envoy-peer-metadata");
  }

  @Test
  void responseBlockCarriesStatusAndBodyLength() {
    MeshHttpResponse r =
        new MeshHttpResponse(
            503,
            List.of(new HttpHeader("connection", "close"), new HttpHeader("x-b", "2")),
            "no healthy upstream".getBytes(java.nio.charset.StandardCharsets.UTF_8));

    Http2Headers h = Http2Messages.responseHeaders(r, null);

    assertThat(h.status().toString()).isEqualTo("503");
    assertThat(h.get("content-length").toString()).isEqualTo("19");
    assertThat(h.contains("connection")).isFalse();
    assertThat(h.get("x-b").toString()).isEqualTo("2");
  }
}
