package io.meshagent.core.internal.agent;

import io.grpc.ManagedChannel;
import io.meshagent.ControlPlaneStatus;
import io.meshagent.MeshAgent;
import io.meshagent.MeshAgentConfig;
import io.meshagent.Subscription;
import io.meshagent.XdsSource;
import io.meshagent.core.internal.config.ConfigSource;
import io.meshagent.core.internal.config.ControlContext;
import io.meshagent.core.internal.config.DaemonThreads;
import io.meshagent.core.internal.config.RawSnapshot;
import io.meshagent.core.internal.config.ResourceStore;
import io.meshagent.core.internal.config.SnapshotPublisher;
import io.meshagent.core.internal.file.FileConfigSource;
import io.meshagent.core.internal.file.ResourceFileParser;
import io.meshagent.core.internal.grpc.XdsChannels;
import io.meshagent.core.internal.identity.IdentityManager;
import io.meshagent.core.internal.node.IstioNodeFactory;
import io.meshagent.core.internal.xds.XdsClient;
import io.meshagent.core.xds.XdsResourceType;
import io.meshagent.identity.IdentityStatus;
import io.meshagent.identity.SpiffeId;
import io.meshagent.snapshot.MeshSnapshot;
import io.meshagent.snapshot.ResourceTypes;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/** The agent: a control context, a resource store, a publisher and one configuration source. */
final class CoreMeshAgent implements MeshAgent {
  private static final Duration FILE_POLL_INTERVAL = Duration.ofMillis(250);
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

  private final MeshAgentConfig config;
  private final ControlContext context;
  private final SnapshotPublisher publisher;
  private final ResourceStore store;
  private final ConfigSource source;
  private final @Nullable ManagedChannel channel;
  private final Identities.@Nullable Built identity;
  private final ExecutorService blocking;
  private final AtomicBoolean closed = new AtomicBoolean();

  private CoreMeshAgent(
      MeshAgentConfig config,
      ControlContext context,
      SnapshotPublisher publisher,
      ResourceStore store,
      ConfigSource source,
      @Nullable ManagedChannel channel,
      Identities.@Nullable Built identity,
      ExecutorService blocking) {
    this.config = config;
    this.context = context;
    this.publisher = publisher;
    this.store = store;
    this.source = source;
    this.channel = channel;
    this.identity = identity;
    this.blocking = blocking;
  }

  static CoreMeshAgent start(MeshAgentConfig config) {
    Map<String, XdsResourceType<?>> types =
        ResourceTypeRegistry.load(CoreMeshAgent.class.getClassLoader());
    ResourceTypeRegistry.requireRegistered(config.extraTypes(), types);
    // Fail on bad node metadata before any thread starts.
    var node = IstioNodeFactory.build(config.node(), config.profile());
    Clock clock = Clock.systemUTC();
    ControlContext context = new ControlContext("mesh-agent-control");
    ResourceStore store = new ResourceStore(types, clock);
    SnapshotPublisher publisher = new SnapshotPublisher();
    ConfigSource source;
    ManagedChannel channel = null;
    Identities.Built identity = null;
    // Key generation, file and dev-CA I/O: work the control context must not do.
    ExecutorService blocking =
        Executors.newCachedThreadPool(DaemonThreads.named("mesh-agent-blocking"));
    try {
      if (config.xdsSource() instanceof XdsSource.File file) {
        List<String> typeUrls =
            new ArrayList<>(
                List.of(
                    ResourceTypes.LISTENER,
                    ResourceTypes.ROUTE_CONFIGURATION,
                    ResourceTypes.CLUSTER,
                    ResourceTypes.CLUSTER_LOAD_ASSIGNMENT));
        typeUrls.addAll(config.extraTypes());
        source =
            new FileConfigSource(
                file.path(),
                new ResourceFileParser(types.values().stream().map(t -> t.descriptor()).toList()),
                context,
                store,
                publisher,
                FILE_POLL_INTERVAL,
                typeUrls,
                clock);
      } else {
        XdsSource.Server server = (XdsSource.Server) config.xdsSource();
        channel = XdsChannels.open(config, server);
        List<String> wildcard =
            new ArrayList<>(List.of(ResourceTypes.CLUSTER, ResourceTypes.LISTENER));
        wildcard.addAll(config.extraTypes());
        source =
            new XdsClient(
                channel,
                node,
                config.xdsProtocol(),
                wildcard,
                context,
                store,
                publisher,
                config.initialFetchTimeout(),
                config.reconnectInitialBackoff(),
                config.reconnectMaxBackoff(),
                () -> ThreadLocalRandom.current().nextDouble(),
                server.toString(),
                clock);
      }
      identity = Identities.create(config, channel, context, blocking, clock);
    } catch (RuntimeException e) {
      context.close();
      blocking.shutdownNow();
      if (channel != null) {
        channel.shutdownNow();
      }
      throw e;
    }
    CoreMeshAgent agent =
        new CoreMeshAgent(config, context, publisher, store, source, channel, identity, blocking);
    source.start();
    if (identity != null) {
      identity.manager().start();
    }
    return agent;
  }

  ControlContext controlContext() {
    return context;
  }

  /** The node this agent presents to the control plane. */
  io.envoyproxy.envoy.config.core.v3.Node node() {
    return IstioNodeFactory.build(config.node(), config.profile());
  }

  RawSnapshot rawSnapshot() {
    return store.rawSnapshot();
  }

  @Override
  public MeshAgentConfig config() {
    return config;
  }

  @Override
  public MeshSnapshot snapshot() {
    return publisher.current();
  }

  @Override
  public MeshSnapshot awaitInitialConfig(Duration timeout)
      throws TimeoutException, InterruptedException {
    try {
      return publisher.initialConfig().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("unreachable: the initial-config future never fails", e);
    } catch (TimeoutException e) {
      ControlPlaneStatus s = source.status();
      TimeoutException t =
          new TimeoutException(
              "no complete configuration from "
                  + s.source()
                  + " within "
                  + timeout
                  + (s.lastError() != null ? "; last error: " + s.lastError() : ""));
      t.initCause(e);
      throw t;
    }
  }

  @Override
  public Subscription subscribe(Executor executor, Consumer<? super MeshSnapshot> listener) {
    return publisher.subscribe(executor, listener);
  }

  /** The identity manager, or null without an identity provider; for the data plane. */
  @Nullable IdentityManager identityManager() {
    return identity == null ? null : identity.manager();
  }

  @Override
  public IdentityStatus identityStatus() {
    return identity == null
        ? new IdentityStatus("none", null, null, null, null, null, null)
        : identity.manager().status();
  }

  @Override
  public SpiffeId awaitIdentity(Duration timeout) throws TimeoutException, InterruptedException {
    if (identity == null) {
      throw new IllegalStateException("identity.provider is NONE: this agent has no identity");
    }
    try {
      return identity.manager().first().get(timeout.toNanos(), TimeUnit.NANOSECONDS).id();
    } catch (ExecutionException e) {
      throw new IllegalStateException("unreachable: the first-certificate future never fails", e);
    } catch (TimeoutException e) {
      IdentityStatus s = identity.manager().status();
      TimeoutException t =
          new TimeoutException(
              "no workload certificate from "
                  + s.provider()
                  + " within "
                  + timeout
                  + (s.lastError() != null ? "; last error: " + s.lastError() : ""));
      t.initCause(e);
      throw t;
    }
  }

  @Override
  public ControlPlaneStatus controlPlaneStatus() {
    return source.status();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    source.close();
    if (identity != null) {
      identity.manager().close();
    }
    // After the source's own close task (the context is serial), so the stream's end is not
    // mistaken for a failure to recover from.
    CompletableFuture<Void> channelsClosed = new CompletableFuture<>();
    context.execute(
        () -> {
          if (channel != null) {
            channel.shutdownNow();
          }
          if (identity != null && identity.ownChannel() != null) {
            identity.ownChannel().shutdownNow();
          }
          channelsClosed.complete(null);
        });
    // The pools are shut down from the caller's thread: stopping a pool takes its lock, which the
    // control context must never wait for. A close called from the context itself cannot wait.
    if (!context.inContext()) {
      try {
        channelsClosed.get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        // Closing goes on regardless; the context is stopped below.
      }
    }
    blocking.shutdownNow();
    if (!context.inContext()) {
      try {
        // Certificate and file work in flight ends before close returns: nothing writes after.
        blocking.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    context.close();
  }
}
