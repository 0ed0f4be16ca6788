package io.meshagent.core.internal.outlier;

import io.meshagent.model.cluster.OutlierDetectionPolicy;
import java.time.Duration;
import java.util.random.RandomGenerator;

/** Builds policies from Envoy's defaults with the few fields a test changes. */
final class TestPolicies {
  long consecutive5xx = 5;
  long consecutiveGateway = 5;
  long consecutiveLocal = 5;
  boolean split;
  Duration interval = Duration.ofSeconds(10);
  Duration base = Duration.ofSeconds(30);
  Duration max = Duration.ofSeconds(300);
  Duration jitter = Duration.ZERO;
  int maxEjectionPercent = 10;
  boolean alwaysEjectOne;
  int enforcing5xx = 100;
  int enforcingGateway;
  int enforcingLocal = 100;
  int enforcingSuccessRate = 100;
  int enforcingLocalSuccessRate = 100;
  int enforcingFailurePercentage;
  int enforcingFailurePercentageLocal;
  long srMinHosts = 5;
  long srVolume = 100;
  long stdevFactor = 1900;
  int fpThreshold = 85;
  long fpMinHosts = 5;
  long fpVolume = 50;

  static TestPolicies defaults() {
    return new TestPolicies();
  }

  OutlierDetectionPolicy build() {
    return new OutlierDetectionPolicy(
        consecutive5xx,
        consecutiveGateway,
        consecutiveLocal,
        split,
        interval,
        base,
        max,
        jitter,
        maxEjectionPercent,
        alwaysEjectOne,
        enforcing5xx,
        enforcingGateway,
        enforcingLocal,
        enforcingSuccessRate,
        enforcingLocalSuccessRate,
        enforcingFailurePercentage,
        enforcingFailurePercentageLocal,
        srMinHosts,
        srVolume,
        stdevFactor,
        fpThreshold,
        fpMinHosts,
        fpVolume);
  }

  /** A random that always draws the same numbers. */
  static final class FixedRandom implements RandomGenerator {
    int nextInt;
    long nextLongBounded;
    int draws;

    FixedRandom(int nextInt) {
      this.nextInt = nextInt;
    }

    @Override
    public long nextLong() {
      return 0;
    }

    @Override
    public int nextInt(int bound) {
      draws++;
      return nextInt;
    }

    @Override
    public long nextLong(long bound) {
      return nextLongBounded;
    }
  }
}
