package io.meshagent.core.internal.telemetry.peer;

import static java.util.Objects.requireNonNull;

import io.meshagent.core.internal.telemetry.WorkloadMetadata;
import io.meshagent.core.internal.telemetry.WorkloadType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.jspecify.annotations.Nullable;

/**
 * Workload metadata as W3C {@code baggage}, the way ambient mode carries it on HBONE CONNECTs
 * between ztunnel, waypoints and sidecars (istio/proxy {@code metadata_object.cc} {@code baggage()}
 * and {@code convertBaggageToWorkloadMetadata}; istio/ztunnel {@code src/baggage.rs}). Keys are
 * OpenTelemetry resource attributes: {@code k8s.cluster.name}, {@code k8s.namespace.name}, {@code
 * k8s.<kind>.name} (deployment, pod, job, cronjob), {@code k8s.instance.name}, {@code service.name}
 * and {@code service.version} (canonical service and revision), {@code app.name} and {@code
 * app.version} when they differ from those, {@code cloud.region}, {@code cloud.availability_zone}.
 */
public final class PeerBaggage {
  /** The header. */
  public static final String HEADER = "baggage";

  static final String CLUSTER = "k8s.cluster.name";
  static final String NAMESPACE = "k8s.namespace.name";
  static final String INSTANCE = "k8s.instance.name";
  static final String SERVICE_NAME = "service.name";
  static final String SERVICE_VERSION = "service.version";
  static final String APP_NAME = "app.name";
  static final String APP_VERSION = "app.version";
  static final String REGION = "cloud.region";
  static final String ZONE = "cloud.availability_zone";

  private static final List<WorkloadType> WORKLOAD_KINDS =
      List.of(WorkloadType.DEPLOYMENT, WorkloadType.POD, WorkloadType.CRONJOB, WorkloadType.JOB);

  private PeerBaggage() {}

  /** The {@code baggage} value for {@code workload}, in the order Istio's proxy writes it. */
  public static String encode(WorkloadMetadata workload) {
    requireNonNull(workload, "workload");
    StringJoiner out = new StringJoiner(",");
    // A workload of unknown kind is sent as a pod, as Istio does.
    @Nullable String kind = workload.workloadType().suffix();
    add(out, "k8s." + (kind != null ? kind : "pod") + ".name", workload.workload());
    add(out, SERVICE_NAME, workload.canonicalService());
    if (!workload.app().equals(workload.canonicalService())) {
      add(out, APP_NAME, workload.app());
    }
    add(out, SERVICE_VERSION, workload.canonicalRevision());
    if (!workload.version().equals(workload.canonicalRevision())) {
      add(out, APP_VERSION, workload.version());
    }
    add(out, NAMESPACE, workload.namespace());
    add(out, CLUSTER, workload.cluster());
    add(out, INSTANCE, workload.name());
    add(out, REGION, workload.region());
    add(out, ZONE, workload.zone());
    return out.toString();
  }

  /**
   * The workload described by {@code baggage} header values (several headers are one list). Unknown
   * keys and entry properties ({@code ;...}) are ignored; a repeated key keeps its last value.
   * {@code service.name} and {@code app.name} stand in for each other when only one is sent, as do
   * the versions.
   */
  public static WorkloadMetadata decode(List<String> headerValues) {
    requireNonNull(headerValues, "headerValues");
    Map<String, String> entries = new HashMap<>();
    WorkloadType type = WorkloadType.UNKNOWN;
    String workload = "";
    for (String header : headerValues) {
      for (String member : header.split(",", -1)) {
        int semicolon = member.indexOf(';');
        String kv = semicolon < 0 ? member : member.substring(0, semicolon);
        int eq = kv.indexOf('=');
        if (eq < 0) {
          continue;
        }
        String key = kv.substring(0, eq).trim();
        String value = percentDecode(kv.substring(eq + 1).trim());
        WorkloadType kind = workloadKind(key);
        if (kind != null) {
          type = kind;
          workload = value;
        } else {
          entries.put(key, value);
        }
      }
    }
    String service = entries.getOrDefault(SERVICE_NAME, "");
    String app = entries.getOrDefault(APP_NAME, "");
    String revision = entries.getOrDefault(SERVICE_VERSION, "");
    String version = entries.getOrDefault(APP_VERSION, "");
    return WorkloadMetadata.builder()
        .name(entries.getOrDefault(INSTANCE, ""))
        .namespace(entries.getOrDefault(NAMESPACE, ""))
        .cluster(entries.getOrDefault(CLUSTER, ""))
        .workload(workload)
        .workloadType(type)
        .canonicalService(service.isEmpty() ? app : service)
        .app(app.isEmpty() ? service : app)
        .canonicalRevision(revision.isEmpty() ? version : revision)
        .version(version.isEmpty() ? revision : version)
        .region(entries.getOrDefault(REGION, ""))
        .zone(entries.getOrDefault(ZONE, ""))
        .build();
  }

  /** {@link #decode(List)} of one header value. */
  public static WorkloadMetadata decode(String headerValue) {
    return decode(List.of(requireNonNull(headerValue, "headerValue")));
  }

  private static @Nullable WorkloadType workloadKind(String key) {
    for (WorkloadType t : WORKLOAD_KINDS) {
      if (key.equals("k8s." + t.suffix() + ".name")) {
        return t;
      }
    }
    return null;
  }

  private static void add(StringJoiner out, String key, String value) {
    if (!value.isEmpty()) {
      out.add(key + "=" + percentEncode(value));
    }
  }

  /**
   * W3C baggage values are {@code baggage-octet}s; anything else (space, {@code "}, {@code ,},
   * {@code ;}, {@code \}, {@code %}, controls, non-ASCII) is percent-encoded as UTF-8. Kubernetes
   * names never need it, so Istio's plain values come out unchanged.
   */
  static String percentEncode(String value) {
    @Nullable StringBuilder b = null;
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < utf8.length; i++) {
      int c = utf8[i] & 0xff;
      boolean octet = c >= 0x21 && c <= 0x7e && c != '"' && c != ',' && c != ';' && c != '\\';
      if (octet && c != '%') {
        if (b != null) {
          b.append((char) c);
        }
        continue;
      }
      if (b == null) {
        b = new StringBuilder(utf8.length + 8);
        for (int j = 0; j < i; j++) {
          b.append((char) utf8[j]);
        }
      }
      b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
      b.append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
    }
    return b == null ? value : b.toString();
  }

  /** Decodes {@code %XX} escapes as UTF-8; a malformed escape is kept as written. */
  static String percentDecode(String value) {
    if (value.indexOf('%') < 0) {
      return value;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(value.length());
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < utf8.length; i++) {
      int hi = i + 2 < utf8.length ? Character.digit(utf8[i + 1], 16) : -1;
      int lo = i + 2 < utf8.length ? Character.digit(utf8[i + 2], 16) : -1;
      if (utf8[i] == '%' && hi >= 0 && lo >= 0) {
        out.write(hi << 4 | lo);
        i += 2;
      } else {
        out.write(utf8[i]);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
