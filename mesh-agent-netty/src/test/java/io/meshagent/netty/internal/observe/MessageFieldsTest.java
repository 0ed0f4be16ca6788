package io.meshagent.netty.internal.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshagent.core.internal.telemetry.metrics.RequestProtocol;
import io.meshagent.core.internal.telemetry.metrics.RequestRecord;
import io.meshagent.traffic.HttpHeader;
import io.meshagent.traffic.MeshHttpResponse;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The request_protocol and grpc_response_status labels, as Envoy's gRPC helpers decide them. */
class MessageFieldsTest {
  @ParameterizedTest
  @CsvSource({
    "application/grpc, GRPC",
    "application/grpc+proto, GRPC",
    "application/grpc;charset=utf-8, HTTP", // Envoy takes only '+' after it
    "application/grpc-web, HTTP",
    "application/grpc-web+proto, HTTP",
    "application/grpcx, HTTP",
    "application/json, HTTP",
  })
  void grpcIsApplicationGrpcAloneOrWithASuffix(String contentType, RequestProtocol protocol) {
    assertThat(MessageFields.protocol(contentType)).isEqualTo(protocol);
  }

  @ParameterizedTest
  @CsvSource(
      nullValues = "none",
      value = {
        // trailer, header, HTTP status, label
        "0, none, 200, 0",
        "5, 3, 200, 5", // the trailers win
        "none, 3, 200, 3", // a trailers-only response: the header block's
        "none, none, 200, 2", // no status at all: UNKNOWN
        "none, none, 503, 14",
        "none, none, 404, 12",
        "none, none, 403, 7",
        "none, none, 401, 16",
        "none, none, 400, 13",
        "none, none, 429, 14",
        "nope, none, 200, -2", // no number: Envoy's invalid code, labelled -1
        "17, none, 200, -2", // above 16: the same
        "'', 5, 200, 5", // an empty value counts as none
      })
  void grpcStatusComesFromTrailersThenHeadersThenTheHttpStatus(
      String trailer, String header, int http, int label) {
    MeshHttpResponse r = new MeshHttpResponse(http, List.of(), new byte[0]);
    if (trailer != null) {
      r = r.withTrailers(List.of(new HttpHeader("grpc-status", trailer)));
    }
    assertThat(MessageFields.grpcStatus(RequestProtocol.GRPC, r, header)).isEqualTo(label);
  }

  @ParameterizedTest
  @CsvSource({"200", "503"})
  void httpHasNoGrpcStatus(int http) {
    MeshHttpResponse r =
        new MeshHttpResponse(http, List.of(), new byte[0])
            .withTrailers(List.of(new HttpHeader("grpc-status", "0")));
    assertThat(MessageFields.grpcStatus(RequestProtocol.HTTP, r, "0"))
        .isEqualTo(RequestRecord.NO_GRPC_STATUS);
  }
}
