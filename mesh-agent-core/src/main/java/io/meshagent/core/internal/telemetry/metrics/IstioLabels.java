package io.meshagent.core.internal.telemetry.metrics;

import static io.opentelemetry.api.common.AttributeKey.stringKey;

import io.meshagent.core.internal.telemetry.WorkloadMetadata;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import java.util.List;

/**
 * The labels of Istio's standard metrics, in the order Istio's stats filter emits them (istio/proxy
 * {@code source/extensions/filters/http/istio_stats/istio_stats.cc}), with its fallbacks: an empty
 * value is {@code unknown}, an empty canonical revision {@code latest}.
 */
final class IstioLabels {
  static final AttributeKey<String> REPORTER = stringKey("reporter");
  static final AttributeKey<String> SOURCE_WORKLOAD = stringKey("source_workload");
  static final AttributeKey<String> SOURCE_CANONICAL_SERVICE =
      stringKey("source_canonical_service");
  static final AttributeKey<String> SOURCE_CANONICAL_REVISION =
      stringKey("source_canonical_revision");
  static final AttributeKey<String> SOURCE_WORKLOAD_NAMESPACE =
      stringKey("source_workload_namespace");
  static final AttributeKey<String> SOURCE_PRINCIPAL = stringKey("source_principal");
  static final AttributeKey<String> SOURCE_APP = stringKey("source_app");
  static final AttributeKey<String> SOURCE_VERSION = stringKey("source_version");
  static final AttributeKey<String> SOURCE_CLUSTER = stringKey("source_cluster");
  static final AttributeKey<String> DESTINATION_WORKLOAD = stringKey("destination_workload");
  static final AttributeKey<String> DESTINATION_WORKLOAD_NAMESPACE =
      stringKey("destination_workload_namespace");
  static final AttributeKey<String> DESTINATION_PRINCIPAL = stringKey("destination_principal");
  static final AttributeKey<String> DESTINATION_APP = stringKey("destination_app");
  static final AttributeKey<String> DESTINATION_VERSION = stringKey("destination_version");
  static final AttributeKey<String> DESTINATION_SERVICE = stringKey("destination_service");
  static final AttributeKey<String> DESTINATION_CANONICAL_SERVICE =
      stringKey("destination_canonical_service");
  static final AttributeKey<String> DESTINATION_CANONICAL_REVISION =
      stringKey("destination_canonical_revision");
  static final AttributeKey<String> DESTINATION_SERVICE_NAME =
      stringKey("destination_service_name");
  static final AttributeKey<String> DESTINATION_SERVICE_NAMESPACE =
      stringKey("destination_service_namespace");
  static final AttributeKey<String> DESTINATION_CLUSTER = stringKey("destination_cluster");
  static final AttributeKey<String> REQUEST_PROTOCOL = stringKey("request_protocol");
  static final AttributeKey<String> RESPONSE_CODE = stringKey("response_code");
  static final AttributeKey<String> GRPC_RESPONSE_STATUS = stringKey("grpc_response_status");
  static final AttributeKey<String> RESPONSE_FLAGS = stringKey("response_flags");
  static final AttributeKey<String> CONNECTION_SECURITY_POLICY =
      stringKey("connection_security_policy");

  /**
   * Every label in emission order. The TCP metrics carry the same labels minus {@code
   * response_code} and {@code grpc_response_status}, in the same relative order.
   */
  static final List<String> ORDER =
      List.of(
              REPORTER,
              SOURCE_WORKLOAD,
              SOURCE_CANONICAL_SERVICE,
              SOURCE_CANONICAL_REVISION,
              SOURCE_WORKLOAD_NAMESPACE,
              SOURCE_PRINCIPAL,
              SOURCE_APP,
              SOURCE_VERSION,
              SOURCE_CLUSTER,
              DESTINATION_WORKLOAD,
              DESTINATION_WORKLOAD_NAMESPACE,
              DESTINATION_PRINCIPAL,
              DESTINATION_APP,
              DESTINATION_VERSION,
              DESTINATION_SERVICE,
              DESTINATION_CANONICAL_SERVICE,
              DESTINATION_CANONICAL_REVISION,
              DESTINATION_SERVICE_NAME,
              DESTINATION_SERVICE_NAMESPACE,
              DESTINATION_CLUSTER,
              REQUEST_PROTOCOL,
              RESPONSE_CODE,
              GRPC_RESPONSE_STATUS,
              RESPONSE_FLAGS,
              CONNECTION_SECURITY_POLICY)
          .stream()
          .map(AttributeKey::getKey)
          .toList();

  private static final String UNKNOWN = "unknown";
  private static final String LATEST = "latest";
  private static final String NAMESPACE_SEGMENT = "/ns/";

  private IstioLabels() {}

  static Attributes request(RequestRecord r) {
    AttributesBuilder b = Attributes.builder();
    peers(b, r.reporter(), r.source(), r.destination(), r.service());
    b.put(REQUEST_PROTOCOL, r.protocol().label());
    b.put(RESPONSE_CODE, Integer.toString(r.responseCode()));
    // Istio emits the label on every request, empty unless gRPC gave a status.
    b.put(
        GRPC_RESPONSE_STATUS,
        switch (r.grpcStatus()) {
          case RequestRecord.NO_GRPC_STATUS -> "";
          case RequestRecord.INVALID_GRPC_STATUS -> "-1";
          default -> Integer.toString(r.grpcStatus());
        });
    b.put(RESPONSE_FLAGS, flags(r.responseFlags()));
    b.put(CONNECTION_SECURITY_POLICY, r.securityPolicy().label());
    return b.build();
  }

  static Attributes connection(ConnectionRecord c) {
    AttributesBuilder b = Attributes.builder();
    peers(b, c.reporter(), c.source(), c.destination(), c.service());
    b.put(REQUEST_PROTOCOL, "tcp");
    b.put(RESPONSE_FLAGS, flags(c.responseFlags()));
    b.put(CONNECTION_SECURITY_POLICY, c.securityPolicy().label());
    return b.build();
  }

  private static void peers(
      AttributesBuilder b,
      Reporter reporter,
      WorkloadMetadata src,
      WorkloadMetadata dst,
      DestinationService service) {
    b.put(REPORTER, reporter.label());
    b.put(SOURCE_WORKLOAD, or(src.workload(), UNKNOWN));
    b.put(SOURCE_CANONICAL_SERVICE, or(src.canonicalService(), UNKNOWN));
    b.put(SOURCE_CANONICAL_REVISION, or(src.canonicalRevision(), LATEST));
    b.put(SOURCE_WORKLOAD_NAMESPACE, or(namespace(src), UNKNOWN));
    b.put(SOURCE_PRINCIPAL, or(src.principal(), UNKNOWN));
    b.put(SOURCE_APP, or(src.app(), UNKNOWN));
    b.put(SOURCE_VERSION, or(src.version(), UNKNOWN));
    b.put(SOURCE_CLUSTER, or(src.cluster(), UNKNOWN));
    b.put(DESTINATION_WORKLOAD, or(dst.workload(), UNKNOWN));
    b.put(DESTINATION_WORKLOAD_NAMESPACE, or(namespace(dst), UNKNOWN));
    b.put(DESTINATION_PRINCIPAL, or(dst.principal(), UNKNOWN));
    b.put(DESTINATION_APP, or(dst.app(), UNKNOWN));
    b.put(DESTINATION_VERSION, or(dst.version(), UNKNOWN));
    // An inbound request without a known service is labelled with the local canonical service,
    // as Istio's server side does; an outbound one stays unknown.
    String serviceFallback = reporter == Reporter.DESTINATION ? dst.canonicalService() : "";
    b.put(DESTINATION_SERVICE, or(or(service.host(), serviceFallback), UNKNOWN));
    b.put(DESTINATION_CANONICAL_SERVICE, or(dst.canonicalService(), UNKNOWN));
    b.put(DESTINATION_CANONICAL_REVISION, or(dst.canonicalRevision(), LATEST));
    b.put(DESTINATION_SERVICE_NAME, or(or(service.name(), serviceFallback), UNKNOWN));
    // The server side labels its own namespace; the client side the service's, else the peer's.
    b.put(
        DESTINATION_SERVICE_NAMESPACE,
        reporter == Reporter.DESTINATION
            ? or(dst.namespace(), UNKNOWN)
            : or(or(service.namespace(), namespace(dst)), UNKNOWN));
    b.put(DESTINATION_CLUSTER, or(dst.cluster(), UNKNOWN));
  }

  /**
   * The namespace in the principal ({@code .../ns/<ns>/sa/...}) outranks the claimed one: Istio
   * takes the peer's namespace from its certificate when there is one.
   */
  private static String namespace(WorkloadMetadata w) {
    String p = w.principal();
    int at = p.indexOf(NAMESPACE_SEGMENT);
    if (at >= 0) {
      int start = at + NAMESPACE_SEGMENT.length();
      int end = p.indexOf('/', start);
      String ns = end < 0 ? p.substring(start) : p.substring(start, end);
      if (!ns.isEmpty()) {
        return ns;
      }
    }
    return w.namespace();
  }

  /** Envoy's short form of no flags is {@code -}. */
  private static String flags(String flags) {
    return flags.isEmpty() ? "-" : flags;
  }

  private static String or(String value, String fallback) {
    return value.isEmpty() ? fallback : value;
  }
}
