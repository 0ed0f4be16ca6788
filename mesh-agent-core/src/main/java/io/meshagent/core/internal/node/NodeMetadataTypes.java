package io.meshagent.core.internal.node;

import static java.util.Map.entry;

import com.google.protobuf.Value;
import io.meshagent.MeshAgentConfigException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What istiod accepts for each key of the node metadata. istiod prints the metadata Struct as JSON
 * and unmarshals it into {@code BootstrapNodeMetadata} (istio/istio {@code
 * pilot/pkg/model/context.go} {@code ParseBootstrapNodeMetadata}; fields and their custom JSON
 * types in {@code pkg/model/proxy.go}). One value of the wrong JSON type there and istiod refuses
 * the connection, so values for known keys are checked here and fail at start instead, naming the
 * variable; istio-agent fails its own start the same way. Unknown keys pass through: istiod keeps
 * them as raw metadata.
 */
final class NodeMetadataTypes {
  private NodeMetadataTypes() {}

  /** The JSON types of istiod's node metadata fields, by JSON key. */
  enum Kind {
    STRING("a JSON string"),
    /** {@code StringList}: one string, comma-separated. */
    STRING_LIST("a JSON string of comma-separated values"),
    /** {@code StringBool}: a string that Go's {@code strconv.ParseBool} accepts. */
    STRING_BOOL("a string holding true or false (or 1, 0, t, f, TRUE, FALSE, True, False)"),
    /** {@code PodPortList}: for legacy reasons a string that holds the JSON array. */
    POD_PORTS(
        "a string holding a JSON array of {\"name\",\"containerPort\",\"protocol\"} objects, as"
            + " ISTIO_META_POD_PORTS carries it"),
    /** Go {@code int}. */
    INT("an integer"),
    /** Go {@code map[string]string}. */
    STRING_MAP("a JSON object of strings"),
    /** Go {@code []string}. */
    STRING_ARRAY("a JSON array of strings"),
    /** {@code NodeMetaProxyConfig}: an {@code istio.mesh.v1alpha1.ProxyConfig} object. */
    OBJECT("a JSON object");

    final String description;

    Kind(String description) {
      this.description = description;
    }
  }

  // Every JSON key of BootstrapNodeMetadata and its embedded NodeMetadata (pkg/model/proxy.go).
  private static final Map<String, Kind> KNOWN =
      Map.ofEntries(
          entry("PROXY_CONFIG", Kind.OBJECT),
          entry("ISTIO_VERSION", Kind.STRING),
          entry("ISTIO_REVISION", Kind.STRING),
          entry("LABELS", Kind.STRING_MAP),
          entry("STATIC_LABELS", Kind.STRING_MAP),
          entry("ANNOTATIONS", Kind.STRING_MAP),
          entry("INSTANCE_IPS", Kind.STRING_LIST),
          entry("NAMESPACE", Kind.STRING),
          entry("NODE_NAME", Kind.STRING),
          entry("WORKLOAD_NAME", Kind.STRING),
          entry("INTERCEPTION_MODE", Kind.STRING),
          entry("SERVICE_ACCOUNT", Kind.STRING),
          entry("HTTP_PROXY_PORT", Kind.STRING),
          entry("MESH_ID", Kind.STRING),
          entry("CLUSTER_ID", Kind.STRING),
          entry("NETWORK", Kind.STRING),
          entry("REQUESTED_NETWORK_VIEW", Kind.STRING_LIST),
          entry("POD_PORTS", Kind.POD_PORTS),
          entry("TLS_SERVER_CERT_CHAIN", Kind.STRING),
          entry("TLS_SERVER_KEY", Kind.STRING),
          entry("TLS_SERVER_ROOT_CERT", Kind.STRING),
          entry("TLS_CLIENT_CERT_CHAIN", Kind.STRING),
          entry("TLS_CLIENT_KEY", Kind.STRING),
          entry("TLS_CLIENT_ROOT_CERT", Kind.STRING),
          entry("BASE", Kind.STRING),
          entry("IDLE_TIMEOUT", Kind.STRING),
          entry("HTTP10", Kind.STRING),
          entry("GENERATOR", Kind.STRING),
          entry("ENABLE_SELF_DISCOVERY", Kind.STRING_BOOL),
          entry("DNS_CAPTURE", Kind.STRING_BOOL),
          entry("DNS_AUTO_ALLOCATE", Kind.STRING_BOOL),
          entry("DNS_PROXY_ADDR", Kind.STRING),
          entry("ENABLE_HBONE", Kind.STRING_BOOL),
          entry("DISABLE_HBONE_SEND", Kind.STRING_BOOL),
          entry("AUTO_REGISTER_GROUP", Kind.STRING),
          entry("WORKLOAD_ENTRY", Kind.STRING),
          entry("UNPRIVILEGED_POD", Kind.STRING),
          entry("PLATFORM_METADATA", Kind.STRING_MAP),
          entry("STS_PORT", Kind.STRING),
          entry("ENVOY_STATUS_PORT", Kind.INT),
          entry("ENVOY_PROMETHEUS_PORT", Kind.INT),
          entry("ENVOY_SECURE_METRICS_PORT", Kind.INT),
          entry("ENVOY_SECURE_MERGED_METRICS_PORT", Kind.INT),
          entry("EXIT_ON_ZERO_ACTIVE_CONNECTIONS", Kind.STRING_BOOL),
          entry("INBOUND_LISTENER_EXACT_BALANCE", Kind.STRING_BOOL),
          entry("OUTBOUND_LISTENER_EXACT_BALANCE", Kind.STRING_BOOL),
          entry("CLOUDRUN_ADDR", Kind.STRING),
          entry("METADATA_DISCOVERY", Kind.STRING_BOOL),
          entry("ENVOY_SKIP_DEPRECATED_LOGS", Kind.STRING_BOOL),
          entry("WORKLOAD_IDENTITY_SOCKET_FILE", Kind.STRING),
          entry("NAME", Kind.STRING),
          entry("OWNER", Kind.STRING),
          entry("PILOT_SAN", Kind.STRING_ARRAY),
          entry("OUTLIER_LOG_PATH", Kind.STRING),
          entry("APP_CONTAINERS", Kind.STRING),
          entry("ISTIO_PROXY_SHA", Kind.STRING));

  private static final Set<String> GO_BOOLS =
      Set.of("1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False");

  /** An ISTIO_META_* value: always a string in istio-agent, converted only where istiod needs. */
  static Value fromString(String setting, String key, String value) {
    @Nullable Kind kind = kindOf(setting, key);
    if (kind == null) {
      return Value.newBuilder().setStringValue(value).build();
    }
    switch (kind) {
      case STRING:
      case STRING_LIST:
        return Value.newBuilder().setStringValue(value).build();
      case STRING_BOOL:
        if (!GO_BOOLS.contains(value)) {
          throw wrongType(setting, key, kind, value);
        }
        return Value.newBuilder().setStringValue(value).build();
      case POD_PORTS:
        @Nullable String problem = podPortsProblem(value);
        if (problem != null) {
          throw new MeshAgentConfigException(
              setting,
              "'"
                  + abbreviate(value)
                  + "' is not accepted ("
                  + problem
                  + "); accepted: "
                  + kind.description);
        }
        return Value.newBuilder().setStringValue(value).build();
      case INT:
        // A string here would fail istiod's unmarshal into a Go int; a number is what it reads.
        try {
          return Value.newBuilder().setNumberValue(Integer.parseInt(value)).build();
        } catch (NumberFormatException e) {
          throw wrongType(setting, key, kind, value);
        }
      default:
        throw new MeshAgentConfigException(
            setting,
            "istiod reads "
                + key
                + " as "
                + kind.description
                + ", so a string would make it refuse the node; set it as JSON with"
                + " ISTIO_METAJSON_"
                + key
                + " (MeshAgentBuilder.jsonMetadata)");
    }
  }

  /** An ISTIO_METAJSON_* value: strict JSON (as Go's encoding/json), typed for known keys. */
  static Value fromJson(String setting, String key, String json) {
    @Nullable Kind kind = kindOf(setting, key);
    Object tree;
    try {
      tree = StrictJson.parse(json);
    } catch (StrictJson.SyntaxException e) {
      throw new MeshAgentConfigException(
          setting,
          "'"
              + abbreviate(json)
              + "' is not valid JSON: "
              + e.getMessage()
              + "; accepted: a JSON value, for example {\"app\":\"reviews\"} or \"text\"");
    }
    if (kind != null && !hasKind(tree, kind)) {
      String hint =
          kind == Kind.POD_PORTS && tree instanceof List
              ? " (quote the array as a JSON string, or use ISTIO_META_POD_PORTS)"
              : "";
      throw new MeshAgentConfigException(
          setting,
          "'"
              + abbreviate(json)
              + "' is not accepted; istiod reads "
              + key
              + " as "
              + kind.description
              + " and refuses the node otherwise"
              + hint);
    }
    return StrictJson.toValue(tree);
  }

  /**
   * The kind of a known key. Go's encoding/json matches keys case-insensitively, so {@code labels}
   * would land in LABELS too; only the canonical spelling is accepted for known keys.
   */
  private static @Nullable Kind kindOf(String setting, String key) {
    String folded = fold(key);
    @Nullable Kind kind = KNOWN.get(folded);
    if (kind != null && !folded.equals(key)) {
      throw new MeshAgentConfigException(
          setting,
          "key '"
              + key
              + "' is not accepted; istiod matches metadata keys ignoring case and would read it as "
              + folded
              + "; accepted: "
              + folded);
    }
    return kind;
  }

  /** Go's {@code foldName}: per code point, upper case of lower case. */
  private static String fold(String key) {
    StringBuilder b = new StringBuilder(key.length());
    key.codePoints()
        .forEach(cp -> b.appendCodePoint(Character.toUpperCase(Character.toLowerCase(cp))));
    return b.toString();
  }

  private static boolean hasKind(Object tree, Kind kind) {
    switch (kind) {
      case STRING:
      case STRING_LIST:
        return tree instanceof String;
      case STRING_BOOL:
        return tree instanceof String s && GO_BOOLS.contains(s);
      case POD_PORTS:
        return tree instanceof String s && podPortsProblem(s) == null;
      case INT:
        return tree instanceof StrictJson.Num n && n.fitsInt();
      case STRING_MAP:
        return tree instanceof Map<?, ?> m
            && m.values().stream().allMatch(String.class::isInstance);
      case STRING_ARRAY:
        return tree instanceof List<?> l && l.stream().allMatch(String.class::isInstance);
      case OBJECT:
        return tree instanceof Map;
      default:
        throw new AssertionError(kind);
    }
  }

  /**
   * Why istiod's {@code PodPortList} unmarshal would reject {@code text}, or null. It parses the
   * string's content as a JSON array of {@code {name, containerPort, protocol}}.
   */
  private static @Nullable String podPortsProblem(String text) {
    Object tree;
    try {
      tree = StrictJson.parse(text);
    } catch (StrictJson.SyntaxException e) {
      return "not valid JSON: " + e.getMessage();
    }
    if (tree == StrictJson.NULL) {
      return null;
    }
    if (!(tree instanceof List<?> ports)) {
      return "not a JSON array";
    }
    for (Object port : ports) {
      if (port == StrictJson.NULL) {
        continue;
      }
      if (!(port instanceof Map<?, ?> fields)) {
        return "a port is not a JSON object";
      }
      for (Map.Entry<?, ?> f : fields.entrySet()) {
        String name = fold((String) f.getKey());
        Object v = f.getValue();
        if (v == StrictJson.NULL) {
          continue;
        }
        if ((name.equals("NAME") || name.equals("PROTOCOL")) && !(v instanceof String)) {
          return "port field " + f.getKey() + " is not a string";
        }
        if (name.equals("CONTAINERPORT") && !(v instanceof StrictJson.Num n && n.fitsLong())) {
          return "port field " + f.getKey() + " is not an integer";
        }
      }
    }
    return null;
  }

  private static MeshAgentConfigException wrongType(
      String setting, String key, Kind kind, String value) {
    return new MeshAgentConfigException(
        setting,
        "'"
            + abbreviate(value)
            + "' is not accepted; istiod reads "
            + key
            + " as "
            + kind.description
            + " and refuses the node otherwise");
  }

  private static String abbreviate(String s) {
    return s.length() <= 120 ? s : s.substring(0, 117) + "...";
  }
}
