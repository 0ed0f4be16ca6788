package io.meshagent.core.internal.identity.spire;

import static java.util.Objects.requireNonNull;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import io.meshagent.core.identity.CertificateSource;
import io.meshagent.core.identity.WorkloadCertificate;
import io.meshagent.core.internal.proto.spiffe.SpiffeWorkloadAPIGrpc;
import io.meshagent.core.internal.proto.spiffe.X509SVIDRequest;
import io.meshagent.core.internal.proto.spiffe.X509SVIDResponse;
import io.meshagent.core.internal.retry.Backoff;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * SPIRE (or any SPIFFE Workload Endpoint) as a certificate source: one long-lived {@code
 * /SpiffeWorkloadAPI/FetchX509SVID} stream over the socket {@code SPIFFE_ENDPOINT_SOCKET} names,
 * each response a complete snapshot that becomes a {@link WorkloadCertificate} (first SVID, its
 * bundle, the federated bundles). When the stream fails or ends, the listener hears why and the
 * source calls again after a capped, jittered exponential backoff, until {@link #close()}; the
 * caller keeps its last good certificate meanwhile (spiffe/spiffe {@code SPIFFE_Workload_API.md}
 * §4.2: clients re-establish the stream at once, here with backoff so a dead agent is not
 * hammered).
 *
 * <p>The transport is whatever gRPC provider on the class path handles {@code unix:} targets:
 * grpc-netty's with native epoll ({@code netty-transport-native-epoll}, brought by
 * mesh-agent-netty). Nothing here blocks: callbacks run on gRPC's executor, reconnects on the given
 * scheduler, and the lock guards only field updates.
 */
public final class SpireCertificateSource implements CertificateSource {
  /** Every call carries it; endpoints reject calls without it (SSRF hardening). */
  private static final Metadata.Key<String> SECURITY_HEADER =
      Metadata.Key.of("workload.spiffe.io", Metadata.ASCII_STRING_MARSHALLER);

  private final WorkloadApiAddress address;
  private final Backoff backoff;
  private final ScheduledExecutorService scheduler;
  private final Object lock = new Object();

  // Guarded by lock.
  private @Nullable ManagedChannel channel;
  private SpiffeWorkloadAPIGrpc.@Nullable SpiffeWorkloadAPIStub stub;
  private @Nullable Listener listener;
  private @Nullable ClientCallStreamObserver<X509SVIDRequest> call;
  private @Nullable ScheduledFuture<?> retry;
  private long attempt;
  private boolean closed;

  /**
   * @param endpointSocket the Workload API address as {@code SPIFFE_ENDPOINT_SOCKET} spells it:
   *     {@code unix:///path/to/socket}, {@code unix:/path/to/socket} or {@code tcp://<ip>:<port>}
   * @param initialBackoff the first reconnect delay, above zero
   * @param maxBackoff the longest reconnect delay, at least {@code initialBackoff}
   * @param scheduler runs reconnects; owned by the caller
   * @throws IllegalArgumentException if {@code endpointSocket} is not such an address (the message
   *     names {@code SPIFFE_ENDPOINT_SOCKET}, the value and the accepted forms), or the backoff is
   *     not positive and ordered
   */
  public SpireCertificateSource(
      String endpointSocket,
      Duration initialBackoff,
      Duration maxBackoff,
      ScheduledExecutorService scheduler) {
    this.address = WorkloadApiAddress.parse(requireNonNull(endpointSocket, "endpointSocket"));
    requireNonNull(initialBackoff, "initialBackoff");
    requireNonNull(maxBackoff, "maxBackoff");
    if (initialBackoff.isNegative() || initialBackoff.isZero()) {
      throw new IllegalArgumentException(
          "the initial Workload API reconnect backoff must be above zero, not " + initialBackoff);
    }
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "the maximum Workload API reconnect backoff "
              + maxBackoff
              + " is below the initial one "
              + initialBackoff);
    }
    this.backoff =
        new Backoff(initialBackoff, maxBackoff, () -> ThreadLocalRandom.current().nextDouble());
    this.scheduler = requireNonNull(scheduler, "scheduler");
  }

  /**
   * Opens the channel and the stream; returns at once.
   *
   * @throws IllegalStateException if already started or closed, or no gRPC transport on the class
   *     path can reach the address
   */
  @Override
  public void start(Listener listener) {
    requireNonNull(listener, "listener");
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("the SPIRE certificate source is closed");
      }
      if (this.listener != null) {
        throw new IllegalStateException("the SPIRE certificate source is already started");
      }
      ManagedChannel ch = openChannel();
      Metadata headers = new Metadata();
      headers.put(SECURITY_HEADER, "true");
      this.channel = ch;
      this.stub =
          SpiffeWorkloadAPIGrpc.newStub(ch)
              .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
      this.listener = listener;
    }
    connect();
  }

  private ManagedChannel openChannel() {
    ManagedChannelBuilder<?> builder;
    try {
      if (address.isUnix()) {
        builder =
            Grpc.newChannelBuilder(
                    "unix://" + address.socketPath(), InsecureChannelCredentials.create())
                // A socket path is no host name; this is the authority Go gRPC clients send.
                .overrideAuthority("localhost");
      } else {
        builder =
            Grpc.newChannelBuilderForAddress(
                requireNonNull(address.host()),
                address.port(),
                InsecureChannelCredentials.create());
      }
    } catch (RuntimeException e) {
      // ManagedChannelRegistry.ProviderNotFoundException, typically: no unix socket transport.
      throw new IllegalStateException(
          "cannot reach the SPIFFE Workload API at "
              + WorkloadApiAddress.ENV
              + "="
              + address
              + ": no gRPC transport for it on the class path ("
              + e.getMessage()
              + "); unix sockets need grpc-netty with netty-transport-native-epoll"
              + " (linux-x86_64 or linux-aarch_64), which mesh-agent-netty brings",
          e);
    }
    return builder.build();
  }

  /** Opens a FetchX509SVID stream; on the caller's thread or the scheduler. */
  private void connect() {
    SpiffeWorkloadAPIGrpc.SpiffeWorkloadAPIStub s;
    long id;
    synchronized (lock) {
      if (closed) {
        return;
      }
      retry = null;
      id = ++attempt;
      s = requireNonNull(stub);
    }
    Stream stream = new Stream(id);
    s.fetchX509SVID(X509SVIDRequest.getDefaultInstance(), stream);
    ClientCallStreamObserver<X509SVIDRequest> started = requireNonNull(stream.requestStream);
    boolean cancel;
    synchronized (lock) {
      cancel = closed;
      if (!cancel && id == attempt) {
        call = started;
      }
    }
    if (cancel) {
      started.cancel("the SPIRE certificate source was closed", null);
    }
  }

  /** Stops the stream and any pending reconnect and shuts the channel. Idempotent. */
  @Override
  public void close() {
    ClientCallStreamObserver<X509SVIDRequest> c;
    ScheduledFuture<?> r;
    ManagedChannel ch;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      c = call;
      r = retry;
      ch = channel;
      call = null;
      retry = null;
    }
    if (r != null) {
      r.cancel(false);
    }
    if (c != null) {
      c.cancel("the SPIRE certificate source was closed", null);
    }
    if (ch != null) {
      ch.shutdownNow();
    }
  }

  /** The next reconnect delay: doubling up to the cap, ±20 % jitter, never zero. */
  private long nextDelayNanos(boolean atMax) {
    return (atMax ? backoff.atMax() : backoff.next()).toNanos();
  }

  private String where() {
    return "SPIFFE Workload API at " + address;
  }

  private static String describe(Throwable t) {
    Status status = Status.fromThrowable(t);
    return status.getCode()
        + (status.getDescription() != null ? ": " + status.getDescription() : "")
        + (status.getCause() != null && status.getDescription() == null
            ? " (" + status.getCause() + ")"
            : "");
  }

  /** One FetchX509SVID call; callbacks of a superseded or closed call are dropped. */
  private final class Stream implements ClientResponseObserver<X509SVIDRequest, X509SVIDResponse> {
    private final long id;
    private @Nullable ClientCallStreamObserver<X509SVIDRequest> requestStream;

    Stream(long id) {
      this.id = id;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<X509SVIDRequest> requestStream) {
      this.requestStream = requestStream;
    }

    @Override
    public void onNext(X509SVIDResponse response) {
      Listener l;
      synchronized (lock) {
        l = closed || id != attempt ? null : listener;
        // The endpoint answered: the next failure starts the backoff over.
        backoff.reset();
      }
      if (l == null) {
        return;
      }
      WorkloadCertificate certificate;
      try {
        certificate = X509Svids.toCertificate(response);
      } catch (CertificateException e) {
        l.onError(
            where()
                + " sent an X509SVIDResponse that cannot be used, keeping the current"
                + " certificate: "
                + e.getMessage(),
            e);
        return;
      }
      l.onCertificate(certificate);
    }

    @Override
    public void onError(Throwable t) {
      Status.Code code = Status.fromThrowable(t).getCode();
      // INVALID_ARGUMENT means the endpoint refused the request itself (for example the security
      // header); the standard says not to retry, so only retry slowly.
      ended(
          "FetchX509SVID failed with "
              + describe(t)
              + (code == Status.Code.INVALID_ARGUMENT
                  ? " (the endpoint rejected the request as malformed)"
                  : ""),
          t,
          code == Status.Code.INVALID_ARGUMENT);
    }

    @Override
    public void onCompleted() {
      ended(
          "the FetchX509SVID stream was ended by the server",
          new IllegalStateException("FetchX509SVID stream completed"),
          false);
    }

    private void ended(String why, Throwable cause, boolean slow) {
      Listener l;
      long delay;
      synchronized (lock) {
        if (closed || id != attempt) {
          return;
        }
        l = requireNonNull(listener);
        call = null;
        delay = nextDelayNanos(slow);
        try {
          retry =
              scheduler.schedule(SpireCertificateSource.this::connect, delay, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
          retry = null;
          delay = -1;
        }
      }
      if (delay < 0) {
        l.onError(
            where() + ": " + why + "; cannot reconnect, the scheduler refused the task", cause);
      } else {
        l.onError(
            where()
                + ": "
                + why
                + "; reconnecting in "
                + Duration.ofNanos(delay).toMillis()
                + " ms",
            cause);
      }
    }
  }
}
