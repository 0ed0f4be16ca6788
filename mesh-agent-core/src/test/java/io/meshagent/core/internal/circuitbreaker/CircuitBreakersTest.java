package io.meshagent.core.internal.circuitbreaker;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshagent.model.cluster.CircuitBreakerThresholds;
import io.meshagent.model.cluster.CircuitBreakerThresholds.Limits;
import io.meshagent.model.cluster.RoutingPriority;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CircuitBreakersTest {
  private static final CircuitBreakerThresholds SMALL =
      new CircuitBreakerThresholds(new Limits(2, 3, 4, 1), new Limits(5, 6, 7, 8));

  static Stream<Arguments> limits() {
    Function<CircuitBreakers.Resources, Admission> conn =
        CircuitBreakers.Resources::tryAcquireConnection;
    Function<CircuitBreakers.Resources, Admission> pending =
        CircuitBreakers.Resources::tryAcquirePendingRequest;
    Function<CircuitBreakers.Resources, Admission> req =
        CircuitBreakers.Resources::tryAcquireRequest;
    Function<CircuitBreakers.Resources, Admission> retry =
        CircuitBreakers.Resources::tryAcquireRetry;
    return Stream.of(
        Arguments.of(RoutingPriority.DEFAULT, Limit.MAX_CONNECTIONS, conn, 2),
        Arguments.of(RoutingPriority.DEFAULT, Limit.MAX_PENDING_REQUESTS, pending, 3),
        Arguments.of(RoutingPriority.DEFAULT, Limit.MAX_REQUESTS, req, 4),
        Arguments.of(RoutingPriority.DEFAULT, Limit.MAX_RETRIES, retry, 1),
        Arguments.of(RoutingPriority.HIGH, Limit.MAX_CONNECTIONS, conn, 5),
        Arguments.of(RoutingPriority.HIGH, Limit.MAX_PENDING_REQUESTS, pending, 6),
        Arguments.of(RoutingPriority.HIGH, Limit.MAX_REQUESTS, req, 7),
        Arguments.of(RoutingPriority.HIGH, Limit.MAX_RETRIES, retry, 8));
  }

  @ParameterizedTest(name = "{0} {1} = {3}")
  @MethodSource("limits")
  void grantsUpToTheLimitThenRefusesNamingIt(
      RoutingPriority priority,
      Limit limit,
      Function<CircuitBreakers.Resources, Admission> acquire,
      int max) {
    CircuitBreakers.Resources r = new CircuitBreakers("reviews", SMALL).forPriority(priority);
    List<Admission> granted = new ArrayList<>();

    for (int i = 0; i < max; i++) {
      granted.add(acquire.apply(r));
    }
    Admission refused = acquire.apply(r);

    assertThat(granted).allMatch(Admission::granted);
    assertThat(refused).isEqualTo(new Admission.Refusal(limit, max));
    assertThat(refused.granted()).isFalse();
    assertThat(r.outstanding(limit)).isEqualTo(max);

    ((Admission.Permit) granted.get(0)).close();
    assertThat(acquire.apply(r).granted()).isTrue();
  }

  @Test
  void prioritiesAndLimitsCountSeparately() {
    CircuitBreakers cb = new CircuitBreakers("reviews", SMALL);
    CircuitBreakers.Resources def = cb.forPriority(RoutingPriority.DEFAULT);
    def.tryAcquireRetry();

    assertThat(def.tryAcquireRetry().granted()).isFalse();
    assertThat(def.tryAcquireRequest().granted()).isTrue();
    assertThat(cb.forPriority(RoutingPriority.HIGH).tryAcquireRetry().granted()).isTrue();
  }

  @Test
  void releaseIsIdempotent() {
    CircuitBreakers.Resources r =
        new CircuitBreakers("reviews", SMALL).forPriority(RoutingPriority.DEFAULT);
    Admission.Permit a = (Admission.Permit) r.tryAcquireConnection();
    Admission.Permit b = (Admission.Permit) r.tryAcquireConnection();

    a.close();
    a.close();
    a.close();

    assertThat(r.outstanding(Limit.MAX_CONNECTIONS)).isEqualTo(1);
    b.close();
    assertThat(r.outstanding(Limit.MAX_CONNECTIONS)).isZero();
  }

  @Test
  void refusalNamesTheProtoFieldForTheUoFlag() {
    assertThat(new Admission.Refusal(Limit.MAX_PENDING_REQUESTS, 3))
        .hasToString("circuit breaker max_pending_requests (3) reached");
  }

  @Test
  void anUpdateChangesLimitsAndKeepsOutstandingPermits() {
    CircuitBreakers cb = new CircuitBreakers("reviews", SMALL);
    CircuitBreakers.Resources r = cb.forPriority(RoutingPriority.DEFAULT);
    Admission.Permit p1 = (Admission.Permit) r.tryAcquireRequest();
    Admission.Permit p2 = (Admission.Permit) r.tryAcquireRequest();

    cb.update(new CircuitBreakerThresholds(new Limits(2, 3, 1, 1), Limits.DEFAULTS));

    assertThat(r.tryAcquireRequest()).isEqualTo(new Admission.Refusal(Limit.MAX_REQUESTS, 1));
    p1.close();
    assertThat(r.tryAcquireRequest().granted()).isFalse();
    p2.close();
    assertThat(r.tryAcquireRequest().granted()).isTrue();
    assertThat(r.max(Limit.MAX_REQUESTS)).isEqualTo(1);
  }

  @Test
  void envoysDefaultsApplyWithoutConfiguration() {
    CircuitBreakers.Resources r =
        new CircuitBreakers("reviews", CircuitBreakerThresholds.DEFAULTS)
            .forPriority(RoutingPriority.DEFAULT);
    for (int i = 0; i < 3; i++) {
      assertThat(r.tryAcquireRetry().granted()).isTrue();
    }
    assertThat(r.tryAcquireRetry()).isEqualTo(new Admission.Refusal(Limit.MAX_RETRIES, 3));
    assertThat(r.max(Limit.MAX_CONNECTIONS)).isEqualTo(1024);
  }

  @Test
  void concurrentAcquiresNeverExceedTheLimit() throws Exception {
    int limit = 7;
    int threads = 8;
    int rounds = 20_000;
    CircuitBreakers.Resources r =
        new CircuitBreakers(
                "reviews",
                new CircuitBreakerThresholds(
                    new Limits(limit, limit, limit, limit), Limits.DEFAULTS))
            .forPriority(RoutingPriority.DEFAULT);
    AtomicLong holders = new AtomicLong();
    AtomicLong maxSeen = new AtomicLong();
    AtomicLong grants = new AtomicLong();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < rounds; i++) {
                    if (r.tryAcquireRequest() instanceof Admission.Permit p) {
                      long now = holders.incrementAndGet();
                      maxSeen.accumulateAndGet(now, Math::max);
                      grants.incrementAndGet();
                      holders.decrementAndGet();
                      p.close();
                      p.close(); // a second release from another path is harmless
                    }
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(maxSeen.get()).isLessThanOrEqualTo(limit);
    assertThat(grants.get()).isPositive();
    assertThat(r.outstanding(Limit.MAX_REQUESTS)).isZero();
  }

  @Test
  void concurrentHoldersFillExactlyTheLimit() throws Exception {
    int limit = 50;
    CircuitBreakers.Resources r =
        new CircuitBreakers(
                "reviews",
                new CircuitBreakerThresholds(
                    new Limits(limit, limit, limit, limit), Limits.DEFAULTS))
            .forPriority(RoutingPriority.DEFAULT);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Admission.Permit> held = new ArrayList<>();
    try {
      List<Future<List<Admission.Permit>>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        futures.add(
            pool.submit(
                () -> {
                  List<Admission.Permit> mine = new ArrayList<>();
                  for (int i = 0; i < 100; i++) {
                    if (r.tryAcquireConnection() instanceof Admission.Permit p) {
                      mine.add(p);
                    }
                  }
                  return mine;
                }));
      }
      for (Future<List<Admission.Permit>> f : futures) {
        held.addAll(f.get(60, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(held).hasSize(limit);
    assertThat(r.outstanding(Limit.MAX_CONNECTIONS)).isEqualTo(limit);
    held.forEach(Admission.Permit::close);
    assertThat(r.outstanding(Limit.MAX_CONNECTIONS)).isZero();
  }
}
