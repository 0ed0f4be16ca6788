package io.meshagent.netty.internal.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import org.junit.jupiter.api.Test;

/** Envoy's JSON: sensitive fields redacted at any depth, types resolved without a list. */
class ProtoJsonTest {
  final ProtoJson json = new ProtoJson(new ProtoTypes(ProtoJsonTest.class.getClassLoader()));

  private static Listener listenerWithInlineKey(String key) {
    DownstreamTlsContext tls =
        DownstreamTlsContext.newBuilder()
            .setCommonTlsContext(
                CommonTlsContext.newBuilder()
                    .addTlsCertificates(
                        TlsCertificate.newBuilder()
                            .setCertificateChain(DataSource.newBuilder().setInlineString("CHAIN"))
                            .setPrivateKey(DataSource.newBuilder().setInlineString(key))
                            .setPassword(
                                DataSource.newBuilder()
                                    .setInlineBytes(ByteString.copyFromUtf8("hunter2")))))
            .build();
    return Listener.newBuilder()
        .setName("inbound")
        .addFilterChains(
            FilterChain.newBuilder()
                .setTransportSocket(
                    TransportSocket.newBuilder()
                        .setName("envoy.transport_sockets.tls")
                        .setTypedConfig(Any.pack(tls))))
        .build();
  }

  @Test
  void privateKeysInsideAnysAreRedacted() throws Exception {
    String out = json.print(Any.pack(listenerWithInlineKey("-----BEGIN PRIVATE KEY-----\nMIGH")));

    assertThat(out)
        .doesNotContain("PRIVATE KEY")
        .doesNotContain("MIGH")
        .doesNotContain("hunter2")
        .doesNotContain(java.util.Base64.getEncoder().encodeToString("hunter2".getBytes()))
        .contains("\"inline_string\": \"[redacted]\"")
        .contains("\"inline_bytes\": \"W3JlZGFjdGVkXQ==\"")
        .contains("\"inline_string\": \"CHAIN\"")
        .contains("\"@type\": \"type.googleapis.com/envoy.config.listener.v3.Listener\"")
        .contains("\"filter_chains\"");
  }

  @Test
  void aTypeNoClassProvidesPrintsAsItsTypeAlone() throws Exception {
    Any unknown =
        Any.newBuilder()
            .setTypeUrl("type.googleapis.com/io.istio.http.peer_metadata.Config")
            .setValue(
                Struct.newBuilder()
                    .putFields("secret", Value.newBuilder().setStringValue("s3cr3t").build())
                    .build()
                    .toByteString())
            .build();
    Listener l =
        Listener.newBuilder()
            .setName("outbound")
            .addFilterChains(
                FilterChain.newBuilder()
                    .addFilters(Filter.newBuilder().setName("istio").setTypedConfig(unknown)))
            .build();

    String out = json.print(Any.pack(l));

    assertThat(out)
        .contains("\"@type\": \"type.googleapis.com/io.istio.http.peer_metadata.Config\"")
        .doesNotContain("s3cr3t");
  }

  @Test
  void wellKnownAndXdsTypesResolve() throws Exception {
    Any struct =
        Any.pack(
            Struct.newBuilder()
                .putFields("k", Value.newBuilder().setStringValue("v").build())
                .build());
    Any typed =
        Any.pack(
            com.github.xds.type.v3.TypedStruct.newBuilder()
                .setTypeUrl("type.googleapis.com/io.istio.Whatever")
                .build());

    assertThat(json.print(struct)).contains("\"k\": \"v\"");
    assertThat(json.print(typed))
        .contains("\"type_url\": \"type.googleapis.com/io.istio.Whatever\"");
  }
}
