package io.meshagent.core.internal.config;

import io.meshagent.ControlPlaneStatus;

/** Something that feeds the resource store: an ADS client or a file. */
public interface ConfigSource extends AutoCloseable {
  /** Starts delivering; returns at once. */
  void start();

  /** The connection as it stands. */
  ControlPlaneStatus status();

  /** Stops delivering and releases resources. Idempotent. */
  @Override
  void close();
}
