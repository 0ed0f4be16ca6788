package io.meshagent;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Everything an agent was started with, read once and immutable. Built by {@link MeshAgentBuilder};
 * README's configuration reference documents each setting.
 *
 * @param xdsSource where configuration comes from ({@code xds.address})
 * @param xdsProtocol SotW or Delta ADS ({@code xds.protocol})
 * @param profile which istiod generator configures the agent ({@code xds.profile})
 * @param node the node presented to istiod
 * @param xdsRootCert PEM roots that verify a TLS control plane ({@code xds.rootCert})
 * @param xdsServerName the name the control plane's certificate must carry, when it differs from
 *     the host dialled ({@code xds.serverName})
 * @param tokenFile a JWT sent as {@code authorization: Bearer}, re-read when it changes ({@code
 *     xds.tokenFile})
 * @param initialFetchTimeout how long a subscribed resource may stay unanswered before it counts as
 *     absent ({@code xds.initialFetchTimeout})
 * @param reconnectInitialBackoff first delay before reconnecting ({@code xds.reconnectBackoff})
 * @param reconnectMaxBackoff cap of the reconnect delay ({@code xds.reconnectMaxBackoff})
 * @param extraTypes type URLs subscribed as wildcards besides Envoy's four, for example Istio's
 *     {@code istio.workload.Address} ({@code xds.extraTypes})
 * @param identity how the workload certificate is obtained ({@code identity.*})
 */
public record MeshAgentConfig(
    XdsSource xdsSource,
    XdsProtocol xdsProtocol,
    ProxyProfile profile,
    MeshNode node,
    @Nullable Path xdsRootCert,
    @Nullable String xdsServerName,
    @Nullable Path tokenFile,
    Duration initialFetchTimeout,
    Duration reconnectInitialBackoff,
    Duration reconnectMaxBackoff,
    java.util.List<String> extraTypes,
    io.meshagent.identity.IdentityConfig identity) {

  public MeshAgentConfig {
    requireNonNull(xdsSource, "xdsSource");
    requireNonNull(xdsProtocol, "xdsProtocol");
    requireNonNull(profile, "profile");
    requireNonNull(node, "node");
    requireNonNull(initialFetchTimeout, "initialFetchTimeout");
    requireNonNull(reconnectInitialBackoff, "reconnectInitialBackoff");
    requireNonNull(reconnectMaxBackoff, "reconnectMaxBackoff");
    extraTypes = java.util.List.copyOf(extraTypes);
    requireNonNull(identity, "identity");
  }
}
