package io.meshagent.core.internal.outlier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.meshagent.core.internal.outlier.Result.LocalOrigin;
import io.meshagent.core.testing.FakeTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OutlierDetectorTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private final FakeTime time = new FakeTime(T0, Runnable::run);
  private final TestPolicies.FixedRandom random = new TestPolicies.FixedRandom(0);

  private OutlierDetector detector(TestPolicies policy, int hosts) {
    // The owner runs transitions inline: these tests are single-threaded.
    OutlierDetector d = new OutlierDetector("reviews", policy.build(), time, random, Runnable::run);
    d.updateHosts(keys(hosts));
    return d;
  }

  private static List<String> keys(int n) {
    return IntStream.range(0, n).mapToObj(i -> "10.0.0." + i + ":80").toList();
  }

  private static String host(int i) {
    return "10.0.0." + i + ":80";
  }

  private static void report(OutlierDetector d, String host, int times, Result result) {
    for (int i = 0; i < times; i++) {
      d.report(host, result);
    }
  }

  private static Result status(int code) {
    return Result.httpStatus(code);
  }

  private static OutlierStatus.Host hostStatus(OutlierDetector d, String key) {
    return d.status().hosts().stream()
        .filter(h -> h.endpointKey().equals(key))
        .findFirst()
        .orElseThrow();
  }

  private static TestPolicies policy(Consumer<TestPolicies> change) {
    TestPolicies p = TestPolicies.defaults();
    change.accept(p);
    return p;
  }

  private static List<Result> times(int n, Result r) {
    List<Result> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(r);
    }
    return out;
  }

  @SafeVarargs
  private static List<Result> seq(List<Result>... parts) {
    List<Result> out = new ArrayList<>();
    for (List<Result> p : parts) {
      out.addAll(p);
    }
    return out;
  }

  static Stream<Arguments> consecutiveErrors() {
    TestPolicies gatewayOnly =
        policy(
            p -> {
              p.consecutive5xx = 1000;
              p.enforcingGateway = 100;
            });
    TestPolicies split = policy(p -> p.split = true);
    return Stream.of(
        Arguments.of(
            "five 500s eject",
            TestPolicies.defaults(),
            times(5, status(500)),
            EjectionType.CONSECUTIVE_5XX),
        Arguments.of("four 500s do not", TestPolicies.defaults(), times(4, status(500)), null),
        Arguments.of(
            "a 200 resets the run",
            TestPolicies.defaults(),
            seq(times(4, status(500)), times(1, status(200)), times(4, status(500))),
            null),
        Arguments.of(
            "a 404 resets the run",
            TestPolicies.defaults(),
            seq(times(4, status(500)), times(1, status(404)), times(1, status(500))),
            null),
        Arguments.of(
            "gateway errors count as 5xx",
            TestPolicies.defaults(),
            seq(times(2, status(502)), times(2, status(503)), times(1, status(504))),
            EjectionType.CONSECUTIVE_5XX),
        Arguments.of(
            "five gateway errors eject when enforced",
            gatewayOnly,
            times(5, status(503)),
            EjectionType.CONSECUTIVE_GATEWAY_FAILURE),
        Arguments.of(
            "gateway ejection is not enforced by default",
            policy(p -> p.consecutive5xx = 1000),
            times(5, status(503)),
            null),
        Arguments.of(
            "a 500 breaks a gateway run",
            gatewayOnly,
            seq(times(4, status(502)), times(1, status(500)), times(4, status(502))),
            null),
        Arguments.of(
            "unsplit: connect failures count as 503",
            TestPolicies.defaults(),
            times(5, LocalOrigin.CONNECT_FAILED),
            EjectionType.CONSECUTIVE_5XX),
        Arguments.of(
            "unsplit: timeouts count as 504, a gateway error",
            gatewayOnly,
            times(5, LocalOrigin.TIMEOUT),
            EjectionType.CONSECUTIVE_GATEWAY_FAILURE),
        Arguments.of(
            "unsplit: resets count as 503",
            gatewayOnly,
            times(5, LocalOrigin.RESET),
            EjectionType.CONSECUTIVE_GATEWAY_FAILURE),
        Arguments.of(
            "unsplit: a connect success is not a result",
            TestPolicies.defaults(),
            seq(
                times(4, LocalOrigin.CONNECT_FAILED),
                times(1, LocalOrigin.CONNECT_SUCCESS),
                times(1, LocalOrigin.CONNECT_FAILED)),
            EjectionType.CONSECUTIVE_5XX),
        Arguments.of(
            "unsplit: a final connect success counts as 200",
            TestPolicies.defaults(),
            seq(
                times(4, LocalOrigin.CONNECT_FAILED),
                times(1, LocalOrigin.CONNECT_SUCCESS_FINAL),
                times(1, LocalOrigin.CONNECT_FAILED)),
            null),
        Arguments.of(
            "split: five local-origin failures eject",
            split,
            seq(
                times(2, LocalOrigin.CONNECT_FAILED),
                times(2, LocalOrigin.TIMEOUT),
                times(1, LocalOrigin.RESET)),
            EjectionType.CONSECUTIVE_LOCAL_ORIGIN_FAILURE),
        Arguments.of(
            "split: a connect success resets the local run",
            split,
            seq(
                times(4, LocalOrigin.CONNECT_FAILED),
                times(1, LocalOrigin.CONNECT_SUCCESS),
                times(4, LocalOrigin.CONNECT_FAILED)),
            null),
        Arguments.of(
            "split: local failures are not 5xx",
            policy(
                p -> {
                  p.split = true;
                  p.consecutiveLocal = 1000;
                }),
            times(5, LocalOrigin.CONNECT_FAILED),
            null),
        Arguments.of(
            "split: 5xx still eject",
            split,
            seq(
                times(3, status(500)),
                times(1, LocalOrigin.CONNECT_SUCCESS),
                times(2, status(500))),
            EjectionType.CONSECUTIVE_5XX),
        Arguments.of(
            "split: local ejection not enforced",
            policy(
                p -> {
                  p.split = true;
                  p.enforcingLocal = 0;
                }),
            times(5, LocalOrigin.CONNECT_FAILED),
            null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("consecutiveErrors")
  void consecutiveErrorEjection(
      String name, TestPolicies policy, List<Result> results, @Nullable EjectionType expected) {
    OutlierDetector d = detector(policy, 10);

    for (Result r : results) {
      d.report(host(0), r);
    }

    if (expected == null) {
      assertThat(d.ejected()).isEmpty();
    } else {
      assertThat(d.ejected()).containsExactly(host(0));
      assertThat(hostStatus(d, host(0)).lastEjectionType()).isEqualTo(expected);
    }
  }

  @Test
  void ejectionTimeGrowsWithEachEjectionUpToTheCap() {
    OutlierDetector d =
        detector(
            policy(
                p -> {
                  p.base = Duration.ofSeconds(10);
                  p.max = Duration.ofSeconds(25);
                }),
            10);
    List<Duration> lengths = new ArrayList<>();

    for (int n = 0; n < 5; n++) {
      Instant ejectedAt = time.instant();
      report(d, host(0), 5, status(500));
      assertThat(d.isEjected(host(0))).isTrue();
      // Find when the host comes back, tick by tick of one second.
      Instant t = ejectedAt;
      while (d.isEjected(host(0))) {
        t = t.plusSeconds(1);
        d.tick(t);
      }
      lengths.add(Duration.between(ejectedAt, t));
      time.advance(Duration.between(ejectedAt, t));
    }

    assertThat(lengths).extracting(Duration::getSeconds).containsExactly(10L, 20L, 25L, 25L, 25L);
    assertThat(hostStatus(d, host(0)).numEjections()).isEqualTo(5);
    // Envoy stops growing once base × multiplier passes max + base.
    assertThat(hostStatus(d, host(0)).ejectionMultiplier()).isEqualTo(4);
  }

  @Test
  void multiplierShrinksByOnePerHealthyInterval() {
    OutlierDetector d = detector(policy(p -> p.base = Duration.ofSeconds(10)), 10);
    report(d, host(0), 5, status(500));
    d.tick(T0.plusSeconds(10)); // back after 10s
    time.advance(Duration.ofSeconds(10));
    report(d, host(0), 5, status(500)); // multiplier 2
    Instant back = T0.plusSeconds(30);
    d.tick(back);
    assertThat(d.isEjected(host(0))).isFalse();
    assertThat(hostStatus(d, host(0)).ejectionMultiplier()).isEqualTo(2);

    d.tick(back.plusSeconds(5)); // less than an interval healthy
    assertThat(hostStatus(d, host(0)).ejectionMultiplier()).isEqualTo(2);
    d.tick(back.plusSeconds(10));
    assertThat(hostStatus(d, host(0)).ejectionMultiplier()).isEqualTo(1);
    d.tick(back.plusSeconds(20));
    d.tick(back.plusSeconds(30));
    assertThat(hostStatus(d, host(0)).ejectionMultiplier()).isZero();

    // The next ejection is short again.
    time.advance(Duration.ofSeconds(50));
    report(d, host(0), 5, status(500));
    d.tick(T0.plusSeconds(69));
    assertThat(d.isEjected(host(0))).isTrue();
    d.tick(T0.plusSeconds(70));
    assertThat(d.isEjected(host(0))).isFalse();
  }

  @Test
  void jitterLengthensTheEjection() {
    random.nextLongBounded = 3_000;
    OutlierDetector d =
        detector(
            policy(
                p -> {
                  p.base = Duration.ofSeconds(10);
                  p.jitter = Duration.ofSeconds(5);
                }),
            10);
    report(d, host(0), 5, status(500));

    d.tick(T0.plusSeconds(12));
    assertThat(d.isEjected(host(0))).isTrue();
    d.tick(T0.plusSeconds(13));
    assertThat(d.isEjected(host(0))).isFalse();
  }

  @Test
  void unejectionResetsTheConsecutiveCounters() {
    OutlierDetector d = detector(TestPolicies.defaults(), 10);
    report(d, host(0), 5, status(500));
    d.tick(T0.plusSeconds(30));
    assertThat(d.isEjected(host(0))).isFalse();

    report(d, host(0), 4, status(500));

    assertThat(d.isEjected(host(0))).isFalse();
    assertThat(hostStatus(d, host(0)).consecutive5xx()).isEqualTo(4);
  }

  @Test
  void reportsWhileEjectedDoNotEjectAgainAndCountersResetAfterDetection() {
    OutlierDetector d = detector(TestPolicies.defaults(), 10);
    report(d, host(0), 5, status(500));
    assertThat(hostStatus(d, host(0)).consecutive5xx()).isZero();

    report(d, host(0), 5, status(500));

    assertThat(hostStatus(d, host(0)).numEjections()).isEqualTo(1);
  }

  static Stream<Arguments> maxEjectionPercent() {
    return Stream.of(
        // hosts, max %, always eject one, failing hosts, ejected
        Arguments.of(10, 10, false, 3, 1),
        Arguments.of(20, 10, false, 5, 2),
        Arguments.of(5, 10, false, 3, 0),
        Arguments.of(5, 10, true, 3, 1),
        Arguments.of(4, 50, false, 3, 2),
        Arguments.of(3, 100, false, 3, 3),
        Arguments.of(10, 0, false, 2, 0),
        Arguments.of(10, 0, true, 2, 1),
        Arguments.of(1, 10, true, 1, 1));
  }

  @ParameterizedTest(name = "{0} hosts, max {1}%, always eject one {2}: {3} failing -> {4} ejected")
  @MethodSource("maxEjectionPercent")
  void respectsMaxEjectionPercent(
      int hosts, int maxPercent, boolean alwaysEjectOne, int failing, int ejected) {
    OutlierDetector d =
        detector(
            policy(
                p -> {
                  p.maxEjectionPercent = maxPercent;
                  p.alwaysEjectOne = alwaysEjectOne;
                }),
            hosts);

    for (int i = 0; i < failing; i++) {
      report(d, host(i), 5, status(500));
    }

    assertThat(d.ejected()).hasSize(ejected);
    OutlierStatus s = d.status();
    assertThat(s.ejectionsActive()).isEqualTo(ejected);
    assertThat(s.ejectionsOverflow()).isEqualTo(failing - ejected);
    assertThat(s.ejectionsDetected()).containsEntry(EjectionType.CONSECUTIVE_5XX, (long) failing);
    assertThat(s.ejectionsEnforced()).containsEntry(EjectionType.CONSECUTIVE_5XX, (long) ejected);
  }

  @Test
  void removingAnEjectedHostFreesItsShare() {
    OutlierDetector d = detector(TestPolicies.defaults(), 11);
    report(d, host(0), 5, status(500));
    report(d, host(1), 5, status(500));
    assertThat(d.ejected()).containsExactly(host(0));

    d.updateHosts(keys(11).subList(1, 11));
    report(d, host(1), 5, status(500));

    assertThat(d.ejected()).containsExactly(host(1));
    d.report("10.9.9.9:80", status(500)); // unknown: ignored
  }

  static Stream<Arguments> enforcement() {
    return Stream.of(
        // enforcing %, random draw, ejected
        Arguments.of(30, 29, true),
        Arguments.of(30, 30, false),
        Arguments.of(0, 0, false),
        Arguments.of(100, 99, true));
  }

  @ParameterizedTest(name = "enforcing {0}%, draw {1}: ejected {2}")
  @MethodSource("enforcement")
  void enforcesWithTheConfiguredPercentage(int enforcing, int draw, boolean ejected) {
    random.nextInt = draw;
    OutlierDetector d = detector(policy(p -> p.enforcing5xx = enforcing), 10);

    report(d, host(0), 5, status(500));

    assertThat(d.isEjected(host(0))).isEqualTo(ejected);
    assertThat(d.status().ejectionsDetected()).containsEntry(EjectionType.CONSECUTIVE_5XX, 1L);
    assertThat(d.status().ejectionsEnforced())
        .containsEntry(EjectionType.CONSECUTIVE_5XX, ejected ? 1L : 0L);
  }

  @Test
  void anUnenforcedDetectionNeedsAFullNewRun() {
    random.nextInt = 99;
    OutlierDetector d = detector(policy(p -> p.enforcing5xx = 50), 10);
    report(d, host(0), 5, status(500));
    assertThat(d.isEjected(host(0))).isFalse();

    random.nextInt = 0;
    report(d, host(0), 4, status(500));
    assertThat(d.isEjected(host(0))).isFalse();
    report(d, host(0), 1, status(500));
    assertThat(d.isEjected(host(0))).isTrue();
  }

  /** Reports, per host, {@code volume} requests of which {@code successes[i]} succeed. */
  private static void interval(OutlierDetector d, int volume, int... successes) {
    for (int i = 0; i < successes.length; i++) {
      for (int r = 0; r < volume; r++) {
        d.report(host(i), status(r < successes[i] ? 200 : 500));
      }
    }
  }

  static Stream<Arguments> successRates() {
    return Stream.of(
        // Envoy's own example: mean 90, stdev 20, threshold 90 - 1.9 × 20 = 52.
        Arguments.of(new int[] {50, 100, 100, 100, 100}, 1900L, 90.0, 52.0, List.of(0)),
        // mean 94.1667, population stdev 7.31247: threshold 80.27297; 80 is below it.
        Arguments.of(new int[] {80, 90, 95, 100, 100, 100}, 1900L, 94.16667, 80.27297, List.of(0)),
        // The same with factor 1.0: threshold 86.85420 ejects the 80 only.
        Arguments.of(new int[] {80, 90, 95, 100, 100, 100}, 1000L, 94.16667, 86.85420, List.of(0)),
        // Factor 0.5: threshold 90.51043 also ejects the 90.
        Arguments.of(
            new int[] {80, 90, 95, 100, 100, 100}, 500L, 94.16667, 90.51043, List.of(0, 1)),
        // All equal: stdev 0, nobody below the mean.
        Arguments.of(new int[] {70, 70, 70, 70, 70}, 1900L, 70.0, 70.0, List.of()));
  }

  @ParameterizedTest
  @MethodSource("successRates")
  void successRateEjectsHostsBelowMeanMinusFactorTimesStdev(
      int[] successes, long factor, double mean, double threshold, List<Integer> ejected) {
    OutlierDetector d =
        detector(
            policy(
                p -> {
                  p.stdevFactor = factor;
                  p.maxEjectionPercent = 100;
                  p.consecutive5xx = 1000;
                }),
            successes.length);

    interval(d, 100, successes);
    d.tick(T0.plusSeconds(10));

    OutlierStatus s = d.status();
    assertThat(s.successRateAverage()).isCloseTo(mean, within(1e-4));
    assertThat(s.successRateEjectionThreshold()).isCloseTo(threshold, within(1e-4));
    assertThat(d.ejected())
        .containsExactlyInAnyOrderElementsOf(ejected.stream().map(i -> host(i)).toList());
    for (int i : ejected) {
      assertThat(hostStatus(d, host(i)).lastEjectionType()).isEqualTo(EjectionType.SUCCESS_RATE);
    }
    assertThat(hostStatus(d, host(successes.length - 1)).successRate())
        .isEqualTo(successes[successes.length - 1]);
  }

  @Test
  void successRateNeedsEnoughHostsWithEnoughVolume() {
    OutlierDetector d =
        detector(
            policy(
                p -> {
                  p.maxEjectionPercent = 100;
                  p.consecutive5xx = 1000;
                }),
            5);

    interval(d, 99, 0, 99, 99, 99, 99); // one short of success_rate_request_volume
    d.tick(T0.plusSeconds(10));
    assertThat(d.ejected()).isEmpty();
    assertThat(d.status().successRateEjectionThreshold()).isEqualTo(-1);

    // Only the last interval counts: data from before the previous tick is gone.
    d.tick(T0.plusSeconds(20));
    assertThat(d.status().hosts()).allSatisfy(h -> assertThat(h.successRate()).isEqualTo(-1));
  }

  @Test
  void successRateIsNotEnforcedWhenDisabled() {
    OutlierDetector d =
        detector(
            policy(
                p -> {
                  p.maxEjectionPercent = 100;
                  p.consecutive5xx = 1000;
                  p.enforcingSuccessRate = 0;
                }),
            5);

    interval(d, 100, 50, 100, 100, 100, 100);
    d.tick(T0.plusSeconds(10));

    assertThat(d.ejected()).isEmpty();
    assertThat(d.status().successRateEjectionThreshold()).isCloseTo(52.0, within(1e-9));
  }

  static Stream<Arguments> failurePercentages() {
    return Stream.of(
        // volume, successes per host, ejected
        Arguments.of(100, new int[] {15, 16, 100, 100, 100}, List.of(0)), // 85% fails: ejected
        Arguments.of(50, new int[] {7, 8, 50, 50, 50}, List.of(0)), // 86% vs 84%
        Arguments.of(49, new int[] {0, 49, 49, 49, 49}, List.of()), // below request volume
        Arguments.of(50, new int[] {0, 0, 0, 0, 0}, List.of(0, 1, 2, 3, 4)));
  }

  @ParameterizedTest
  @MethodSource("failurePercentages")
  void failurePercentageEjectsHostsAtOrAboveTheThreshold(
      int volume, int[] successes, List<Integer> ejected) {
    OutlierDetector d =
        detector(
            policy(
                p -> {
                  p.maxEjectionPercent = 100;
                  p.consecutive5xx = 1000;
                  p.enforcingSuccessRate = 0;
                  p.enforcingFailurePercentage = 100;
                }),
            successes.length);

    interval(d, volume, successes);
    d.tick(T0.plusSeconds(10));

    assertThat(d.ejected())
        .containsExactlyInAnyOrderElementsOf(ejected.stream().map(i -> host(i)).toList());
    for (int i : ejected) {
      assertThat(hostStatus(d, host(i)).lastEjectionType())
          .isEqualTo(EjectionType.FAILURE_PERCENTAGE);
    }
  }

  @Test
  void failurePercentageIsNotEnforcedByDefault() {
    OutlierDetector d =
        detector(
            policy(
                p -> {
                  p.maxEjectionPercent = 100;
                  p.consecutive5xx = 1000;
                  p.enforcingSuccessRate = 0;
                }),
            5);

    interval(d, 50, 0, 0, 0, 0, 0);
    d.tick(T0.plusSeconds(10));

    assertThat(d.ejected()).isEmpty();
  }

  @Test
  void splitModeJudgesLocalOriginSuccessRateApart() {
    OutlierDetector d =
        detector(
            policy(
                p -> {
                  p.split = true;
                  p.maxEjectionPercent = 100;
                  p.consecutiveLocal = 1000;
                }),
            5);
    for (int i = 0; i < 5; i++) {
      for (int r = 0; r < 100; r++) {
        boolean fail = i == 0 && r < 50;
        d.report(host(i), fail ? LocalOrigin.CONNECT_FAILED : LocalOrigin.CONNECT_SUCCESS);
        d.report(host(i), status(200));
      }
    }

    d.tick(T0.plusSeconds(10));

    assertThat(d.ejected()).containsExactly(host(0));
    assertThat(hostStatus(d, host(0)).lastEjectionType())
        .isEqualTo(EjectionType.SUCCESS_RATE_LOCAL_ORIGIN);
    OutlierStatus s = d.status();
    assertThat(s.localOriginSuccessRateEjectionThreshold()).isCloseTo(52.0, within(1e-9));
    assertThat(s.successRateAverage()).isEqualTo(100.0);
  }

  @Test
  void ejectedSnapshotIsImmutable() {
    OutlierDetector d = detector(TestPolicies.defaults(), 10);
    report(d, host(0), 5, status(500));

    var snapshot = d.ejected();

    assertThatThrownBy(() -> snapshot.add("x")).isInstanceOf(UnsupportedOperationException.class);
    d.tick(T0.plusSeconds(30));
    assertThat(snapshot).containsExactly(host(0));
    assertThat(d.ejected()).isEmpty();
  }

  @Test
  void consecutiveDetectionsArePostedToTheOwner() {
    List<Runnable> posted = new ArrayList<>();
    OutlierDetector d =
        new OutlierDetector("reviews", TestPolicies.defaults().build(), time, random, posted::add);
    d.updateHosts(keys(10));

    report(d, host(0), 5, status(500));
    assertThat(d.ejected()).isEmpty();
    assertThat(posted).hasSize(1);

    posted.get(0).run();
    assertThat(d.ejected()).containsExactly(host(0));
  }

  @Test
  void reportsFromManyThreadsAreAllCounted() throws Exception {
    OutlierDetector d =
        detector(
            policy(
                p -> {
                  p.maxEjectionPercent = 100;
                  p.srVolume = 4000;
                  p.srMinHosts = 1;
                  p.consecutive5xx = 1000;
                }),
            1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int id = t;
      threads.add(
          new Thread(
              () -> {
                for (int i = 0; i < 1000; i++) {
                  d.report(host(0), status(id == 0 && i % 10 == 0 ? 500 : 200));
                }
              }));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }

    d.tick(T0.plusSeconds(10));

    assertThat(hostStatus(d, host(0)).successRate()).isCloseTo(97.5, within(1e-9));
  }
}
