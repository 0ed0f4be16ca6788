package io.meshagent.core.internal.telemetry.metrics;

import io.meshagent.core.internal.telemetry.WorkloadMetadata;
import io.meshagent.core.internal.telemetry.WorkloadType;

/** Bookinfo's productpage calling reviews: the workloads the metrics tests label. */
final class Bookinfo {
  static final WorkloadMetadata PRODUCTPAGE =
      WorkloadMetadata.builder()
          .name("productpage-v1-6b746f74dc-9stvs")
          .namespace("bookinfo")
          .workload("productpage-v1")
          .workloadType(WorkloadType.DEPLOYMENT)
          .canonicalService("productpage")
          .canonicalRevision("v1")
          .app("productpage")
          .version("v1")
          .cluster("Kubernetes")
          .principal("spiffe://cluster.local/ns/bookinfo/sa/bookinfo-productpage")
          .build();

  static final WorkloadMetadata REVIEWS =
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
          .build();

  static final DestinationService REVIEWS_SERVICE =
      DestinationService.ofHost("reviews.bookinfo.svc.cluster.local");

  /** An inbound request to reviews, as reviews' agent reports it. */
  static RequestRecord inbound(
      int code, long durationNanos, long requestBytes, long responseBytes) {
    return new RequestRecord(
        Reporter.DESTINATION,
        PRODUCTPAGE,
        REVIEWS,
        REVIEWS_SERVICE,
        RequestProtocol.HTTP,
        code,
        -1,
        "-",
        SecurityPolicy.MUTUAL_TLS,
        durationNanos,
        requestBytes,
        responseBytes);
  }

  private Bookinfo() {}
}
