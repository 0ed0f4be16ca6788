package io.meshagent.samples.demo;

import io.meshagent.ControlPlaneStatus;
import io.meshagent.MeshAgent;
import io.meshagent.MeshAgentBuilder;
import io.meshagent.MeshAgentConfigException;
import io.meshagent.identity.IdentityProvider;
import io.meshagent.identity.SpiffeId;
import io.meshagent.netty.DataPlaneOptions;
import io.meshagent.netty.MeshDataPlane;
import io.meshagent.snapshot.MeshSnapshot;
import io.meshagent.traffic.MeshClient;
import io.meshagent.traffic.MeshHttpHandler;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * One workload's mesh member: its own {@link MeshAgent} and {@link MeshDataPlane}, as a service
 * would embed them, configured only through the public API.
 */
final class Member implements AutoCloseable {
  final Workload workload;
  final MeshAgent agent;
  private final String source;
  private @Nullable MeshDataPlane plane;
  private @Nullable MeshSnapshot snapshot;
  private @Nullable SpiffeId identity;

  private Member(Workload workload, MeshAgent agent, String source) {
    this.workload = workload;
    this.agent = agent;
    this.source = source;
  }

  /**
   * Starts the workload's agent: on the files with the dev CA in {@code devCa}, or on istiod with
   * istiod's CA. It connects in the background.
   */
  static Member connect(Workload w, DemoOptions options, @Nullable Path devCa)
      throws DemoException {
    MeshAgentBuilder b =
        MeshAgent.builder()
            .podName(w.name())
            .namespace(Workload.NAMESPACE)
            .serviceAccount(w.serviceAccount())
            .instanceIps(List.of(w.ip()))
            .label("app", w.app())
            .label("version", w.version());
    String source;
    String istiod = options.istiod();
    if (istiod == null) {
      Path file = options.configDir().resolve(w.configFile());
      if (!Files.isReadable(file)) {
        throw new DemoException(
            w.name() + ": cannot read " + file.toAbsolutePath() + " (see --config-dir)");
      }
      source = "file:" + file;
      // The embedded default: Envoy resources from a file, certificates from a local CA.
      b.xdsFile(file).identityProvider(IdentityProvider.DEV).devCaDir(requireCa(devCa));
    } else {
      Path token = requireToken(options, w);
      source = istiod;
      b.xdsAddress(istiod)
          .xdsServerName(options.istiodSan())
          .tokenFile(token)
          .identityProvider(IdentityProvider.ISTIOD);
      if (options.rootCert() != null) {
        b.xdsRootCert(options.rootCert());
      }
    }
    try {
      return new Member(w, b.build(), source);
    } catch (MeshAgentConfigException e) {
      throw new DemoException(w.name() + ": " + e.getMessage());
    }
  }

  private static Path requireCa(@Nullable Path devCa) {
    if (devCa == null) {
      throw new IllegalStateException("the files need the dev CA");
    }
    return devCa;
  }

  private static Path requireToken(DemoOptions options, Workload w) throws DemoException {
    Path dir = options.tokenDir();
    Path token = (dir == null ? Path.of(".") : dir).resolve(w.serviceAccount());
    if (!Files.isReadable(token)) {
      throw new DemoException(
          w.name()
              + ": no token for service account "
              + w.serviceAccount()
              + " at "
              + token
              + " (kubectl create token "
              + w.serviceAccount()
              + " -n "
              + Workload.NAMESPACE
              + " --audience istio-ca > "
              + token
              + ")");
    }
    return token;
  }

  /** Waits for the first complete configuration and the workload certificate. */
  void awaitReady(Duration timeout) throws DemoException, InterruptedException {
    try {
      snapshot = agent.awaitInitialConfig(timeout);
    } catch (TimeoutException e) {
      ControlPlaneStatus s = agent.controlPlaneStatus();
      throw new DemoException(
          workload.name()
              + ": no configuration from "
              + source
              + " within "
              + timeout.toSeconds()
              + " s"
              + (s.lastError() == null ? "" : " (last error: " + s.lastError() + ")")
              + (source.startsWith("file:")
                  ? ""
                  : ". Is istiod reachable at "
                      + source
                      + " (kubectl -n istio-system port-forward svc/istiod 15012) and does it accept"
                      + " the token of "
                      + workload.serviceAccount()
                      + "?"));
    }
    ControlPlaneStatus s = agent.controlPlaneStatus();
    if (s.rejectedUpdates() > 0) {
      throw new DemoException(workload.name() + ": " + source + " was rejected: " + s.lastError());
    }
    try {
      identity = agent.awaitIdentity(timeout);
    } catch (TimeoutException e) {
      throw new DemoException(
          workload.name() + ": no workload certificate within " + timeout + ": " + e.getMessage());
    }
  }

  /** Starts the data plane: outbound traffic can flow. */
  void startDataPlane(boolean accessLog) {
    plane =
        MeshDataPlane.start(
            agent, DataPlaneOptions.defaults().withEventLoopThreads(1).withAccessLog(accessLog));
  }

  /**
   * Serves the app on {@code ip:9080} (mTLS as the inbound chains say), HBONE on {@code ip:15008},
   * the agent's admin on {@code ip:15000} and its metrics on {@code ip:15020}.
   */
  void serve(MeshHttpHandler app) throws DemoException, InterruptedException {
    MeshDataPlane p = plane();
    String ip = workload.ip();
    try {
      p.serveHttp(new InetSocketAddress(ip, Workload.SERVICE_PORT), Workload.SERVICE_PORT, app);
      p.startHbone(new InetSocketAddress(ip, Workload.HBONE_PORT));
      p.startAdmin(new InetSocketAddress(ip, Workload.ADMIN_PORT));
      p.startMergedMetrics(new InetSocketAddress(ip, Workload.METRICS_PORT), 0, "");
    } catch (RuntimeException e) {
      throw new DemoException(
          workload.name() + ": cannot serve on " + workload.ip() + ": " + e.getMessage());
    }
  }

  MeshDataPlane plane() {
    MeshDataPlane p = plane;
    if (p == null) {
      throw new IllegalStateException(workload.name() + " is not serving");
    }
    return p;
  }

  MeshClient client() {
    return plane().client();
  }

  /** The configuration it started with (after {@link #awaitReady}). */
  @Nullable MeshSnapshot snapshot() {
    return snapshot;
  }

  /** Its identity (after {@link #awaitReady}). */
  @Nullable SpiffeId identity() {
    return identity;
  }

  /** Where its configuration comes from. */
  String source() {
    return source;
  }

  /** Closes the data plane, then the agent. */
  @Override
  public void close() {
    MeshDataPlane p = plane;
    if (p != null) {
      p.close();
    }
    agent.close();
  }
}
