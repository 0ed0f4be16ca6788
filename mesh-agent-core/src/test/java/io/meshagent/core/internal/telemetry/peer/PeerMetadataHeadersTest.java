package io.meshagent.core.internal.telemetry.peer;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.meshagent.core.internal.telemetry.WorkloadMetadata;
import io.meshagent.core.internal.telemetry.WorkloadType;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** x-envoy-peer-metadata: what Istio's sidecars send and what they read back. */
class PeerMetadataHeadersTest {

  /**
   * A sidecar's whole flattened node (bookinfo reviews-v2, Istio 1.22 style), encoded by protoc's
   * C++ runtime from a text proto, not by this code: keys the agent does not read (ANNOTATIONS,
   * PLATFORM_METADATA, a number value) are skipped.
   */
  static final String SIDECAR_REVIEWS_V2 =
      "CqYBCgtBTk5PVEFUSU9OUxKWASqTAQo0CidrdWJlY3RsLmt1YmVybmV0ZXMuaW8vZGVmYXVsdC1jb250YWluZXIS"
          + "CRoHcmV2aWV3cwpbChdzaWRlY2FyLmlzdGlvLmlvL3N0YXR1cxJAGj57ImluaXRDb250YWluZXJzIjpbImlzdGlv"
          + "LWluaXQiXSwiY29udGFpbmVycyI6WyJpc3Rpby1wcm94eSJdfQobCg5BUFBfQ09OVEFJTkVSUxIJGgdyZXZpZXdz"
          + "ChoKCkNMVVNURVJfSUQSDBoKS3ViZXJuZXRlcwoiChVFTlZPWV9QUk9NRVRIRVVTX1BPUlQSCREAAAAAAHnNQAod"
          + "CgxJTlNUQU5DRV9JUFMSDRoLMTAuMjQ0LjEuMTcKHwoRSU5URVJDRVBUSU9OX01PREUSChoIUkVESVJFQ1QKGQoN"
          + "SVNUSU9fVkVSU0lPThIIGgYxLjIyLjMK1QEKBkxBQkVMUxLKASrHAQoQCgNhcHASCRoHcmV2aWV3cwohChFwb2Qt"
          + "dGVtcGxhdGUtaGFzaBIMGgo3ZDhiNmI3YzlmCiQKGXNlY3VyaXR5LmlzdGlvLmlvL3Rsc01vZGUSBxoFaXN0aW8K"
          + "LAofc2VydmljZS5pc3Rpby5pby9jYW5vbmljYWwtbmFtZRIJGgdyZXZpZXdzCisKI3NlcnZpY2UuaXN0aW8uaW8v"
          + "Y2Fub25pY2FsLXJldmlzaW9uEgQaAnYyCg8KB3ZlcnNpb24SBBoCdjIKGgoHTUVTSF9JRBIPGg1jbHVzdGVyLmxv"
          + "Y2FsCiUKBE5BTUUSHRobcmV2aWV3cy12Mi03ZDhiNmI3YzlmLXg1djJxChcKCU5BTUVTUEFDRRIKGghib29raW5m"
          + "bwoaCglOT0RFX05BTUUSDRoLa2luZC13b3JrZXIKTwoFT1dORVISRhpEa3ViZXJuZXRlczovL2FwaXMvYXBwcy92"
          + "MS9uYW1lc3BhY2VzL2Jvb2tpbmZvL2RlcGxveW1lbnRzL3Jldmlld3MtdjIKFwoRUExBVEZPUk1fTUVUQURBVEES"
          + "AioACjgKCVBPRF9QT1JUUxIrGilbeyJjb250YWluZXJQb3J0Ijo5MDgwLCJwcm90b2NvbCI6IlRDUCJ9XQolCg9T"
          + "RVJWSUNFX0FDQ09VTlQSEhoQYm9va2luZm8tcmV2aWV3cwodCg1XT1JLTE9BRF9OQU1FEgwaCnJldmlld3MtdjI=";

  static final WorkloadMetadata REVIEWS_V2 =
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
          .build();

  @Test
  void decodesASidecarsFlattenedNode() {
    assertThat(PeerMetadataHeaders.decode(SIDECAR_REVIEWS_V2)).isEqualTo(REVIEWS_V2);
  }

  @Test
  void decodesWithoutPadding() {
    String unpadded = SIDECAR_REVIEWS_V2.replace("=", "");
    assertThat(unpadded).isNotEqualTo(SIDECAR_REVIEWS_V2);
    assertThat(PeerMetadataHeaders.decode(unpadded)).isEqualTo(REVIEWS_V2);
  }

  @Test
  void roundTripsEveryField() {
    WorkloadMetadata all =
        REVIEWS_V2.toBuilder()
            .principal("spiffe://cluster.local/ns/bookinfo/sa/bookinfo-reviews")
            .region("us-east1")
            .zone("us-east1-b")
            .build();
    assertThat(PeerMetadataHeaders.decode(PeerMetadataHeaders.encode(all))).isEqualTo(all);
    assertThat(PeerMetadataHeaders.decode(PeerMetadataHeaders.encode(WorkloadMetadata.UNKNOWN)))
        .isEqualTo(WorkloadMetadata.UNKNOWN);
  }

  /**
   * The exact bytes: Istio's key set (NAME, NAMESPACE, WORKLOAD_NAME, CLUSTER_ID, LABELS with the
   * four labels it keeps, OWNER) in deterministic order, checked once with {@code protoc --decode}.
   */
  @Test
  void encodesIstiosKeysDeterministically() {
    String encoded = PeerMetadataHeaders.encode(REVIEWS_V2);
    assertThat(encoded).isEqualTo(PeerMetadataHeaders.encode(REVIEWS_V2.toBuilder().build()));
    assertThat(encoded).isEqualTo(EXPECTED_REVIEWS_V2);
  }

  static final String EXPECTED_REVIEWS_V2 =
      "ChoKCkNMVVNURVJfSUQSDBoKS3ViZXJuZXRlcwqLAQoGTEFCRUxTEoABKn4KEAoDYXBwEgkaB3Jldmlld3MKLAof"
          + "c2VydmljZS5pc3Rpby5pby9jYW5vbmljYWwtbmFtZRIJGgdyZXZpZXdzCisKI3NlcnZpY2UuaXN0aW8uaW8vY2Fu"
          + "b25pY2FsLXJldmlzaW9uEgQaAnYyCg8KB3ZlcnNpb24SBBoCdjIKJQoETkFNRRIdGhtyZXZpZXdzLXYyLTdkOGI2"
          + "YjdjOWYteDV2MnEKFwoJTkFNRVNQQUNFEgoaCGJvb2tpbmZvCk8KBU9XTkVSEkYaRGt1YmVybmV0ZXM6Ly9hcGlz"
          + "L2FwcHMvdjEvbmFtZXNwYWNlcy9ib29raW5mby9kZXBsb3ltZW50cy9yZXZpZXdzLXYyCh0KDVdPUktMT0FEX05B"
          + "TUUSDBoKcmV2aWV3cy12Mg==";

  @Test
  void theLabelsStructIsSentEvenWhenEmpty() throws Exception {
    Struct s =
        Struct.parseFrom(
            Base64.getDecoder().decode(PeerMetadataHeaders.encode(WorkloadMetadata.UNKNOWN)));
    assertThat(s.getFieldsMap()).containsOnlyKeys("LABELS");
    assertThat(s.getFieldsOrThrow("LABELS").getStructValue().getFieldsCount()).isZero();
  }

  @Test
  void unreadableValuesMeanAnUnknownPeer() {
    assertThat(PeerMetadataHeaders.decode("")).isNull();
    assertThat(PeerMetadataHeaders.decode("not base64 at all!")).isNull();
    // Valid base64 of bytes that are not a Struct (a truncated length-delimited field).
    assertThat(
            PeerMetadataHeaders.decode(Base64.getEncoder().encodeToString(new byte[] {0x0a, 0x7f})))
        .isNull();
  }

  @Test
  void theQualifiedAppLabelsWin() {
    WorkloadMetadata m =
        MetadataStruct.fromStruct(
            Struct.newBuilder()
                .putFields(
                    "LABELS",
                    Value.newBuilder()
                        .setStructValue(
                            Struct.newBuilder()
                                .putFields("app", str("plain"))
                                .putFields("app.kubernetes.io/name", str("qualified"))
                                .putFields("version", str("v1"))
                                .putFields("app.kubernetes.io/version", str("1.0.0")))
                        .build())
                .build(),
            null);
    assertThat(m.app()).isEqualTo("qualified");
    assertThat(m.version()).isEqualTo("1.0.0");
  }

  @Test
  void theOwnerNamesTheWorkloadKind() {
    String ns = "kubernetes://apis/apps/v1/namespaces/ns/";
    assertThat(MetadataStruct.ownerType(ns + "deployments/web", "web"))
        .isEqualTo(WorkloadType.DEPLOYMENT);
    assertThat(MetadataStruct.ownerType(ns + "cronjobs/nightly", "nightly"))
        .isEqualTo(WorkloadType.CRONJOB);
    assertThat(MetadataStruct.ownerType(ns + "statefulsets/db", "db"))
        .isEqualTo(WorkloadType.UNKNOWN);
    assertThat(MetadataStruct.ownerType("", "web")).isEqualTo(WorkloadType.UNKNOWN);
  }

  private static Value str(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }
}
