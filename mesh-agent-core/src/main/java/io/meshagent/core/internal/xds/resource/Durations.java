package io.meshagent.core.internal.xds.resource;

import io.meshagent.core.xds.ResourceInvalidException;
import java.time.Duration;

/** {@code google.protobuf.Duration} to {@link Duration}. */
final class Durations {
  private Durations() {}

  /**
   * Converts a non-negative duration.
   *
   * @throws ResourceInvalidException if it is negative or its nanos are out of range
   */
  static Duration of(com.google.protobuf.Duration d, String path) throws ResourceInvalidException {
    if (d.getSeconds() < 0 || d.getNanos() < 0 || d.getNanos() > 999_999_999) {
      throw new ResourceInvalidException(
          Paths.at(
              path,
              "invalid duration (seconds="
                  + d.getSeconds()
                  + ", nanos="
                  + d.getNanos()
                  + "); must be non-negative"));
    }
    return Duration.ofSeconds(d.getSeconds(), d.getNanos());
  }
}
