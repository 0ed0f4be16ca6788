package io.meshagent.core.internal.node;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.meshagent.MeshAgentConfigException;
import io.meshagent.MeshNode;
import io.meshagent.ProxyProfile;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Builds the xDS {@link Node} that istio-agent would present for a sidecar: node id, service
 * cluster, locality and the metadata Struct (istio/istio {@code pkg/bootstrap/config.go} {@code
 * GetNodeMetaData} and {@code getServiceCluster}). Metadata values are typed the way istiod
 * unmarshals them ({@link NodeMetadataTypes}), so the node never makes istiod refuse the
 * connection.
 */
public final class IstioNodeFactory {
  /** Sent as {@code user_agent_name}; istiod does not read it, but it shows in its debug views. */
  public static final String USER_AGENT_NAME = "mesh-agent";

  private static final String VERSION = agentVersion();

  // istio/istio pkg/kube/labels GetApp: the service cluster prefers these, in this order.
  private static final List<String> APP_LABELS =
      List.of("app", "app.kubernetes.io/name", "service.istio.io/canonical-name");

  private IstioNodeFactory() {}

  /**
   * The node for {@code node} under {@code profile}.
   *
   * @throws MeshAgentConfigException if a metadata entry is not valid JSON, has a JSON type istiod
   *     would reject, or contradicts a node setting (for example {@code CLUSTER_ID} set as metadata
   *     to a value other than {@link MeshNode#clusterId()})
   */
  public static Node build(MeshNode node, ProxyProfile profile) {
    requireNonNull(node, "node");
    requireNonNull(profile, "profile");
    Map<String, Value> meta = new TreeMap<>();
    Map<String, String> settingOf = new TreeMap<>();
    // ISTIO_META_* first, ISTIO_METAJSON_* second: istio-agent applies the JSON ones last.
    new TreeMap<>(node.metadata())
        .forEach(
            (key, value) -> {
              String setting = "node.metadata (ISTIO_META_" + key + ")";
              meta.put(key, NodeMetadataTypes.fromString(setting, key, value));
              settingOf.put(key, setting);
            });
    new TreeMap<>(node.jsonMetadata())
        .forEach(
            (key, json) -> {
              String setting = "node.metadata (ISTIO_METAJSON_" + key + ")";
              meta.put(key, NodeMetadataTypes.fromJson(setting, key, json));
              settingOf.put(key, setting);
            });

    // Identity: with PILOT_ENABLE_XDS_IDENTITY_CHECK istiod compares NAMESPACE and SERVICE_ACCOUNT
    // with the caller's certificate or token; NAME is the pod istiod looks up for labels.
    own(meta, settingOf, "NAME", node.podName(), "node.podName (POD_NAME)");
    own(meta, settingOf, "NAMESPACE", node.namespace(), "node.namespace (POD_NAMESPACE)");
    own(
        meta,
        settingOf,
        "SERVICE_ACCOUNT",
        node.serviceAccount(),
        "node.serviceAccount (SERVICE_ACCOUNT)");
    // CLUSTER_ID picks the registry istiod looks the workload up in (multi-cluster); MESH_ID
    // decides which endpoints count as in-mesh across meshes.
    own(meta, settingOf, "CLUSTER_ID", node.clusterId(), "node.clusterId (ISTIO_META_CLUSTER_ID)");
    own(meta, settingOf, "MESH_ID", node.meshId(), "node.meshId (ISTIO_META_MESH_ID)");
    // ISTIO_VERSION gates which features istiod generates config for.
    own(
        meta,
        settingOf,
        "ISTIO_VERSION",
        node.istioVersion(),
        "node.istioVersion (ISTIO_META_ISTIO_VERSION)");
    // istiod takes the proxy's IPs from INSTANCE_IPS (the node id's IP is only a fallback) and
    // matches them to the workload's endpoints; a StringList is one comma-separated string.
    own(
        meta,
        settingOf,
        "INSTANCE_IPS",
        String.join(",", new LinkedHashSet<>(node.instanceIps())),
        "node.instanceIps (INSTANCE_IP)");
    // GENERATOR=grpc switches istiod to its proxyless-gRPC generator (grpcgen); a sidecar has none.
    own(
        meta,
        settingOf,
        "GENERATOR",
        profile == ProxyProfile.GRPC ? "grpc" : "",
        "xds.profile " + profile + " (ISTIO_META_GENERATOR)");

    // LABELS select Sidecar, AuthorizationPolicy, DestinationRule subsets and so on when istiod
    // cannot find the pod. As in istio-agent, ISTIO_METAJSON_LABELS also becomes STATIC_LABELS,
    // which istiod adds to the pod's labels when it does find the pod.
    Map<String, String> labels = new TreeMap<>();
    @Nullable Value jsonLabels = meta.get("LABELS");
    if (jsonLabels != null && jsonLabels.getStructValue().getFieldsCount() > 0) {
      jsonLabels
          .getStructValue()
          .getFieldsMap()
          .forEach((k, v) -> labels.put(k, v.getStringValue()));
      meta.put("STATIC_LABELS", jsonLabels);
    }
    labels.putAll(node.labels());
    // Locality drives locality-weighted and failover load balancing (istiod reads the node's
    // locality, falling back to the label); istio-agent rewrites the label in '/' form too.
    @Nullable Locality locality = null;
    String localityLabel = localityLabel(labels);
    if (!localityLabel.isEmpty()) {
      String sanitized =
          localityLabel.indexOf('/') >= 0 ? localityLabel : localityLabel.replace('.', '/');
      labels.put("istio-locality", sanitized);
      locality = locality(sanitized);
    }
    if (labels.isEmpty()) {
      meta.remove("LABELS");
    } else {
      meta.put("LABELS", stringMap(labels));
    }

    // WORKLOAD_NAME names the workload in telemetry and ambient; the injector sets it from the
    // service.istio.io/workload-name label or the deployment, lacking both we use the pod.
    String workload = labels.getOrDefault("service.istio.io/workload-name", node.podName());
    if (!meta.containsKey("WORKLOAD_NAME") && !workload.isEmpty()) {
      meta.put("WORKLOAD_NAME", string(workload));
    }
    // REDIRECT: the agent sees each request's original destination as if iptables had captured
    // it, so istiod must generate the listeners of a captured sidecar.
    meta.putIfAbsent("INTERCEPTION_MODE", string("REDIRECT"));
    // ENABLE_HBONE makes istiod send HBONE-capable endpoints and the inbound HBONE listener for a
    // sidecar; the gRPC generator ignores HBONE, so that profile omits it as istio-agent does.
    if (profile == ProxyProfile.SIDECAR) {
      meta.putIfAbsent("ENABLE_HBONE", string("true"));
    }

    Node.Builder out =
        Node.newBuilder()
            .setId(node.nodeId())
            .setUserAgentName(USER_AGENT_NAME)
            .setUserAgentVersion(VERSION)
            .setMetadata(Struct.newBuilder().putAllFields(meta));
    // Envoy's bootstrap carries the service cluster (access logs, tracing); istio-agent's gRPC
    // bootstrap carries none.
    if (profile == ProxyProfile.SIDECAR) {
      out.setCluster(serviceCluster(labels, workload(meta), node.namespace()));
    }
    if (locality != null) {
      out.setLocality(locality);
    }
    return out.build();
  }

  /** {@code Implementation-Version} of the jar, or {@code dev} when running from classes. */
  static String agentVersion() {
    @Nullable Package p = IstioNodeFactory.class.getPackage();
    @Nullable String v = p == null ? null : p.getImplementationVersion();
    return v == null || v.isEmpty() ? "dev" : v;
  }

  private static String workload(Map<String, Value> meta) {
    @Nullable Value v = meta.get("WORKLOAD_NAME");
    return v == null ? "" : v.getStringValue();
  }

  /** istio-agent's {@code serviceClusterOrDefault} for the default APP_LABEL_AND_NAMESPACE. */
  private static String serviceCluster(
      Map<String, String> labels, String workloadName, String namespace) {
    for (String key : APP_LABELS) {
      String app = labels.get(key);
      if (app != null) {
        return app + "." + namespace;
      }
    }
    if (!workloadName.isEmpty()) {
      return workloadName + "." + namespace;
    }
    return namespace.isEmpty() ? "istio-proxy" : "istio-proxy." + namespace;
  }

  /** {@code GetLocalityLabel}: topology.istio.io/locality first, then istio-locality. */
  private static String localityLabel(Map<String, String> labels) {
    String loc = labels.get("topology.istio.io/locality");
    if (loc == null) {
      loc = labels.get("istio-locality");
    }
    return loc == null ? "" : loc;
  }

  private static Locality locality(String regionZoneSubzone) {
    String[] parts = regionZoneSubzone.split("/", -1);
    Locality.Builder l = Locality.newBuilder().setRegion(parts[0]);
    if (parts.length > 1) {
      l.setZone(parts[1]);
    }
    if (parts.length > 2) {
      l.setSubZone(parts[2]);
    }
    return l.build();
  }

  /**
   * Puts a key that a node setting owns. The same key given as metadata must agree: silently
   * preferring one would send istiod a node that contradicts what the user configured.
   */
  private static void own(
      Map<String, Value> meta,
      Map<String, String> settingOf,
      String key,
      String value,
      String owner) {
    @Nullable Value given = meta.get(key);
    if (given != null && !given.getStringValue().equals(value)) {
      throw new MeshAgentConfigException(
          requireNonNull(settingOf.get(key)),
          "'"
              + given.getStringValue()
              + "' contradicts "
              + owner
              + (value.isEmpty() ? ", which sends no " + key : ", which sends '" + value + "'")
              + "; set "
              + owner
              + " instead");
    }
    if (value.isEmpty()) {
      meta.remove(key); // istiod's fields are omitempty: an empty value is no value
    } else {
      meta.put(key, string(value));
    }
  }

  private static Value string(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }

  private static Value stringMap(Map<String, String> map) {
    Struct.Builder s = Struct.newBuilder();
    map.forEach((k, v) -> s.putFields(k, string(v)));
    return Value.newBuilder().setStructValue(s).build();
  }
}
