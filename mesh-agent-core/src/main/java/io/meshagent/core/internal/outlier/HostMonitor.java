package io.meshagent.core.internal.outlier;

import io.meshagent.model.cluster.OutlierDetectionPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * One host's outlier state. The counters are written from any thread without locks; the ejection
 * fields change only on the detector's owner thread and are volatile so the admin view can read
 * them from elsewhere.
 */
final class HostMonitor {
  final String key;
  private final OutlierDetector detector;
  private final OutlierDetectionPolicy policy;

  final AtomicLong consecutive5xx = new AtomicLong();
  final AtomicLong consecutiveGatewayFailure = new AtomicLong();
  final AtomicLong consecutiveLocalOriginFailure = new AtomicLong();
  final SuccessRateAccumulator externalOrigin = new SuccessRateAccumulator();
  final SuccessRateAccumulator localOrigin = new SuccessRateAccumulator();

  // Owner thread writes; volatile for the admin view.
  volatile boolean ejected;
  volatile int numEjections;
  volatile int ejectionMultiplier;
  volatile @Nullable EjectionType lastEjectionType;
  volatile double successRate = -1;
  volatile double localOriginSuccessRate = -1;
  @Nullable Instant lastEjection;
  @Nullable Instant lastUnejection;
  Duration jitter = Duration.ZERO;

  HostMonitor(String key, OutlierDetector detector, OutlierDetectionPolicy policy) {
    this.key = key;
    this.detector = detector;
    this.policy = policy;
  }

  /** Any thread. */
  void put(Result result) {
    if (result instanceof Result.HttpStatus s) {
      putHttpStatus(s.code());
    } else {
      putLocalOrigin((Result.LocalOrigin) result);
    }
  }

  private void putLocalOrigin(Result.LocalOrigin result) {
    if (!policy.splitExternalLocalOriginErrors()) {
      int code = result.asHttpStatus();
      if (code != 0) {
        putHttpStatus(code);
      }
      return;
    }
    if (result.isFailure()) {
      localOrigin.failure();
      if (consecutiveLocalOriginFailure.incrementAndGet()
          == policy.consecutiveLocalOriginFailure()) {
        detector.onConsecutiveError(this, EjectionType.CONSECUTIVE_LOCAL_ORIGIN_FAILURE);
      }
    } else {
      localOrigin.success();
      consecutiveLocalOriginFailure.set(0);
    }
  }

  private void putHttpStatus(int code) {
    if (code >= 500 && code < 600) {
      externalOrigin.failure();
      if (code == 502 || code == 503 || code == 504) {
        if (consecutiveGatewayFailure.incrementAndGet() == policy.consecutiveGatewayFailure()) {
          detector.onConsecutiveError(this, EjectionType.CONSECUTIVE_GATEWAY_FAILURE);
        }
      } else {
        consecutiveGatewayFailure.set(0);
      }
      if (consecutive5xx.incrementAndGet() == policy.consecutive5xx()) {
        detector.onConsecutiveError(this, EjectionType.CONSECUTIVE_5XX);
      }
    } else {
      externalOrigin.success();
      consecutive5xx.set(0);
      consecutiveGatewayFailure.set(0);
    }
  }

  void resetConsecutive() {
    consecutive5xx.set(0);
    consecutiveGatewayFailure.set(0);
    consecutiveLocalOriginFailure.set(0);
  }
}
