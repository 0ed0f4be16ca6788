package io.meshagent.core.internal.circuitbreaker;

import io.meshagent.model.cluster.CircuitBreakerThresholds;
import io.meshagent.model.cluster.RoutingPriority;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One cluster's circuit breakers: for each {@link RoutingPriority} a counter per {@link Limit},
 * acquired with compare-and-set so the count never exceeds the limit, from any thread, without
 * locks. A CDS update ({@link #update}) changes the limits and keeps what is outstanding; as in
 * Envoy, lowering a limit refuses new acquisitions until enough are released.
 */
public final class CircuitBreakers {
  private final String clusterName;
  private final Resources defaultPriority;
  private final Resources highPriority;

  /** Creates the breakers of a cluster. */
  public CircuitBreakers(String clusterName, CircuitBreakerThresholds thresholds) {
    this.clusterName = Objects.requireNonNull(clusterName, "clusterName");
    Objects.requireNonNull(thresholds, "thresholds");
    this.defaultPriority = new Resources(thresholds.defaultPriority());
    this.highPriority = new Resources(thresholds.highPriority());
  }

  /** The cluster's name. */
  public String clusterName() {
    return clusterName;
  }

  /** The breakers for traffic of a priority. */
  public Resources forPriority(RoutingPriority priority) {
    return switch (priority) {
      case DEFAULT -> defaultPriority;
      case HIGH -> highPriority;
    };
  }

  /** Applies new limits (a CDS update), keeping outstanding permits. */
  public void update(CircuitBreakerThresholds thresholds) {
    defaultPriority.update(thresholds.defaultPriority());
    highPriority.update(thresholds.highPriority());
  }

  /** The counters of one priority. */
  public static final class Resources {
    private final Resource connections;
    private final Resource pendingRequests;
    private final Resource requests;
    private final Resource retries;

    Resources(CircuitBreakerThresholds.Limits limits) {
      connections = new Resource(Limit.MAX_CONNECTIONS, limits.maxConnections());
      pendingRequests = new Resource(Limit.MAX_PENDING_REQUESTS, limits.maxPendingRequests());
      requests = new Resource(Limit.MAX_REQUESTS, limits.maxRequests());
      retries = new Resource(Limit.MAX_RETRIES, limits.maxRetries());
    }

    void update(CircuitBreakerThresholds.Limits limits) {
      connections.max = limits.maxConnections();
      pendingRequests.max = limits.maxPendingRequests();
      requests.max = limits.maxRequests();
      retries.max = limits.maxRetries();
    }

    /** A new upstream connection. */
    public Admission tryAcquireConnection() {
      return connections.tryAcquire();
    }

    /** A request queued waiting for a connection. */
    public Admission tryAcquirePendingRequest() {
      return pendingRequests.tryAcquire();
    }

    /** An outstanding request. */
    public Admission tryAcquireRequest() {
      return requests.tryAcquire();
    }

    /** An outstanding retry. */
    public Admission tryAcquireRetry() {
      return retries.tryAcquire();
    }

    /** How many of a resource are outstanding now. */
    public long outstanding(Limit limit) {
      return resource(limit).count.get();
    }

    /** A limit's current value. */
    public long max(Limit limit) {
      return resource(limit).max;
    }

    private Resource resource(Limit limit) {
      return switch (limit) {
        case MAX_CONNECTIONS -> connections;
        case MAX_PENDING_REQUESTS -> pendingRequests;
        case MAX_REQUESTS -> requests;
        case MAX_RETRIES -> retries;
      };
    }
  }

  private static final class Resource {
    final Limit limit;
    final AtomicLong count = new AtomicLong();
    volatile long max;
    // Refusals are values; one per limit value, so refusing does not allocate.
    private volatile Admission.Refusal refusal;

    Resource(Limit limit, long max) {
      this.limit = limit;
      this.max = max;
      this.refusal = new Admission.Refusal(limit, max);
    }

    Admission tryAcquire() {
      while (true) {
        long limitNow = max;
        long current = count.get();
        if (current >= limitNow) {
          Admission.Refusal r = refusal;
          if (r.max() != limitNow) {
            r = new Admission.Refusal(limit, limitNow);
            refusal = r;
          }
          return r;
        }
        if (count.compareAndSet(current, current + 1)) {
          return new Admission.Permit(count);
        }
      }
    }
  }
}
