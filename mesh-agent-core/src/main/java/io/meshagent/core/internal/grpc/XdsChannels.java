package io.meshagent.core.internal.grpc;

import io.grpc.ChannelCredentials;
import io.grpc.CompositeChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.TlsChannelCredentials;
import io.meshagent.MeshAgentConfig;
import io.meshagent.MeshAgentConfigException;
import io.meshagent.XdsSource;
import io.meshagent.core.internal.config.DaemonThreads;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Opens the gRPC channel to the control plane: plaintext (istiod's 15010) or TLS verified against
 * the configured roots (15012), with the bearer token as call credentials. The transport is
 * whatever gRPC provider is on the class path (mesh-agent-netty brings grpc-netty).
 */
public final class XdsChannels {
  /** Reads token files, a few bytes at stream start; one daemon thread for the JVM. */
  private static final java.util.concurrent.Executor TOKEN_READER =
      java.util.concurrent.Executors.newSingleThreadExecutor(
          DaemonThreads.named("mesh-agent-token-reader"));

  private XdsChannels() {}

  /** The channel to the xDS server of {@code config}. */
  public static ManagedChannel open(MeshAgentConfig config, XdsSource.Server server) {
    return open(server, config.xdsRootCert(), config.xdsServerName(), config.tokenFile(), "xds");
  }

  /**
   * A channel to a control-plane server (istiod's xDS or CA port).
   *
   * @param settingPrefix {@code xds} or {@code identity}, to name the setting in errors
   * @throws MeshAgentConfigException if the root certificate or the token file cannot be used
   */
  public static ManagedChannel open(
      XdsSource.Server server,
      @Nullable Path rootCert,
      @Nullable String serverName,
      @Nullable Path tokenFile,
      String settingPrefix) {
    ChannelCredentials credentials;
    if (server.tls()) {
      TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
      if (rootCert != null) {
        try {
          tls.trustManager(rootCert.toFile());
        } catch (IOException e) {
          throw new MeshAgentConfigException(
              settingPrefix + ".rootCert", "cannot read " + rootCert + ": " + e.getMessage());
        }
      }
      credentials = tls.build();
      if (tokenFile != null) {
        if (!Files.isReadable(tokenFile)) {
          throw new MeshAgentConfigException(
              "xds.tokenFile", tokenFile + " does not exist or is not readable");
        }
        credentials =
            CompositeChannelCredentials.create(
                credentials, new TokenFileCallCredentials(tokenFile, TOKEN_READER));
      }
    } else {
      credentials = InsecureChannelCredentials.create();
    }
    ManagedChannelBuilder<?> builder =
        Grpc.newChannelBuilderForAddress(server.host(), server.port(), credentials)
            .keepAliveTime(30, TimeUnit.SECONDS)
            .keepAliveTimeout(10, TimeUnit.SECONDS)
            // istiod pushes whole configurations; Envoy accepts large responses too.
            .maxInboundMessageSize(256 * 1024 * 1024)
            .userAgent("mesh-agent");
    if (serverName != null) {
      builder.overrideAuthority(serverName);
    }
    return builder.build();
  }
}
