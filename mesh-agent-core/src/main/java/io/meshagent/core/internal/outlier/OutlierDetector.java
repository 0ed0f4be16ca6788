package io.meshagent.core.internal.outlier;

import io.meshagent.model.cluster.OutlierDetectionPolicy;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.random.RandomGenerator;

/**
 * Envoy's outlier detector for one cluster ({@code
 * source/common/upstream/outlier_detection_impl.cc} semantics).
 *
 * <p>Threads: {@link #report} is called from any event-loop thread and only touches lock-free
 * counters; when a consecutive-error counter reaches its threshold the ejection decision is posted
 * to the {@code owner} executor, as Envoy posts to its main thread. {@link #updateHosts}, {@link
 * #tick} and every state transition run on that owner, a serial executor (the control-plane
 * context); nothing here blocks and nothing holds a lock. Readers ({@link #ejected}, {@link
 * #isEjected}, {@link #status}) see immutable snapshots from any thread.
 *
 * <p>Ejection: a host ejected for the n-th time in a row stays out {@code min(base_ejection_time ×
 * multiplier, max_ejection_time) + jitter}, where the multiplier grows by one per ejection (until
 * the cap is reached) and shrinks by one per {@code interval} the host spends healthy. An ejection
 * is allowed while {@code 100 × (ejected + 1) / hosts <= max_ejection_percent}, or for the first
 * host with {@code always_eject_one_host}; so with the default 10% a cluster of fewer than ten
 * hosts ejects nothing, as in Envoy. Each detection is enforced with its {@code enforcing_*}
 * percentage, drawn from the injected random.
 */
public final class OutlierDetector {
  private final String clusterName;
  private final OutlierDetectionPolicy policy;
  private final InstantSource clock;
  private final RandomGenerator random;
  private final Executor owner;

  private volatile Map<String, HostMonitor> monitors = Map.of();
  private volatile Set<String> ejected = Set.of();
  private volatile SuccessRateStats externalStats = SuccessRateStats.NONE;
  private volatile SuccessRateStats localOriginStats = SuccessRateStats.NONE;
  // Only the owner thread writes these; volatile / atomic for the admin view.
  private volatile int ejectionsActive;
  private final AtomicLong overflow = new AtomicLong();
  private final AtomicLongArray detected = new AtomicLongArray(EjectionType.values().length);
  private final AtomicLongArray enforced = new AtomicLongArray(EjectionType.values().length);

  /**
   * Creates a detector with no hosts.
   *
   * @param clusterName for the admin view
   * @param policy the cluster's outlier detection
   * @param clock the time consecutive-error ejections are stamped with (the same time base as the
   *     instants given to {@link #tick})
   * @param random draws enforcement ({@code nextInt(100) < enforcing_*}) and jitter
   * @param owner the serial executor all state transitions run on; never blocked
   */
  public OutlierDetector(
      String clusterName,
      OutlierDetectionPolicy policy,
      InstantSource clock,
      RandomGenerator random,
      Executor owner) {
    this.clusterName = Objects.requireNonNull(clusterName, "clusterName");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.random = Objects.requireNonNull(random, "random");
    this.owner = Objects.requireNonNull(owner, "owner");
  }

  /** The policy this detector applies; its {@code interval} is the period {@link #tick} wants. */
  public OutlierDetectionPolicy policy() {
    return policy;
  }

  /**
   * Sets the cluster's hosts (EDS update): new keys start clean, removed keys are forgotten, and
   * kept keys keep their state. Owner thread.
   */
  public void updateHosts(Collection<String> endpointKeys) {
    Map<String, HostMonitor> old = monitors;
    Map<String, HostMonitor> next = new HashMap<>();
    for (String key : endpointKeys) {
      HostMonitor m = old.get(key);
      next.put(key, m != null ? m : new HostMonitor(key, this, policy));
    }
    for (HostMonitor m : old.values()) {
      if (!next.containsKey(m.key) && m.ejected) {
        ejectionsActive--;
      }
    }
    monitors = Map.copyOf(next);
    publishEjected();
  }

  /** Records one result for a host; unknown hosts are ignored. Any thread, lock-free. */
  public void report(String endpointKey, Result result) {
    HostMonitor m = monitors.get(endpointKey);
    if (m != null) {
      m.put(result);
    }
  }

  /** The ejected endpoint keys: an immutable snapshot, read without locks. */
  public Set<String> ejected() {
    return ejected;
  }

  /** Whether the host is ejected now. */
  public boolean isEjected(String endpointKey) {
    return ejected.contains(endpointKey);
  }

  /** Called from a reporting thread when a consecutive counter reaches its threshold. */
  void onConsecutiveError(HostMonitor host, EjectionType type) {
    owner.execute(() -> onConsecutiveErrorOnOwner(host, type));
  }

  private void onConsecutiveErrorOnOwner(HostMonitor host, EjectionType type) {
    // The host may have been removed, or ejected, while the post was queued.
    if (monitors.get(host.key) != host || host.ejected) {
      return;
    }
    eject(host, type, clock.instant());
    // Reset so a fresh bout of errors is detected even without an interleaved success.
    switch (type) {
      case CONSECUTIVE_5XX -> host.consecutive5xx.set(0);
      case CONSECUTIVE_GATEWAY_FAILURE -> host.consecutiveGatewayFailure.set(0);
      case CONSECUTIVE_LOCAL_ORIGIN_FAILURE -> host.consecutiveLocalOriginFailure.set(0);
      default -> throw new AssertionError(type);
    }
  }

  /**
   * One {@code interval} sweep: un-ejects hosts whose time is up, closes the success-rate interval,
   * runs success-rate and failure-percentage detection, and shrinks the multiplier of hosts that
   * stayed healthy. Owner thread, every {@link OutlierDetectionPolicy#interval()}.
   */
  public void tick(Instant now) {
    Collection<HostMonitor> hosts = monitors.values();
    boolean changed = false;
    for (HostMonitor m : hosts) {
      if (m.ejected && ejectionElapsed(m, now)) {
        uneject(m, now);
        changed = true;
      }
      m.externalOrigin.swap();
      m.localOrigin.swap();
      m.successRate = -1;
      m.localOriginSuccessRate = -1;
    }
    if (changed) {
      publishEjected();
    }
    externalStats = processSuccessRate(hosts, false, now);
    localOriginStats = processSuccessRate(hosts, true, now);
    for (HostMonitor m : hosts) {
      if (!m.ejected
          && m.lastUnejection != null
          && Duration.between(m.lastUnejection, now).compareTo(policy.interval()) >= 0
          && m.ejectionMultiplier > 0) {
        m.ejectionMultiplier--;
      }
    }
  }

  private boolean ejectionElapsed(HostMonitor m, Instant now) {
    Duration length = policy.baseEjectionTime().multipliedBy(m.ejectionMultiplier);
    if (length.compareTo(policy.maxEjectionTime()) > 0) {
      length = policy.maxEjectionTime();
    }
    Instant since = Objects.requireNonNull(m.lastEjection, "lastEjection");
    return length.plus(m.jitter).compareTo(Duration.between(since, now)) <= 0;
  }

  private void uneject(HostMonitor m, Instant now) {
    ejectionsActive--;
    m.ejected = false;
    m.resetConsecutive();
    m.lastUnejection = now;
  }

  private SuccessRateStats processSuccessRate(
      Collection<HostMonitor> hosts, boolean local, Instant now) {
    long srMinHosts = policy.successRateMinimumHosts();
    long srVolume = policy.successRateRequestVolume();
    long fpMinHosts = policy.failurePercentageMinimumHosts();
    long fpVolume = policy.failurePercentageRequestVolume();
    if (hosts.size() < srMinHosts && hosts.size() < fpMinHosts) {
      return SuccessRateStats.NONE;
    }
    List<HostMonitor> srHosts = new ArrayList<>();
    List<Double> srRates = new ArrayList<>();
    List<HostMonitor> fpHosts = new ArrayList<>();
    List<Double> fpRates = new ArrayList<>();
    double sum = 0;
    for (HostMonitor m : hosts) {
      if (m.ejected) {
        continue;
      }
      SuccessRateAccumulator acc = local ? m.localOrigin : m.externalOrigin;
      long volume = acc.volume();
      if (volume == 0) {
        continue;
      }
      double rate = acc.successRate();
      if (volume >= Math.min(srVolume, fpVolume)) {
        if (local) {
          m.localOriginSuccessRate = rate;
        } else {
          m.successRate = rate;
        }
      }
      if (volume >= srVolume) {
        srHosts.add(m);
        srRates.add(rate);
        sum += rate;
      }
      if (volume >= fpVolume) {
        fpHosts.add(m);
        fpRates.add(rate);
      }
    }
    SuccessRateStats stats = SuccessRateStats.NONE;
    if (!srHosts.isEmpty() && srHosts.size() >= srMinHosts) {
      stats = SuccessRateStats.of(sum, srRates, policy.successRateStdevFactor() / 1000.0);
      for (int i = 0; i < srHosts.size(); i++) {
        if (srRates.get(i) < stats.ejectionThreshold()) {
          eject(
              srHosts.get(i),
              local ? EjectionType.SUCCESS_RATE_LOCAL_ORIGIN : EjectionType.SUCCESS_RATE,
              now);
        }
      }
    }
    if (!fpHosts.isEmpty() && fpHosts.size() >= fpMinHosts) {
      for (int i = 0; i < fpHosts.size(); i++) {
        HostMonitor m = fpHosts.get(i);
        // A host just ejected for its success rate is not ejected twice.
        if (!m.ejected && 100.0 - fpRates.get(i) >= policy.failurePercentageThreshold()) {
          eject(
              m,
              local
                  ? EjectionType.FAILURE_PERCENTAGE_LOCAL_ORIGIN
                  : EjectionType.FAILURE_PERCENTAGE,
              now);
        }
      }
    }
    return stats;
  }

  /** Ejects if the max-ejection percentage and enforcement allow. */
  private void eject(HostMonitor m, EjectionType type, Instant now) {
    detected.incrementAndGet(type.ordinal());
    int hosts = monitors.size();
    double ejectedPercent = 100.0 * (ejectionsActive + 1) / hosts;
    boolean allowed =
        ejectedPercent <= Math.min(100, policy.maxEjectionPercent())
            || (policy.alwaysEjectOneHost() && ejectionsActive == 0);
    if (!allowed) {
      overflow.incrementAndGet();
      return;
    }
    if (!enforced(type)) {
      return;
    }
    enforced.incrementAndGet(type.ordinal());
    ejectionsActive++;
    m.ejected = true;
    m.numEjections++;
    m.lastEjection = now;
    m.lastEjectionType = type;
    long maxJitterMillis = policy.maxEjectionTimeJitter().toMillis();
    m.jitter =
        maxJitterMillis > 0
            ? Duration.ofMillis(random.nextLong(maxJitterMillis + 1))
            : Duration.ZERO;
    Duration base = policy.baseEjectionTime();
    // Grow the multiplier only until base × multiplier passes the cap.
    if (base.multipliedBy(m.ejectionMultiplier).compareTo(policy.maxEjectionTime().plus(base))
        < 0) {
      m.ejectionMultiplier++;
    }
    publishEjected();
  }

  private boolean enforced(EjectionType type) {
    int percent =
        switch (type) {
          case CONSECUTIVE_5XX -> policy.enforcingConsecutive5xx();
          case CONSECUTIVE_GATEWAY_FAILURE -> policy.enforcingConsecutiveGatewayFailure();
          case CONSECUTIVE_LOCAL_ORIGIN_FAILURE -> policy.enforcingConsecutiveLocalOriginFailure();
          case SUCCESS_RATE -> policy.enforcingSuccessRate();
          case SUCCESS_RATE_LOCAL_ORIGIN -> policy.enforcingLocalOriginSuccessRate();
          case FAILURE_PERCENTAGE -> policy.enforcingFailurePercentage();
          case FAILURE_PERCENTAGE_LOCAL_ORIGIN -> policy.enforcingFailurePercentageLocalOrigin();
        };
    // Envoy's runtime featureEnabled(key, percent): random % 100 < percent.
    return percent >= 100 || (percent > 0 && random.nextInt(100) < percent);
  }

  private void publishEjected() {
    Set<String> keys = new HashSet<>();
    for (HostMonitor m : monitors.values()) {
      if (m.ejected) {
        keys.add(m.key);
      }
    }
    ejected = Set.copyOf(keys);
  }

  /** The state for an admin {@code /clusters} view. Any thread. */
  public OutlierStatus status() {
    List<OutlierStatus.Host> hosts = new ArrayList<>();
    for (HostMonitor m : monitors.values()) {
      hosts.add(
          new OutlierStatus.Host(
              m.key,
              m.ejected,
              m.numEjections,
              m.ejectionMultiplier,
              m.lastEjectionType,
              m.successRate,
              m.localOriginSuccessRate,
              m.consecutive5xx.get(),
              m.consecutiveGatewayFailure.get(),
              m.consecutiveLocalOriginFailure.get()));
    }
    hosts.sort((a, b) -> a.endpointKey().compareTo(b.endpointKey()));
    SuccessRateStats ext = externalStats;
    SuccessRateStats loc = localOriginStats;
    Map<EjectionType, Long> detectedByType = new EnumMap<>(EjectionType.class);
    Map<EjectionType, Long> enforcedByType = new EnumMap<>(EjectionType.class);
    for (EjectionType type : EjectionType.values()) {
      detectedByType.put(type, detected.get(type.ordinal()));
      enforcedByType.put(type, enforced.get(type.ordinal()));
    }
    return new OutlierStatus(
        clusterName,
        ejectionsActive,
        overflow.get(),
        detectedByType,
        enforcedByType,
        ext.average(),
        ext.ejectionThreshold(),
        loc.average(),
        loc.ejectionThreshold(),
        hosts);
  }

  /** The mean and threshold of one success-rate sweep; -1 each when there was none. */
  record SuccessRateStats(double average, double ejectionThreshold) {
    static final SuccessRateStats NONE = new SuccessRateStats(-1, -1);

    /** {@code mean - stdevFactor × stdev}, with the population standard deviation, as Envoy. */
    static SuccessRateStats of(double sum, List<Double> rates, double stdevFactor) {
      double mean = sum / rates.size();
      double variance = 0;
      for (double r : rates) {
        variance += (r - mean) * (r - mean);
      }
      variance /= rates.size();
      return new SuccessRateStats(mean, mean - stdevFactor * Math.sqrt(variance));
    }
  }

  @Override
  public String toString() {
    return "OutlierDetector{cluster=" + clusterName + ", ejected=" + ejected + "}";
  }
}
