package io.meshagent.core.internal.telemetry.metrics;

import static io.meshagent.core.internal.telemetry.metrics.Bookinfo.PRODUCTPAGE;
import static io.meshagent.core.internal.telemetry.metrics.Bookinfo.REVIEWS;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshagent.core.internal.telemetry.WorkloadMetadata;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Istio's label fallbacks (istio_stats.cc populatePeerInfo), as a table of cases. */
class IstioLabelsTest {

  private static Attributes labels(
      Reporter reporter,
      WorkloadMetadata source,
      WorkloadMetadata destination,
      DestinationService service) {
    return IstioLabels.request(
        new RequestRecord(
            reporter,
            source,
            destination,
            service,
            RequestProtocol.HTTP,
            0,
            -1,
            "",
            SecurityPolicy.NONE,
            0,
            0,
            0));
  }

  private static String get(Attributes a, AttributeKey<String> key) {
    return a.get(key);
  }

  @Test
  void unknownPeersAreUnknownAndTheirRevisionLatest() {
    Attributes a =
        labels(Reporter.DESTINATION, WorkloadMetadata.UNKNOWN, REVIEWS, DestinationService.UNKNOWN);
    assertThat(get(a, IstioLabels.SOURCE_WORKLOAD)).isEqualTo("unknown");
    assertThat(get(a, IstioLabels.SOURCE_PRINCIPAL)).isEqualTo("unknown");
    assertThat(get(a, IstioLabels.SOURCE_WORKLOAD_NAMESPACE)).isEqualTo("unknown");
    assertThat(get(a, IstioLabels.SOURCE_CANONICAL_REVISION)).isEqualTo("latest");
    assertThat(get(a, IstioLabels.RESPONSE_CODE)).isEqualTo("0");
    assertThat(get(a, IstioLabels.RESPONSE_FLAGS)).isEqualTo("-");
    assertThat(get(a, IstioLabels.GRPC_RESPONSE_STATUS)).isEmpty();
    assertThat(get(a, IstioLabels.CONNECTION_SECURITY_POLICY)).isEqualTo("none");
    assertThat(a.size()).isEqualTo(IstioLabels.ORDER.size());
  }

  @Test
  void anInboundRequestWithoutServiceIsLabelledWithTheLocalCanonicalService() {
    Attributes a = labels(Reporter.DESTINATION, PRODUCTPAGE, REVIEWS, DestinationService.UNKNOWN);
    assertThat(get(a, IstioLabels.DESTINATION_SERVICE)).isEqualTo("reviews");
    assertThat(get(a, IstioLabels.DESTINATION_SERVICE_NAME)).isEqualTo("reviews");
    assertThat(get(a, IstioLabels.DESTINATION_SERVICE_NAMESPACE)).isEqualTo("bookinfo");
  }

  @Test
  void grpcStatusLabelsNoneAsEmptyAndAnInvalidOneAsMinusOne() {
    for (int[] c :
        new int[][] {
          {RequestRecord.NO_GRPC_STATUS, 0}, {RequestRecord.INVALID_GRPC_STATUS, 1}, {14, 2}
        }) {
      Attributes a =
          IstioLabels.request(
              new RequestRecord(
                  Reporter.SOURCE,
                  PRODUCTPAGE,
                  REVIEWS,
                  DestinationService.UNKNOWN,
                  RequestProtocol.GRPC,
                  200,
                  c[0],
                  "",
                  SecurityPolicy.UNKNOWN,
                  0,
                  0,
                  0));
      assertThat(get(a, IstioLabels.GRPC_RESPONSE_STATUS))
          .isEqualTo(List.of("", "-1", "14").get(c[1]));
    }
  }

  @Test
  void theServerSideLabelsItsOwnNamespaceWhateverTheServices() {
    DestinationService elsewhere = new DestinationService("reviews.other.svc", "reviews", "other");
    Attributes inbound = labels(Reporter.DESTINATION, PRODUCTPAGE, REVIEWS, elsewhere);
    Attributes outbound = labels(Reporter.SOURCE, PRODUCTPAGE, REVIEWS, elsewhere);
    assertThat(get(inbound, IstioLabels.DESTINATION_SERVICE_NAMESPACE)).isEqualTo("bookinfo");
    assertThat(get(outbound, IstioLabels.DESTINATION_SERVICE_NAMESPACE)).isEqualTo("other");
  }

  @Test
  void anOutboundRequestWithoutServiceStaysUnknownButTakesThePeersNamespace() {
    Attributes a = labels(Reporter.SOURCE, PRODUCTPAGE, REVIEWS, DestinationService.UNKNOWN);
    assertThat(get(a, IstioLabels.DESTINATION_SERVICE)).isEqualTo("unknown");
    assertThat(get(a, IstioLabels.DESTINATION_SERVICE_NAME)).isEqualTo("unknown");
    assertThat(get(a, IstioLabels.DESTINATION_SERVICE_NAMESPACE)).isEqualTo("bookinfo");
  }

  @Test
  void theCertificatesNamespaceOutranksTheClaimedOne() {
    WorkloadMetadata liar =
        PRODUCTPAGE.toBuilder()
            .namespace("prod")
            .principal("spiffe://cluster.local/ns/bookinfo/sa/bookinfo-productpage")
            .build();
    Attributes a = labels(Reporter.DESTINATION, liar, REVIEWS, DestinationService.UNKNOWN);
    assertThat(get(a, IstioLabels.SOURCE_WORKLOAD_NAMESPACE)).isEqualTo("bookinfo");
  }

  @Test
  void hostsOutsideKubernetesAreTheirOwnServiceName() {
    assertThat(DestinationService.ofHost("reviews.bookinfo.svc.cluster.local"))
        .isEqualTo(
            new DestinationService("reviews.bookinfo.svc.cluster.local", "reviews", "bookinfo"));
    assertThat(DestinationService.ofHost("api.example.com"))
        .isEqualTo(new DestinationService("api.example.com", "api.example.com", ""));
  }

  @Test
  void theOrderIsIstios() {
    assertThat(IstioLabels.ORDER.get(0)).isEqualTo("reporter");
    assertThat(IstioLabels.ORDER.subList(1, 4))
        .containsExactly(
            "source_workload", "source_canonical_service", "source_canonical_revision");
    assertThat(IstioLabels.ORDER.subList(20, 25))
        .containsExactly(
            "request_protocol",
            "response_code",
            "grpc_response_status",
            "response_flags",
            "connection_security_policy");
  }
}
