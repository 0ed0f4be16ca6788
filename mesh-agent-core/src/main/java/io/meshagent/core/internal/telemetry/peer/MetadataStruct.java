package io.meshagent.core.internal.telemetry.peer;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.meshagent.core.internal.telemetry.WorkloadMetadata;
import io.meshagent.core.internal.telemetry.WorkloadType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * {@link WorkloadMetadata} as the {@code google.protobuf.Struct} of node-metadata keys Istio's
 * proxy exchanges (istio/proxy {@code extensions/common/metadata_object.cc}, {@code
 * convertWorkloadMetadataToStruct} / {@code convertStructToWorkloadMetadata}). Reading also accepts
 * an older proxy's whole flattened node, whose keys are the same.
 */
final class MetadataStruct {
  static final String NAME = "NAME";
  static final String NAMESPACE = "NAMESPACE";
  static final String CLUSTER_ID = "CLUSTER_ID";
  static final String IDENTITY = "IDENTITY";
  static final String OWNER = "OWNER";
  static final String WORKLOAD_NAME = "WORKLOAD_NAME";
  static final String LABELS = "LABELS";
  static final String REGION = "REGION";
  static final String ZONE = "AVAILABILITY_ZONE";

  static final String CANONICAL_NAME_LABEL = "service.istio.io/canonical-name";
  static final String CANONICAL_REVISION_LABEL = "service.istio.io/canonical-revision";
  static final String APP_LABEL = "app";
  static final String APP_QUALIFIED_LABEL = "app.kubernetes.io/name";
  static final String VERSION_LABEL = "version";
  static final String VERSION_QUALIFIED_LABEL = "app.kubernetes.io/version";

  private static final String OWNER_PREFIX = "kubernetes://apis/apps/v1/namespaces/";

  private MetadataStruct() {}

  /**
   * {@code m} serialized deterministically (map keys sorted), so one workload always sends the same
   * bytes.
   */
  static byte[] deterministic(MessageLite m) {
    byte[] bytes = new byte[m.getSerializedSize()];
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.useDeterministicSerialization();
    try {
      m.writeTo(out);
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException("serializing peer metadata into an exact-size array", e);
    }
    return bytes;
  }

  static Struct toStruct(WorkloadMetadata m) {
    Struct.Builder s = Struct.newBuilder();
    put(s, NAME, m.name());
    put(s, NAMESPACE, m.namespace());
    put(s, WORKLOAD_NAME, m.workload());
    put(s, CLUSTER_ID, m.cluster());
    put(s, IDENTITY, m.principal());
    // Istio always sends LABELS, empty or not, and only these four of them.
    Struct.Builder labels = Struct.newBuilder();
    put(labels, CANONICAL_NAME_LABEL, m.canonicalService());
    put(labels, CANONICAL_REVISION_LABEL, m.canonicalRevision());
    put(labels, APP_LABEL, m.app());
    put(labels, VERSION_LABEL, m.version());
    s.putFields(LABELS, Value.newBuilder().setStructValue(labels).build());
    @Nullable String suffix = m.workloadType().suffix();
    if (suffix != null) {
      put(s, OWNER, OWNER_PREFIX + m.namespace() + "/" + suffix + "s/" + m.workload());
    }
    put(s, REGION, m.region());
    put(s, ZONE, m.zone());
    return s.build();
  }

  /**
   * Reads Istio's keys; others are ignored, as are non-string values. {@code locality} fills the
   * region and zone when the struct has none (a node carries them in its locality instead).
   */
  static WorkloadMetadata fromStruct(Struct s, @Nullable Locality locality) {
    Map<String, Value> f = s.getFieldsMap();
    Map<String, Value> labels = field(f, LABELS).getStructValue().getFieldsMap();
    String workload = string(f, WORKLOAD_NAME);
    String region = string(f, REGION);
    String zone = string(f, ZONE);
    if (locality != null) {
      region = region.isEmpty() ? locality.getRegion() : region;
      zone = zone.isEmpty() ? locality.getZone() : zone;
    }
    return WorkloadMetadata.builder()
        .name(string(f, NAME))
        .namespace(string(f, NAMESPACE))
        .workload(workload)
        .workloadType(ownerType(string(f, OWNER), workload))
        .canonicalService(string(labels, CANONICAL_NAME_LABEL))
        .canonicalRevision(string(labels, CANONICAL_REVISION_LABEL))
        // The recommended app.kubernetes.io labels win over the plain ones.
        .app(first(string(labels, APP_QUALIFIED_LABEL), string(labels, APP_LABEL)))
        .version(first(string(labels, VERSION_QUALIFIED_LABEL), string(labels, VERSION_LABEL)))
        .cluster(string(f, CLUSTER_ID))
        .principal(string(f, IDENTITY))
        .region(region)
        .zone(zone)
        .build();
  }

  /**
   * The kind in {@code kubernetes://apis/apps/v1/namespaces/<ns>/<kind>s/<workload>}, read as Istio
   * does: strip {@code s/<workload>}, take the last path segment.
   */
  static WorkloadType ownerType(String owner, String workload) {
    int end = owner.length() - workload.length() - 2;
    if (end <= 0) {
      return WorkloadType.UNKNOWN;
    }
    int slash = owner.lastIndexOf('/', end - 1);
    return slash < 0
        ? WorkloadType.UNKNOWN
        : WorkloadType.fromSuffix(owner.substring(slash + 1, end));
  }

  static String string(Map<String, Value> fields, String key) {
    return field(fields, key).getStringValue();
  }

  private static Value field(Map<String, Value> fields, String key) {
    return fields.getOrDefault(key, Value.getDefaultInstance());
  }

  private static String first(String preferred, String fallback) {
    return preferred.isEmpty() ? fallback : preferred;
  }

  private static void put(Struct.Builder s, String key, String value) {
    if (!value.isEmpty()) {
      s.putFields(key, Value.newBuilder().setStringValue(value).build());
    }
  }
}
