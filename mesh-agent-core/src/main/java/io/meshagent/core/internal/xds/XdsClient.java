package io.meshagent.core.internal.xds;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.grpc.Channel;
import io.grpc.Status;
import io.meshagent.ControlPlaneStatus;
import io.meshagent.XdsProtocol;
import io.meshagent.core.internal.config.ConfigSource;
import io.meshagent.core.internal.config.ControlContext;
import io.meshagent.core.internal.config.ConvertedUpdate;
import io.meshagent.core.internal.config.ResourceStore;
import io.meshagent.core.internal.config.SnapshotPublisher;
import io.meshagent.core.internal.config.SourceStatus;
import io.meshagent.core.internal.config.UpdateRejectedException;
import io.meshagent.core.internal.retry.Backoff;
import io.meshagent.snapshot.ResourceTypes;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.function.DoubleSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ADS client. It keeps one stream open (SotW or Delta), subscribes to the wildcard types and to
 * the route and endpoint names the snapshot references, ACKs what it accepts, NACKs what it cannot
 * convert (keeping the previous state), and reconnects with backoff, serving the last good
 * configuration meanwhile.
 *
 * <p>All state is owned by the control context; gRPC delivers stream events there directly.
 */
public final class XdsClient implements ConfigSource, StreamListener {
  private static final Logger log = LoggerFactory.getLogger(XdsClient.class);

  /** Named types and the wildcard type whose resources name them. */
  private static final List<String> NAMED_TYPES =
      List.of(ResourceTypes.CLUSTER_LOAD_ASSIGNMENT, ResourceTypes.ROUTE_CONFIGURATION);

  private final Channel channel;
  private final Node node;
  private final XdsProtocol protocol;
  private final ControlContext context;
  private final ResourceStore store;
  private final SnapshotPublisher publisher;
  private final Duration initialFetchTimeout;
  private final Backoff backoff;
  private final SourceStatus status;

  /** In subscription order: wildcard types first (CDS before LDS, as Envoy), then named ones. */
  private final Map<String, TypeState> types = new LinkedHashMap<>();

  private @Nullable AdsStream stream;
  private boolean streamAnswered;
  private @Nullable ScheduledFuture<?> reconnect;
  private boolean closed;
  private long publishedChange = -1;
  private boolean publishedComplete;
  private long snapshotVersion;

  /**
   * @param wildcardTypes the wildcard types to subscribe to, in order
   * @param random source of jitter in [0, 1)
   */
  public XdsClient(
      Channel channel,
      Node node,
      XdsProtocol protocol,
      List<String> wildcardTypes,
      ControlContext context,
      ResourceStore store,
      SnapshotPublisher publisher,
      Duration initialFetchTimeout,
      Duration backoffInitial,
      Duration backoffMax,
      DoubleSupplier random,
      String sourceName,
      Clock clock) {
    this.channel = channel;
    this.node = node;
    this.protocol = protocol;
    this.context = context;
    this.store = store;
    this.publisher = publisher;
    this.initialFetchTimeout = initialFetchTimeout;
    this.backoff = new Backoff(backoffInitial, backoffMax, random);
    this.status = new SourceStatus(sourceName, clock);
    for (String typeUrl : wildcardTypes) {
      types.put(typeUrl, new TypeState(typeUrl, true));
    }
    for (String typeUrl : NAMED_TYPES) {
      types.put(typeUrl, new TypeState(typeUrl, false));
    }
  }

  @Override
  public void start() {
    context.execute(
        () -> {
          for (TypeState st : types.values()) {
            if (st.wildcard) {
              st.wildcardTimer = context.schedule(() -> wildcardTimedOut(st), initialFetchTimeout);
            }
          }
          connect();
        });
  }

  @Override
  public ControlPlaneStatus status() {
    return status.get();
  }

  @Override
  public void close() {
    context.execute(
        () -> {
          closed = true;
          if (reconnect != null) {
            reconnect.cancel(false);
          }
          if (stream != null) {
            stream.cancel("mesh-agent is closing");
            stream = null;
          }
          for (TypeState st : types.values()) {
            st.cancelTimers();
          }
        });
  }

  private void connect() {
    assert context.inContext();
    reconnect = null;
    if (closed) {
      return;
    }
    AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceStub stub =
        AggregatedDiscoveryServiceGrpc.newStub(channel).withExecutor(context);
    AdsStream s;
    if (protocol == XdsProtocol.DELTA) {
      DeltaAdsStream delta = new DeltaAdsStream(node, this);
      stub.deltaAggregatedResources(delta);
      s = delta;
    } else {
      SotwAdsStream sotw = new SotwAdsStream(node, this);
      stub.streamAggregatedResources(sotw);
      s = sotw;
    }
    stream = s;
    streamAnswered = false;
    for (TypeState st : types.values()) {
      st.nonce = "";
      if (st.wildcard || !st.names.isEmpty()) {
        Map<String, String> known =
            protocol == XdsProtocol.DELTA ? store.versions(st.typeUrl) : Map.of();
        s.subscribe(st.typeUrl, st.wildcard, st.names, st.names, Set.of(), st.version, "", known);
      }
    }
    log.debug("ADS {} stream opened to {}", protocol, status.get().source());
  }

  @Override
  public void onResponse(AdsStream from, ResponseEvent response) {
    assert context.inContext();
    if (from != stream || closed) {
      return;
    }
    if (!streamAnswered) {
      streamAnswered = true;
      status.connected();
      log.info("connected to {} ({} ADS)", status.get().source(), protocol);
    }
    TypeState st = types.get(response.typeUrl());
    if (st == null) {
      String error = "type " + response.typeUrl() + " was not subscribed";
      from.nack(response.typeUrl(), true, Set.of(), "", response.nonce(), error);
      return;
    }
    st.nonce = response.nonce();
    ConvertedUpdate entries;
    try {
      entries = store.convert(st.typeUrl, response.resources(), response.version());
    } catch (UpdateRejectedException e) {
      String error = e.getMessage();
      log.warn(
          "rejected {} update version '{}' from {}: {}",
          shortType(st.typeUrl),
          response.version(),
          status.get().source(),
          error);
      status.rejected(error);
      from.nack(st.typeUrl, st.wildcard, st.names, st.version, response.nonce(), error);
      return;
    }
    if (!st.wildcard) {
      entries.retainNames(st.names);
    }
    if (response.stateOfTheWorld() && st.wildcard) {
      store.replaceAll(st.typeUrl, entries);
    } else {
      List<String> removed = new ArrayList<>(response.removed());
      if (!st.wildcard) {
        removed.retainAll(st.names);
      }
      store.merge(st.typeUrl, entries, removed, !st.wildcard);
    }
    st.version = response.version();
    from.ack(st.typeUrl, st.wildcard, st.names, st.version, response.nonce());
    st.answered = true;
    if (st.wildcardTimer != null) {
      st.wildcardTimer.cancel(false);
      st.wildcardTimer = null;
    }
    if (!st.pending.isEmpty()) {
      st.pending.removeAll(entries.names());
      st.pending.removeAll(response.removed());
    }
    if (!st.nameTimers.isEmpty()) {
      for (String name : entries.names()) {
        ScheduledFuture<?> timer = st.nameTimers.remove(name);
        if (timer != null) {
          timer.cancel(false);
        }
      }
    }
    if (st.typeUrl.equals(ResourceTypes.LISTENER) || st.typeUrl.equals(ResourceTypes.CLUSTER)) {
      followSnapshot();
    }
    publish();
  }

  /** Subscribes to the names the current listeners and clusters reference, and only to those. */
  private void followSnapshot() {
    resubscribe(types.get(ResourceTypes.ROUTE_CONFIGURATION), store.referencedRouteNames());
    resubscribe(types.get(ResourceTypes.CLUSTER_LOAD_ASSIGNMENT), store.referencedEndpointNames());
  }

  private void resubscribe(TypeState st, Set<String> wanted) {
    if (wanted.equals(st.names)) {
      return;
    }
    Set<String> added = new LinkedHashSet<>(wanted);
    added.removeAll(st.names);
    Set<String> removed = new LinkedHashSet<>(st.names);
    removed.removeAll(wanted);
    st.names = new LinkedHashSet<>(wanted);
    store.retain(st.typeUrl, st.names);
    for (String name : removed) {
      st.pending.remove(name);
      ScheduledFuture<?> timer = st.nameTimers.remove(name);
      if (timer != null) {
        timer.cancel(false);
      }
    }
    for (String name : added) {
      if (!store.resolved(st.typeUrl, name)) {
        st.pending.add(name);
        st.nameTimers.put(
            name, context.schedule(() -> nameTimedOut(st, name), initialFetchTimeout));
      }
    }
    if (stream != null) {
      stream.subscribe(st.typeUrl, false, st.names, added, removed, st.version, st.nonce, Map.of());
    }
  }

  private void wildcardTimedOut(TypeState st) {
    st.wildcardTimer = null;
    if (!st.answered && !closed) {
      log.warn(
          "no {} from {} within {}; treating it as empty until it answers",
          shortType(st.typeUrl),
          status.get().source(),
          initialFetchTimeout);
      st.answered = true;
      publish();
    }
  }

  private void nameTimedOut(TypeState st, String name) {
    st.nameTimers.remove(name);
    if (!closed && st.names.contains(name) && !store.resolved(st.typeUrl, name)) {
      log.warn(
          "{} '{}' not received from {} within {}; it does not exist until it arrives",
          shortType(st.typeUrl),
          name,
          status.get().source(),
          initialFetchTimeout);
      store.markAbsent(st.typeUrl, name);
      st.pending.remove(name);
      publish();
    }
  }

  @Override
  public void onClosed(AdsStream from, Status closeStatus) {
    assert context.inContext();
    if (from != stream) {
      return;
    }
    stream = null;
    if (closed) {
      return;
    }
    if (streamAnswered) {
      backoff.reset();
    }
    Duration delay = backoff.next();
    String error =
        "ADS stream to "
            + status.get().source()
            + " closed: "
            + closeStatus.getCode()
            + (closeStatus.getDescription() != null ? " " + closeStatus.getDescription() : "");
    status.disconnected(error);
    log.warn(
        "{}; serving the last good configuration, reconnecting in {} ms", error, delay.toMillis());
    reconnect = context.schedule(this::connect, delay);
  }

  private void publish() {
    boolean complete = complete();
    if (store.changeCount() == publishedChange && complete == publishedComplete) {
      return;
    }
    publishedChange = store.changeCount();
    publishedComplete = complete;
    publisher.publish(store.snapshot(++snapshotVersion, complete));
  }

  private boolean complete() {
    for (TypeState st : types.values()) {
      if (st.wildcard) {
        if (!st.answered) {
          return false;
        }
      } else if (!st.pending.isEmpty()) {
        return false;
      }
    }
    return true;
  }

  private static String shortType(String typeUrl) {
    return typeUrl.substring(typeUrl.lastIndexOf('.') + 1);
  }

  /** Bookkeeping of one type. */
  private static final class TypeState {
    final String typeUrl;
    final boolean wildcard;
    Set<String> names = new LinkedHashSet<>();

    /** Subscribed names neither received nor declared absent; start-up completes when empty. */
    final Set<String> pending = new java.util.HashSet<>();

    String version = "";
    String nonce = "";
    boolean answered;
    @Nullable ScheduledFuture<?> wildcardTimer;
    final Map<String, ScheduledFuture<?>> nameTimers = new HashMap<>();

    TypeState(String typeUrl, boolean wildcard) {
      this.typeUrl = typeUrl;
      this.wildcard = wildcard;
    }

    void cancelTimers() {
      if (wildcardTimer != null) {
        wildcardTimer.cancel(false);
      }
      nameTimers.values().forEach(t -> t.cancel(false));
      nameTimers.clear();
    }
  }
}
