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
import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

/**
 * Opens the gRPC channel to the control plane: plaintext (istiod's 15010) or TLS verified against
 * the configured roots (15012), with the bearer token as call credentials. The transport is
 * whatever gRPC provider is on the class path (mesh-agent-netty brings grpc-netty).
 */
public final class XdsChannels {
  /** Reads token files, a few bytes at stream start; one daemon thread for the JVM. */
  private static final java.util.concurrent.Executor TOKEN_READER =
      java.util.concurrent.Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "mesh-agent-token-reader");
            t.setDaemon(true);
            return t;
          });

  private XdsChannels() {}

  /**
   * @throws MeshAgentConfigException if the root certificate or the token file cannot be used
   */
  public static ManagedChannel open(MeshAgentConfig config, XdsSource.Server server) {
    ChannelCredentials credentials;
    if (server.tls()) {
      TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
      if (config.xdsRootCert() != null) {
        try {
          tls.trustManager(config.xdsRootCert().toFile());
        } catch (IOException e) {
          throw new MeshAgentConfigException(
              "xds.rootCert", "cannot read " + config.xdsRootCert() + ": " + e.getMessage());
        }
      }
      credentials = tls.build();
      if (config.tokenFile() != null) {
        if (!Files.isReadable(config.tokenFile())) {
          throw new MeshAgentConfigException(
              "xds.tokenFile", config.tokenFile() + " does not exist or is not readable");
        }
        credentials =
            CompositeChannelCredentials.create(
                credentials, new TokenFileCallCredentials(config.tokenFile(), TOKEN_READER));
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
    if (config.xdsServerName() != null) {
      builder.overrideAuthority(config.xdsServerName());
    }
    return builder.build();
  }
}
