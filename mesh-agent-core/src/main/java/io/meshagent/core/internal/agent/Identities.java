package io.meshagent.core.internal.agent;

import io.grpc.ManagedChannel;
import io.meshagent.MeshAgentConfig;
import io.meshagent.MeshAgentConfigException;
import io.meshagent.XdsSource;
import io.meshagent.core.internal.config.ControlContext;
import io.meshagent.core.internal.grpc.XdsChannels;
import io.meshagent.core.internal.identity.ControlTimeSource;
import io.meshagent.core.internal.identity.IdentityManager;
import io.meshagent.core.internal.identity.dev.DevCertificateAuthority;
import io.meshagent.core.internal.identity.files.FileCertificateSource;
import io.meshagent.core.internal.identity.istiod.IstiodCertificateIssuer;
import io.meshagent.core.internal.identity.spire.SpireCertificateSource;
import io.meshagent.identity.IdentityConfig;
import io.meshagent.identity.SpiffeId;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/** Builds the identity manager the configuration asks for. */
final class Identities {
  private static final Duration RETRY_INITIAL = Duration.ofSeconds(1);
  private static final Duration RETRY_MAX = Duration.ofMinutes(2);
  private static final Duration FILE_POLL = Duration.ofSeconds(1);

  private Identities() {}

  /** What an identity needs besides the manager: a channel of its own, to close with it. */
  record Built(IdentityManager manager, @Nullable ManagedChannel ownChannel) {}

  static @Nullable Built create(
      MeshAgentConfig config,
      @Nullable ManagedChannel xdsChannel,
      ControlContext context,
      ExecutorService blocking,
      Clock clock) {
    IdentityConfig id = config.identity();
    SpiffeId requested =
        SpiffeId.ofIstio(
            id.trustDomain(), config.node().namespace(), config.node().serviceAccount());
    String provider = id.provider().name().toLowerCase(Locale.ROOT);
    ControlTimeSource time = new ControlTimeSource(context, clock);
    return switch (id.provider()) {
      case NONE -> null;
      case ISTIOD -> {
        ManagedChannel own = null;
        ManagedChannel channel = xdsChannel;
        String caName = config.xdsSource().toString();
        if (id.caAddress() != null) {
          XdsSource.Server ca =
              (XdsSource.Server) XdsSource.parse("identity.caAddress", id.caAddress());
          own =
              XdsChannels.open(
                  ca,
                  id.caRootCert() != null ? id.caRootCert() : config.xdsRootCert(),
                  config.xdsServerName(),
                  config.tokenFile(),
                  "identity");
          channel = own;
          caName = ca.toString();
        }
        if (channel == null) {
          throw new MeshAgentConfigException(
              "identity.caAddress", "is required with identity.provider=ISTIOD");
        }
        IstiodCertificateIssuer issuer =
            new IstiodCertificateIssuer(
                channel, caName, requested, id.certTtl(), config.node().clusterId(), List.of());
        yield new Built(manager(provider, issuer, null, id, context, blocking, time), own);
      }
      case DEV ->
          new Built(
              manager(
                  provider,
                  new DevCertificateAuthority(
                      id.devCaDir(), requested, id.certTtl(), blocking, clock),
                  null,
                  id,
                  context,
                  blocking,
                  time),
              null);
      case FILES ->
          new Built(
              manager(
                  provider,
                  null,
                  new FileCertificateSource(id.certDir(), FILE_POLL),
                  id,
                  context,
                  blocking,
                  time),
              null);
      case SPIRE -> {
        SpireCertificateSource source;
        try {
          source =
              new SpireCertificateSource(
                  id.spiffeEndpointSocket(), RETRY_INITIAL, RETRY_MAX, context.scheduler());
        } catch (IllegalArgumentException e) {
          throw new MeshAgentConfigException("identity.spiffeEndpointSocket", e.getMessage());
        }
        yield new Built(manager(provider, null, source, id, context, blocking, time), null);
      }
    };
  }

  private static IdentityManager manager(
      String provider,
      io.meshagent.core.identity.@Nullable CertificateIssuer issuer,
      io.meshagent.core.identity.@Nullable CertificateSource source,
      IdentityConfig id,
      ControlContext context,
      ExecutorService blocking,
      ControlTimeSource time) {
    return new IdentityManager(
        provider,
        issuer,
        source,
        id.trustDomain(),
        id.keyAlgorithm(),
        id.rotationRatio(),
        id.rotationJitter(),
        RETRY_INITIAL,
        RETRY_MAX,
        context,
        blocking,
        time,
        () -> ThreadLocalRandom.current().nextDouble());
  }
}
