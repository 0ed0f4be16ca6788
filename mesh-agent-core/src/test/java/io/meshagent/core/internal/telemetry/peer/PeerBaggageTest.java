package io.meshagent.core.internal.telemetry.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshagent.core.internal.telemetry.WorkloadMetadata;
import io.meshagent.core.internal.telemetry.WorkloadType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** W3C baggage as ztunnel, waypoints and ambient-aware sidecars exchange it. */
class PeerBaggageTest {

  @Test
  void decodesWhatZtunnelSends() {
    // istio/ztunnel baggage_header_val: cluster, namespace, workload, service name and version.
    WorkloadMetadata m =
        PeerBaggage.decode(
            "k8s.cluster.name=K1,k8s.namespace.name=NS1,k8s.deployment.name=N1,"
                + "service.name=N2,service.version=V1");
    assertThat(m)
        .isEqualTo(
            WorkloadMetadata.builder()
                .cluster("K1")
                .namespace("NS1")
                .workload("N1")
                .workloadType(WorkloadType.DEPLOYMENT)
                .canonicalService("N2")
                .app("N2")
                .canonicalRevision("V1")
                .version("V1")
                .build());
  }

  @Test
  void encodesInIstioProxysOrder() {
    WorkloadMetadata m =
        WorkloadMetadata.builder()
            .name("reviews-v2-7d8b6b7c9f-x5v2q")
            .namespace("bookinfo")
            .workload("reviews-v2")
            .workloadType(WorkloadType.DEPLOYMENT)
            .canonicalService("reviews")
            .canonicalRevision("v2")
            .app("reviews")
            .version("v2")
            .cluster("Kubernetes")
            .principal("spiffe://cluster.local/ns/bookinfo/sa/bookinfo-reviews")
            .region("us-east1")
            .zone("us-east1-b")
            .build();
    assertThat(PeerBaggage.encode(m))
        .isEqualTo(
            "k8s.deployment.name=reviews-v2,service.name=reviews,service.version=v2,"
                + "k8s.namespace.name=bookinfo,k8s.cluster.name=Kubernetes,"
                + "k8s.instance.name=reviews-v2-7d8b6b7c9f-x5v2q,cloud.region=us-east1,"
                + "cloud.availability_zone=us-east1-b");
    // The identity never travels in baggage: the peer's certificate says it.
    assertThat(PeerBaggage.decode(PeerBaggage.encode(m)))
        .isEqualTo(m.toBuilder().principal("").build());
  }

  @Test
  void appNameAndVersionTravelOnlyWhenTheyDiffer() {
    WorkloadMetadata m =
        WorkloadMetadata.builder()
            .workload("web")
            .canonicalService("storefront")
            .app("web-app")
            .canonicalRevision("2024.1")
            .version("2024.1")
            .build();
    String baggage = PeerBaggage.encode(m);
    assertThat(baggage)
        .isEqualTo(
            "k8s.pod.name=web,service.name=storefront,app.name=web-app,service.version=2024.1");
    assertThat(PeerBaggage.decode(baggage))
        .isEqualTo(m.toBuilder().workloadType(WorkloadType.POD).build());
  }

  @Test
  void eitherOfServiceAndAppNameStandsInForTheOther() {
    WorkloadMetadata onlyApp = PeerBaggage.decode("app.name=a,app.version=1");
    assertThat(onlyApp.canonicalService()).isEqualTo("a");
    assertThat(onlyApp.canonicalRevision()).isEqualTo("1");
    WorkloadMetadata both = PeerBaggage.decode("app.name=a,service.name=s");
    assertThat(both.app()).isEqualTo("a");
    assertThat(both.canonicalService()).isEqualTo("s");
  }

  @Test
  void readsSeveralHeadersPropertiesAndWhitespace() {
    WorkloadMetadata m =
        PeerBaggage.decode(
            List.of(
                "k8s.namespace.name = default ; ttl=3, other.key=x",
                "k8s.cronjob.name=nightly,k8s.namespace.name=prod"));
    assertThat(m.namespace()).isEqualTo("prod"); // the last value of a repeated key
    assertThat(m.workload()).isEqualTo("nightly");
    assertThat(m.workloadType()).isEqualTo(WorkloadType.CRONJOB);
  }

  @Test
  void emptyOrUnknownEntriesLeaveFieldsUnknown() {
    assertThat(PeerBaggage.decode("")).isEqualTo(WorkloadMetadata.UNKNOWN);
    assertThat(PeerBaggage.decode("k8s.cluster.name=,foo=bar,novalue"))
        .isEqualTo(WorkloadMetadata.UNKNOWN);
    assertThat(PeerBaggage.encode(WorkloadMetadata.UNKNOWN)).isEmpty();
  }

  @Test
  void valuesOutsideBaggageOctetsArePercentEncoded() {
    WorkloadMetadata m =
        WorkloadMetadata.builder().canonicalService("a b,c;d%e\"é").workload("w").build();
    String baggage = PeerBaggage.encode(m);
    assertThat(baggage).isEqualTo("k8s.pod.name=w,service.name=a%20b%2Cc%3Bd%25e%22%C3%A9");
    assertThat(PeerBaggage.decode(baggage).canonicalService()).isEqualTo("a b,c;d%e\"é");
  }
}
