package io.meshagent.netty.internal.admin;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import io.envoyproxy.envoy.admin.v3.BootstrapConfigDump;
import io.envoyproxy.envoy.admin.v3.ClustersConfigDump;
import io.envoyproxy.envoy.admin.v3.EndpointsConfigDump;
import io.envoyproxy.envoy.admin.v3.ListenersConfigDump;
import io.envoyproxy.envoy.admin.v3.RoutesConfigDump;
import io.envoyproxy.envoy.admin.v3.SecretsConfigDump;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.core.v3.PathConfigSource;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.meshagent.MeshAgent;
import io.meshagent.MeshAgentConfig;
import io.meshagent.XdsProtocol;
import io.meshagent.XdsSource;
import io.meshagent.core.identity.WorkloadCertificate;
import io.meshagent.core.internal.agent.AgentInternals;
import io.meshagent.core.internal.config.RawSnapshot;
import io.meshagent.core.internal.identity.IdentityManager;
import io.meshagent.core.internal.identity.Pem;
import io.meshagent.core.internal.node.IstioNodeFactory;
import io.meshagent.snapshot.ResourceEntry;
import io.meshagent.snapshot.ResourceTypes;
import java.security.cert.CertificateEncodingException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The sections of Envoy's config dump, built from what the agent accepted: the resources as the
 * control plane sent them (versions and acceptance times from the snapshot), the workload
 * certificate as Envoy's SDS secrets {@code default} and {@code ROOTCA} (the private key never: it
 * shows as {@code [redacted]}, as in Envoy), and a bootstrap with the node. Order and contents
 * follow Envoy's {@code /config_dump}: bootstrap, clusters, endpoints (only with {@code
 * include_eds}), listeners, routes, secrets; resources sorted by name.
 */
final class ConfigDumps {
  /** The SDS names istiod's TLS contexts ask for. */
  static final String DEFAULT_SECRET = "default";

  static final String ROOT_SECRET = "ROOTCA";

  private static final ByteString REDACTED = ByteString.copyFromUtf8("[redacted]");

  private final MeshAgent agent;
  private final @Nullable IdentityManager identity;
  private final Bootstrap bootstrap;
  private final Instant startedAt;

  ConfigDumps(MeshAgent agent, @Nullable IdentityManager identity, Instant startedAt) {
    this.agent = agent;
    this.identity = identity;
    this.startedAt = startedAt;
    MeshAgentConfig config = agent.config();
    Node node = IstioNodeFactory.build(config.node(), config.profile());
    this.bootstrap =
        Bootstrap.newBuilder().setNode(node).setDynamicResources(dynamicResources(config)).build();
  }

  private static Bootstrap.DynamicResources dynamicResources(MeshAgentConfig config) {
    Bootstrap.DynamicResources.Builder d = Bootstrap.DynamicResources.newBuilder();
    if (config.xdsSource() instanceof XdsSource.Server server) {
      ConfigSource ads =
          ConfigSource.newBuilder()
              .setAds(AggregatedConfigSource.getDefaultInstance())
              .setResourceApiVersion(ApiVersion.V3)
              .build();
      d.setAdsConfig(
              ApiConfigSource.newBuilder()
                  .setApiType(
                      config.xdsProtocol() == XdsProtocol.DELTA
                          ? ApiConfigSource.ApiType.DELTA_GRPC
                          : ApiConfigSource.ApiType.GRPC)
                  .setTransportApiVersion(ApiVersion.V3)
                  .addGrpcServices(
                      GrpcService.newBuilder()
                          .setGoogleGrpc(
                              GrpcService.GoogleGrpc.newBuilder()
                                  .setTargetUri(server.authority())
                                  .setStatPrefix("xds-grpc"))))
          .setLdsConfig(ads)
          .setCdsConfig(ads);
    } else if (config.xdsSource() instanceof XdsSource.File file) {
      ConfigSource path =
          ConfigSource.newBuilder()
              .setPathConfigSource(PathConfigSource.newBuilder().setPath(file.path().toString()))
              .setResourceApiVersion(ApiVersion.V3)
              .build();
      d.setLdsConfig(path).setCdsConfig(path);
    }
    return d.build();
  }

  /**
   * The dump's sections, in Envoy's order.
   *
   * @param includeEds whether to include the endpoints
   * @param names which resources to include, by name ({@code name_regex})
   */
  List<Message> sections(boolean includeEds, Predicate<String> names) {
    RawSnapshot raw = AgentInternals.rawSnapshot(agent);
    List<Message> out = new ArrayList<>(6);
    out.add(
        BootstrapConfigDump.newBuilder()
            .setBootstrap(bootstrap)
            .setLastUpdated(timestamp(startedAt))
            .build());
    out.add(clusters(raw, names));
    if (includeEds) {
      out.add(endpoints(raw, names));
    }
    out.add(listeners(raw, names));
    out.add(routes(raw, names));
    out.add(secrets(names));
    return out;
  }

  private static Message clusters(RawSnapshot raw, Predicate<String> names) {
    ClustersConfigDump.Builder dump =
        ClustersConfigDump.newBuilder().setVersionInfo(raw.versionInfo(ResourceTypes.CLUSTER));
    for (ResourceEntry<?> e : sorted(raw, ResourceTypes.CLUSTER, names)) {
      ClustersConfigDump.DynamicCluster.Builder c =
          ClustersConfigDump.DynamicCluster.newBuilder()
              .setVersionInfo(e.version())
              .setLastUpdated(timestamp(e.lastUpdated()));
      Any any = any(raw, ResourceTypes.CLUSTER, e.name());
      if (any != null) {
        c.setCluster(any);
      }
      dump.addDynamicActiveClusters(c);
    }
    return dump.build();
  }

  private static Message endpoints(RawSnapshot raw, Predicate<String> names) {
    EndpointsConfigDump.Builder dump = EndpointsConfigDump.newBuilder();
    for (ResourceEntry<?> e : sorted(raw, ResourceTypes.CLUSTER_LOAD_ASSIGNMENT, names)) {
      EndpointsConfigDump.DynamicEndpointConfig.Builder c =
          EndpointsConfigDump.DynamicEndpointConfig.newBuilder()
              .setVersionInfo(e.version())
              .setLastUpdated(timestamp(e.lastUpdated()));
      Any any = any(raw, ResourceTypes.CLUSTER_LOAD_ASSIGNMENT, e.name());
      if (any != null) {
        c.setEndpointConfig(any);
      }
      dump.addDynamicEndpointConfigs(c);
    }
    return dump.build();
  }

  private static Message listeners(RawSnapshot raw, Predicate<String> names) {
    ListenersConfigDump.Builder dump =
        ListenersConfigDump.newBuilder().setVersionInfo(raw.versionInfo(ResourceTypes.LISTENER));
    for (ResourceEntry<?> e : sorted(raw, ResourceTypes.LISTENER, names)) {
      ListenersConfigDump.DynamicListenerState.Builder state =
          ListenersConfigDump.DynamicListenerState.newBuilder()
              .setVersionInfo(e.version())
              .setLastUpdated(timestamp(e.lastUpdated()));
      Any any = any(raw, ResourceTypes.LISTENER, e.name());
      if (any != null) {
        state.setListener(any);
      }
      dump.addDynamicListeners(
          ListenersConfigDump.DynamicListener.newBuilder().setName(e.name()).setActiveState(state));
    }
    return dump.build();
  }

  private static Message routes(RawSnapshot raw, Predicate<String> names) {
    RoutesConfigDump.Builder dump = RoutesConfigDump.newBuilder();
    for (ResourceEntry<?> e : sorted(raw, ResourceTypes.ROUTE_CONFIGURATION, names)) {
      RoutesConfigDump.DynamicRouteConfig.Builder c =
          RoutesConfigDump.DynamicRouteConfig.newBuilder()
              .setVersionInfo(e.version())
              .setLastUpdated(timestamp(e.lastUpdated()));
      Any any = any(raw, ResourceTypes.ROUTE_CONFIGURATION, e.name());
      if (any != null) {
        c.setRouteConfig(any);
      }
      dump.addDynamicRouteConfigs(c);
    }
    return dump.build();
  }

  /** The workload certificate as istio-agent's SDS serves it; never the private key. */
  private Message secrets(Predicate<String> names) {
    SecretsConfigDump.Builder dump = SecretsConfigDump.newBuilder();
    WorkloadCertificate cert = identity == null ? null : identity.current();
    Instant at = identity == null ? null : identity.acceptedAt();
    if (cert == null || at == null) {
      return dump.build();
    }
    String version = at.toString();
    Timestamp updated = timestamp(at);
    if (names.test(DEFAULT_SECRET)) {
      Secret secret =
          Secret.newBuilder()
              .setName(DEFAULT_SECRET)
              .setTlsCertificate(
                  TlsCertificate.newBuilder()
                      .setCertificateChain(pem(cert.chain()))
                      .setPrivateKey(DataSource.newBuilder().setInlineBytes(REDACTED)))
              .build();
      dump.addDynamicActiveSecrets(
          SecretsConfigDump.DynamicSecret.newBuilder()
              .setName(DEFAULT_SECRET)
              .setVersionInfo(version)
              .setLastUpdated(updated)
              .setSecret(Any.pack(secret)));
    }
    if (names.test(ROOT_SECRET)) {
      Secret secret =
          Secret.newBuilder()
              .setName(ROOT_SECRET)
              .setValidationContext(
                  CertificateValidationContext.newBuilder().setTrustedCa(pem(cert.roots())))
              .build();
      dump.addDynamicActiveSecrets(
          SecretsConfigDump.DynamicSecret.newBuilder()
              .setName(ROOT_SECRET)
              .setVersionInfo(version)
              .setLastUpdated(updated)
              .setSecret(Any.pack(secret)));
    }
    return dump.build();
  }

  private static DataSource pem(List<java.security.cert.X509Certificate> certificates) {
    try {
      return DataSource.newBuilder()
          .setInlineBytes(ByteString.copyFromUtf8(Pem.encodeCertificates(certificates)))
          .build();
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("a held certificate does not encode: " + e.getMessage(), e);
    }
  }

  private static List<ResourceEntry<?>> sorted(
      RawSnapshot raw, String typeUrl, Predicate<String> names) {
    Map<String, ResourceEntry<?>> byName = new TreeMap<>();
    raw.snapshot()
        .entries(typeUrl)
        .forEach(
            (name, entry) -> {
              if (names.test(name)) {
                byName.put(name, entry);
              }
            });
    return new ArrayList<>(byName.values());
  }

  private static @Nullable Any any(RawSnapshot raw, String typeUrl, String name) {
    ByteString bytes = raw.raw(typeUrl, name);
    return bytes == null ? null : Any.newBuilder().setTypeUrl(typeUrl).setValue(bytes).build();
  }

  static Timestamp timestamp(Instant i) {
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }
}
