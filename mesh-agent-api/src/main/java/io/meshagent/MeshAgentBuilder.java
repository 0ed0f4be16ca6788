package io.meshagent;

import static java.util.Objects.requireNonNull;

import io.meshagent.identity.IdentityConfig;
import io.meshagent.identity.IdentityProvider;
import io.meshagent.identity.KeyAlgorithm;
import io.meshagent.identity.SpiffeId;
import io.meshagent.internal.EnvironmentSettings;
import io.meshagent.spi.MeshAgentProvider;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.jspecify.annotations.Nullable;

/**
 * Builds a {@link MeshAgent}. Every setting has a default an Istio user would expect except the xDS
 * source, which must be given (or taken from the environment by {@link #fromEnvironment(Map)}).
 * Invalid settings fail {@link #build()} with a {@link MeshAgentConfigException} naming the setting
 * and the accepted values.
 */
public final class MeshAgentBuilder {
  /** The Istio version the agent presents as unless told otherwise. */
  public static final String DEFAULT_ISTIO_VERSION = "1.30.3";

  private @Nullable XdsSource xdsSource;
  private XdsProtocol xdsProtocol = XdsProtocol.DELTA;
  private ProxyProfile profile = ProxyProfile.SIDECAR;
  private @Nullable Path xdsRootCert;
  private @Nullable String xdsServerName;
  private @Nullable Path tokenFile;
  private Duration initialFetchTimeout = Duration.ofSeconds(15);
  private Duration reconnectInitialBackoff = Duration.ofMillis(500);
  private Duration reconnectMaxBackoff = Duration.ofSeconds(30);
  private final List<String> extraTypes = new ArrayList<>();

  private @Nullable IdentityProvider identityProvider;
  private String trustDomain = "cluster.local";
  private @Nullable String caAddress;
  private @Nullable Path caRootCert;
  private Path certDir = IdentityConfig.DEFAULT_CERT_DIR;
  private Path devCaDir = IdentityConfig.defaultDevCaDir();
  private @Nullable String spiffeEndpointSocket;
  private KeyAlgorithm keyAlgorithm = KeyAlgorithm.EC_P256;
  private Duration certTtl = Duration.ofHours(24);
  private double rotationRatio = 0.5;
  private double rotationJitter = 0.01;

  private String nodeType = "sidecar";
  private final List<String> instanceIps = new ArrayList<>();
  private @Nullable String podName;
  private String namespace = "default";
  private @Nullable String dnsDomain;
  private String serviceAccount = "default";
  private String clusterId = "Kubernetes";
  private String meshId = "cluster.local";
  private String istioVersion = DEFAULT_ISTIO_VERSION;
  private final Map<String, String> labels = new LinkedHashMap<>();
  private final Map<String, String> metadata = new LinkedHashMap<>();
  private final Map<String, String> jsonMetadata = new LinkedHashMap<>();
  private @Nullable String nodeId;

  MeshAgentBuilder() {}

  /**
   * A builder filled from environment variables the way istio-agent reads them (README lists each).
   * Settings may still be overridden in code before {@link #build()}.
   *
   * @throws MeshAgentConfigException if a variable holds a value that is not accepted
   */
  public static MeshAgentBuilder fromEnvironment(Map<String, String> env) {
    MeshAgentBuilder builder = new MeshAgentBuilder();
    EnvironmentSettings.apply(env, builder);
    return builder;
  }

  /** The configuration source; see {@link XdsSource#parse}. Setting {@code xds.address}. */
  public MeshAgentBuilder xdsAddress(String address) {
    requireNonNull(address, "address");
    this.xdsSource = XdsSource.parse("xds.address", address);
    return this;
  }

  /** The configuration source. Setting {@code xds.address}. */
  public MeshAgentBuilder xdsSource(XdsSource source) {
    this.xdsSource = requireNonNull(source, "source");
    return this;
  }

  /** Reads Envoy resources from {@code file}, reloading on change. Setting {@code xds.address}. */
  public MeshAgentBuilder xdsFile(Path file) {
    this.xdsSource = new XdsSource.File(requireNonNull(file, "file"));
    return this;
  }

  /** SotW or Delta; Delta by default, as istiod. Setting {@code xds.protocol}. */
  public MeshAgentBuilder xdsProtocol(XdsProtocol protocol) {
    this.xdsProtocol = requireNonNull(protocol, "protocol");
    return this;
  }

  /** Sidecar (default) or proxyless-gRPC configuration. Setting {@code xds.profile}. */
  public MeshAgentBuilder profile(ProxyProfile profile) {
    this.profile = requireNonNull(profile, "profile");
    return this;
  }

  /** PEM roots that verify the control plane's TLS certificate. Setting {@code xds.rootCert}. */
  public MeshAgentBuilder xdsRootCert(Path pemFile) {
    this.xdsRootCert = requireNonNull(pemFile, "pemFile");
    return this;
  }

  /**
   * The name the control plane's certificate must carry when it differs from the dialled host, for
   * example {@code istiod.istio-system.svc} when dialling an IP. Setting {@code xds.serverName}.
   */
  public MeshAgentBuilder xdsServerName(String serverName) {
    this.xdsServerName = requireNonNull(serverName, "serverName");
    return this;
  }

  /** A JWT file sent as {@code authorization: Bearer}; re-read on change. {@code xds.tokenFile}. */
  public MeshAgentBuilder tokenFile(Path tokenFile) {
    this.tokenFile = requireNonNull(tokenFile, "tokenFile");
    return this;
  }

  /** How long a subscribed name may go unanswered before it counts as absent. */
  public MeshAgentBuilder initialFetchTimeout(Duration timeout) {
    this.initialFetchTimeout = requireNonNull(timeout, "timeout");
    return this;
  }

  /** First and maximum reconnect delay; each failure multiplies the delay, with jitter. */
  public MeshAgentBuilder reconnectBackoff(Duration initial, Duration max) {
    this.reconnectInitialBackoff = requireNonNull(initial, "initial");
    this.reconnectMaxBackoff = requireNonNull(max, "max");
    return this;
  }

  /**
   * Also subscribes to {@code typeUrl} as a wildcard, for example {@code
   * type.googleapis.com/istio.workload.Address}; a resource-type provider must handle it. Setting
   * {@code xds.extraTypes}.
   */
  public MeshAgentBuilder extraType(String typeUrl) {
    requireNonNull(typeUrl, "typeUrl");
    if (!typeUrl.startsWith("type.googleapis.com/")) {
      throw new MeshAgentConfigException(
          "xds.extraTypes",
          "'" + typeUrl + "' is not accepted; a type URL like type.googleapis.com/<message> is");
    }
    if (!extraTypes.contains(typeUrl)) {
      extraTypes.add(typeUrl);
    }
    return this;
  }

  /**
   * Where the workload certificate comes from. Unless set: {@code NONE} (plaintext only). Setting
   * {@code identity.provider}.
   */
  public MeshAgentBuilder identityProvider(IdentityProvider provider) {
    this.identityProvider = requireNonNull(provider, "provider");
    return this;
  }

  /**
   * The mesh trust domain; {@code cluster.local} unless set. Setting {@code identity.trustDomain}.
   */
  public MeshAgentBuilder trustDomain(String trustDomain) {
    this.trustDomain = requireNonNull(trustDomain, "trustDomain");
    return this;
  }

  /**
   * istiod's CA as {@code host:port} (TLS) when it is not the xDS server. Setting {@code
   * identity.caAddress}.
   */
  public MeshAgentBuilder caAddress(String caAddress) {
    this.caAddress = requireNonNull(caAddress, "caAddress");
    return this;
  }

  /** Roots that verify the CA when they differ from {@code xds.rootCert}. */
  public MeshAgentBuilder caRootCert(Path pemFile) {
    this.caRootCert = requireNonNull(pemFile, "pemFile");
    return this;
  }

  /** The directory the files provider reads. Setting {@code identity.certDir}. */
  public MeshAgentBuilder certDir(Path dir) {
    this.certDir = requireNonNull(dir, "dir");
    return this;
  }

  /** The directory of the dev CA. Setting {@code identity.devCaDir}. */
  public MeshAgentBuilder devCaDir(Path dir) {
    this.devCaDir = requireNonNull(dir, "dir");
    return this;
  }

  /**
   * The Workload API address, {@code unix:///path}. Setting {@code identity.spiffeEndpointSocket}.
   */
  public MeshAgentBuilder spiffeEndpointSocket(String address) {
    this.spiffeEndpointSocket = requireNonNull(address, "address");
    return this;
  }

  /** The key type; ECDSA P-256 unless set. Setting {@code identity.keyAlgorithm}. */
  public MeshAgentBuilder keyAlgorithm(KeyAlgorithm algorithm) {
    this.keyAlgorithm = requireNonNull(algorithm, "algorithm");
    return this;
  }

  /** The certificate lifetime requested from the CA; 24 h unless set. {@code identity.certTtl}. */
  public MeshAgentBuilder certTtl(Duration ttl) {
    this.certTtl = requireNonNull(ttl, "ttl");
    return this;
  }

  /**
   * Renew after {@code ratio} of a certificate's lifetime, ± {@code jitter} (istio-agent's
   * SECRET_GRACE_PERIOD_RATIO and its jitter; 0.5 ± 0.01 unless set).
   */
  public MeshAgentBuilder rotation(double ratio, double jitter) {
    this.rotationRatio = ratio;
    this.rotationJitter = jitter;
    return this;
  }

  /** The proxy type in the node id; {@code sidecar} unless set. */
  public MeshAgentBuilder nodeType(String type) {
    this.nodeType = requireNonNull(type, "type");
    return this;
  }

  /** The workload's IPs (replacing any set before); the first one is in the node id. */
  public MeshAgentBuilder instanceIps(List<String> ips) {
    requireNonNull(ips, "ips");
    instanceIps.clear();
    for (String ip : ips) {
      instanceIps.add(requireNonNull(ip, "ip"));
    }
    return this;
  }

  /** The pod or workload name; the host name unless set. Setting {@code node.podName}. */
  public MeshAgentBuilder podName(String podName) {
    this.podName = requireNonNull(podName, "podName");
    return this;
  }

  /** The workload's namespace; {@code default} unless set. Setting {@code node.namespace}. */
  public MeshAgentBuilder namespace(String namespace) {
    this.namespace = requireNonNull(namespace, "namespace");
    return this;
  }

  /** The DNS domain; {@code <namespace>.svc.cluster.local} unless set. */
  public MeshAgentBuilder dnsDomain(String dnsDomain) {
    this.dnsDomain = requireNonNull(dnsDomain, "dnsDomain");
    return this;
  }

  /** The service account; {@code default} unless set. Setting {@code node.serviceAccount}. */
  public MeshAgentBuilder serviceAccount(String serviceAccount) {
    this.serviceAccount = requireNonNull(serviceAccount, "serviceAccount");
    return this;
  }

  /** Must equal istiod's cluster id; {@code Kubernetes} unless set. */
  public MeshAgentBuilder clusterId(String clusterId) {
    this.clusterId = requireNonNull(clusterId, "clusterId");
    return this;
  }

  /** The mesh id; {@code cluster.local} unless set. */
  public MeshAgentBuilder meshId(String meshId) {
    this.meshId = requireNonNull(meshId, "meshId");
    return this;
  }

  /** The Istio version presented to istiod; {@value #DEFAULT_ISTIO_VERSION} unless set. */
  public MeshAgentBuilder istioVersion(String istioVersion) {
    this.istioVersion = requireNonNull(istioVersion, "istioVersion");
    return this;
  }

  /** A workload label, such as {@code app} or {@code version}. */
  public MeshAgentBuilder label(String key, String value) {
    labels.put(requireNonNull(key, "key"), requireNonNull(value, "value"));
    return this;
  }

  /** A node metadata entry with a string value (as {@code ISTIO_META_<key>}). */
  public MeshAgentBuilder metadata(String key, String value) {
    metadata.put(requireNonNull(key, "key"), requireNonNull(value, "value"));
    return this;
  }

  /** A node metadata entry with a JSON value (as {@code ISTIO_METAJSON_<key>}). */
  public MeshAgentBuilder jsonMetadata(String key, String json) {
    jsonMetadata.put(requireNonNull(key, "key"), requireNonNull(json, "json"));
    return this;
  }

  /** Uses {@code nodeId} verbatim instead of deriving it from the node fields. */
  public MeshAgentBuilder nodeId(String nodeId) {
    this.nodeId = requireNonNull(nodeId, "nodeId");
    return this;
  }

  /**
   * The validated configuration, without starting anything.
   *
   * @throws MeshAgentConfigException if a setting is missing or not accepted
   */
  public MeshAgentConfig buildConfig() {
    XdsSource source = xdsSource;
    if (source == null) {
      throw new MeshAgentConfigException(
          "xds.address", "is required; accepted: " + XdsSource.ACCEPTED_FORMS);
    }
    requirePositive("xds.initialFetchTimeout", initialFetchTimeout);
    requirePositive("xds.reconnectBackoff", reconnectInitialBackoff);
    if (reconnectMaxBackoff.compareTo(reconnectInitialBackoff) < 0) {
      throw new MeshAgentConfigException(
          "xds.reconnectMaxBackoff",
          reconnectMaxBackoff + " is below xds.reconnectBackoff " + reconnectInitialBackoff);
    }
    if (source instanceof XdsSource.Server server && !server.tls() && tokenFile != null) {
      throw new MeshAgentConfigException(
          "xds.tokenFile",
          "a bearer token would be sent in the clear to " + server + "; use a tls:// address");
    }
    requireName("node.namespace", namespace, false);
    requireName("node.serviceAccount", serviceAccount, true);
    List<String> ips = instanceIps.isEmpty() ? List.of(localAddress()) : List.copyOf(instanceIps);
    String pod = podName != null ? podName : localHostName();
    MeshNode node =
        new MeshNode(
            nodeType,
            ips,
            pod,
            namespace,
            dnsDomain != null ? dnsDomain : namespace + ".svc.cluster.local",
            serviceAccount,
            clusterId,
            meshId,
            istioVersion,
            labels,
            metadata,
            jsonMetadata,
            nodeId);
    IdentityConfig identity = identityConfig(source);
    return new MeshAgentConfig(
        source,
        xdsProtocol,
        profile,
        node,
        xdsRootCert,
        xdsServerName,
        tokenFile,
        initialFetchTimeout,
        reconnectInitialBackoff,
        reconnectMaxBackoff,
        extraTypes,
        identity);
  }

  /**
   * Validates the configuration and starts the agent: it connects to the xDS source in the
   * background and returns at once.
   *
   * @throws MeshAgentConfigException if a setting is missing or not accepted
   * @throws IllegalStateException if no implementation is on the class path
   */
  public MeshAgent build() {
    MeshAgentConfig config = buildConfig();
    MeshAgentProvider provider =
        ServiceLoader.load(MeshAgentProvider.class, MeshAgentBuilder.class.getClassLoader())
            .stream()
            .map(ServiceLoader.Provider::get)
            .max(Comparator.comparingInt(MeshAgentProvider::priority))
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "no mesh-agent implementation on the class path; add"
                            + " io.meshagent:mesh-agent-netty"));
    return provider.start(config);
  }

  private IdentityConfig identityConfig(XdsSource source) {
    IdentityProvider provider = identityProvider != null ? identityProvider : IdentityProvider.NONE;
    try {
      SpiffeId.parse("spiffe://" + trustDomain);
    } catch (IllegalArgumentException e) {
      throw new MeshAgentConfigException("identity.trustDomain", e.getMessage());
    }
    requirePositive("identity.certTtl", certTtl);
    if (!(rotationRatio > 0 && rotationRatio < 1)
        || !(rotationJitter >= 0 && rotationJitter < Math.min(rotationRatio, 1 - rotationRatio))) {
      throw new MeshAgentConfigException(
          "identity.rotation",
          "ratio "
              + rotationRatio
              + " ± "
              + rotationJitter
              + " is not accepted; the ratio must be in (0, 1) and the jitter smaller than both"
              + " the ratio and 1 - ratio");
    }
    if (provider == IdentityProvider.ISTIOD) {
      if (caAddress != null) {
        XdsSource ca = XdsSource.parse("identity.caAddress", caAddress);
        if (!(ca instanceof XdsSource.Server server) || !server.tls()) {
          throw new MeshAgentConfigException(
              "identity.caAddress",
              "'" + caAddress + "' is not accepted; istiod's CA is served over TLS (host:15012)");
        }
      } else if (!(source instanceof XdsSource.Server server) || !server.tls()) {
        throw new MeshAgentConfigException(
            "identity.caAddress",
            "is required with identity.provider=ISTIOD unless xds.address is istiod over TLS");
      }
    }
    if (provider == IdentityProvider.SPIRE && spiffeEndpointSocket == null) {
      throw new MeshAgentConfigException(
          "identity.spiffeEndpointSocket (SPIFFE_ENDPOINT_SOCKET)",
          "is required with identity.provider=SPIRE; accepted: unix:///path/to/agent.sock");
    }
    return new IdentityConfig(
        provider,
        trustDomain,
        caAddress,
        caRootCert,
        certDir,
        devCaDir,
        spiffeEndpointSocket,
        keyAlgorithm,
        certTtl,
        rotationRatio,
        rotationJitter);
  }

  private static void requirePositive(String setting, Duration d) {
    if (d.isNegative() || d.isZero()) {
      throw new MeshAgentConfigException(setting, d + " is not accepted; it must be positive");
    }
  }

  private static void requireName(String setting, String value, boolean dotsAllowed) {
    // The node id is '~'-separated and joins pod and namespace with '.', so those break parsing.
    if (value.isEmpty() || value.indexOf('~') >= 0 || (!dotsAllowed && value.indexOf('.') >= 0)) {
      throw new MeshAgentConfigException(
          setting,
          "'"
              + value
              + "' is not accepted; a non-empty Kubernetes name without '~'"
              + (dotsAllowed ? "" : " or '.'")
              + " is expected");
    }
  }

  private static String localAddress() {
    try {
      return InetAddress.getLocalHost().getHostAddress();
    } catch (UnknownHostException e) {
      return "127.0.0.1";
    }
  }

  private static String localHostName() {
    String host = System.getenv("HOSTNAME");
    if (host != null && !host.isEmpty()) {
      return host;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "mesh-agent";
    }
  }
}
