package io.meshagent;

/** A registered listener; {@link #close()} stops its notifications. Idempotent. */
@FunctionalInterface
public interface Subscription extends AutoCloseable {
  @Override
  void close();
}
