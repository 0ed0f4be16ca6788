package io.meshagent.spring;

import io.meshagent.ProxyProfile;
import io.meshagent.XdsProtocol;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** Settings of the mesh agent; each maps to the README setting of the same name. */
@ConfigurationProperties("mesh.agent")
public class MeshAgentProperties {

  /** Whether to start a mesh agent. */
  private boolean enabled = true;

  /**
   * Whether to read the environment the way istio-agent does (POD_NAME, ISTIO_META_*, ...) before
   * applying these properties.
   */
  private boolean fromEnvironment = true;

  /** The xDS source and its connection. */
  private final Xds xds = new Xds();

  /** Who the agent is to istiod. */
  private final Node node = new Node();

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public boolean isFromEnvironment() {
    return fromEnvironment;
  }

  public void setFromEnvironment(boolean fromEnvironment) {
    this.fromEnvironment = fromEnvironment;
  }

  public Xds getXds() {
    return xds;
  }

  public Node getNode() {
    return node;
  }

  /** The xDS source. */
  public static class Xds {
    /** file:<path>, <host>:<port>, plaintext://<host>:<port> or tls://<host>:<port>. */
    private @Nullable String address;

    /** DELTA (default) or SOTW. */
    private @Nullable XdsProtocol protocol;

    /** SIDECAR (default) or GRPC. */
    private @Nullable ProxyProfile profile;

    /** PEM roots that verify a TLS control plane. */
    private @Nullable String rootCert;

    /** The name the control plane's certificate must carry. */
    private @Nullable String serverName;

    /** A JWT file sent as a bearer token; re-read on change. */
    private @Nullable String tokenFile;

    /** How long a subscribed resource may go unanswered before it counts as absent. */
    private @Nullable Duration initialFetchTimeout;

    /** Extra type URLs to subscribe to as wildcards. */
    private List<String> extraTypes = new ArrayList<>();

    public @Nullable String getAddress() {
      return address;
    }

    public void setAddress(@Nullable String address) {
      this.address = address;
    }

    public @Nullable XdsProtocol getProtocol() {
      return protocol;
    }

    public void setProtocol(@Nullable XdsProtocol protocol) {
      this.protocol = protocol;
    }

    public @Nullable ProxyProfile getProfile() {
      return profile;
    }

    public void setProfile(@Nullable ProxyProfile profile) {
      this.profile = profile;
    }

    public @Nullable String getRootCert() {
      return rootCert;
    }

    public void setRootCert(@Nullable String rootCert) {
      this.rootCert = rootCert;
    }

    public @Nullable String getServerName() {
      return serverName;
    }

    public void setServerName(@Nullable String serverName) {
      this.serverName = serverName;
    }

    public @Nullable String getTokenFile() {
      return tokenFile;
    }

    public void setTokenFile(@Nullable String tokenFile) {
      this.tokenFile = tokenFile;
    }

    public @Nullable Duration getInitialFetchTimeout() {
      return initialFetchTimeout;
    }

    public void setInitialFetchTimeout(@Nullable Duration initialFetchTimeout) {
      this.initialFetchTimeout = initialFetchTimeout;
    }

    public List<String> getExtraTypes() {
      return extraTypes;
    }

    public void setExtraTypes(List<String> extraTypes) {
      this.extraTypes = extraTypes;
    }
  }

  /** The node presented to istiod. */
  public static class Node {
    /** The pod or workload name. */
    private @Nullable String podName;

    /** The workload's namespace. */
    private @Nullable String namespace;

    /** The workload's service account. */
    private @Nullable String serviceAccount;

    /** istiod's cluster id. */
    private @Nullable String clusterId;

    /** The workload's IPs; the first is in the node id. */
    private List<String> instanceIps = new ArrayList<>();

    /** Workload labels such as app and version. */
    private Map<String, String> labels = new LinkedHashMap<>();

    public @Nullable String getPodName() {
      return podName;
    }

    public void setPodName(@Nullable String podName) {
      this.podName = podName;
    }

    public @Nullable String getNamespace() {
      return namespace;
    }

    public void setNamespace(@Nullable String namespace) {
      this.namespace = namespace;
    }

    public @Nullable String getServiceAccount() {
      return serviceAccount;
    }

    public void setServiceAccount(@Nullable String serviceAccount) {
      this.serviceAccount = serviceAccount;
    }

    public @Nullable String getClusterId() {
      return clusterId;
    }

    public void setClusterId(@Nullable String clusterId) {
      this.clusterId = clusterId;
    }

    public List<String> getInstanceIps() {
      return instanceIps;
    }

    public void setInstanceIps(List<String> instanceIps) {
      this.instanceIps = instanceIps;
    }

    public Map<String, String> getLabels() {
      return labels;
    }

    public void setLabels(Map<String, String> labels) {
      this.labels = labels;
    }
  }
}
