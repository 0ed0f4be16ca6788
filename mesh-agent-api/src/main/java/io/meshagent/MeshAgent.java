package io.meshagent;

import io.meshagent.snapshot.MeshSnapshot;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The mesh member inside this JVM: it subscribes to the control plane (istiod or a {@code file:}
 * source), keeps the latest accepted configuration as an immutable {@link MeshSnapshot}, and tells
 * subscribers when it changes.
 *
 * <p>Obtain one with {@link #builder()} or {@link #fromEnvironment()}; close it when the process
 * stops serving. All methods are thread-safe.
 */
public interface MeshAgent extends AutoCloseable {

  /** A builder for an agent configured in code. */
  static MeshAgentBuilder builder() {
    return new MeshAgentBuilder();
  }

  /**
   * An agent configured the way istio-agent configures Envoy: from {@code POD_NAME}, {@code
   * POD_NAMESPACE}, {@code INSTANCE_IP}, {@code SERVICE_ACCOUNT}, {@code ISTIO_META_*} and the
   * other variables listed in README's configuration reference.
   *
   * @throws MeshAgentConfigException if a variable holds a value that is not accepted
   */
  static MeshAgent fromEnvironment() {
    return MeshAgentBuilder.fromEnvironment(System.getenv()).build();
  }

  /** The configuration this agent was started with. */
  MeshAgentConfig config();

  /**
   * The latest accepted configuration. Never null: before the first response it is the empty
   * snapshot of version 0. Reading it never blocks and takes no lock.
   */
  MeshSnapshot snapshot();

  /**
   * Waits until the first configuration is complete: every subscribed resource has been received or
   * declared absent. Meant for start-up and tests; never call it from an event loop.
   *
   * @return the snapshot at that moment
   * @throws java.util.concurrent.TimeoutException if it does not happen within {@code timeout}
   */
  MeshSnapshot awaitInitialConfig(Duration timeout)
      throws java.util.concurrent.TimeoutException, InterruptedException;

  /**
   * Calls {@code listener} on {@code executor} with each new snapshot, starting with the current
   * one. Snapshots are delivered in order; when they arrive faster than the listener consumes them
   * the intermediate ones are skipped, never reordered.
   */
  Subscription subscribe(Executor executor, Consumer<? super MeshSnapshot> listener);

  /**
   * The workload certificate as it stands: identity, validity, next rotation and the last error.
   * With {@code identity.provider=NONE} the status holds no certificate.
   */
  io.meshagent.identity.IdentityStatus identityStatus();

  /**
   * Waits for the first workload certificate. Meant for start-up and tests; never call it from an
   * event loop.
   *
   * @return the identity the certificate carries
   * @throws java.util.concurrent.TimeoutException if none arrives within {@code timeout}, with the
   *     last error
   * @throws IllegalStateException if the agent has no identity provider
   */
  io.meshagent.identity.SpiffeId awaitIdentity(Duration timeout)
      throws java.util.concurrent.TimeoutException, InterruptedException;

  /** The control-plane connection as it stands: connected or not, and the last error. */
  ControlPlaneStatus controlPlaneStatus();

  /** Stops the xDS client and releases its threads and connections. Idempotent. */
  @Override
  void close();
}
