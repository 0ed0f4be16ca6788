package io.meshagent.core.internal.identity.spire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.meshagent.core.identity.CertificateSource;
import io.meshagent.core.identity.WorkloadCertificate;
import io.meshagent.core.internal.proto.spiffe.SpiffeWorkloadAPIGrpc;
import io.meshagent.core.internal.proto.spiffe.X509SVID;
import io.meshagent.core.internal.proto.spiffe.X509SVIDRequest;
import io.meshagent.core.internal.proto.spiffe.X509SVIDResponse;
import io.meshagent.core.testing.NonBlockingThreads;
import io.meshagent.core.testing.TestCertificates;
import io.meshagent.identity.SpiffeId;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpireCertificateSourceTest {
  private static final String ID = "spiffe://example.org/ns/default/sa/web";
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;

  private final TestCertificates ca = new TestCertificates();
  private final TestCertificates otherCa = new TestCertificates();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final RecordingListener listener = new RecordingListener();
  private Path socket;
  private FakeWorkloadApi api;
  private SpireCertificateSource source;

  SpireCertificateSourceTest() throws Exception {}

  @BeforeAll
  static void installBlockingChecks() {
    NonBlockingThreads.install();
  }

  @BeforeEach
  void setUp() throws Exception {
    socket = dir.resolve("agent.sock");
    api = new FakeWorkloadApi(socket);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (source != null) {
      source.close();
    }
    api.stop();
    scheduler.shutdownNow();
    assertThat(NonBlockingThreads.violations()).isEmpty();
  }

  @Test
  void deliversTheFirstSvidWithItsTrustDomainBundle() throws Exception {
    TestCertificates.Issued svid = ca.issueWorkload(ID);
    api.onOpen(() -> response(svid, ca.root()));

    start();

    WorkloadCertificate cert = listener.awaitCertificates(1).get(0);
    assertThat(cert.id()).isEqualTo(SpiffeId.parse(ID));
    assertThat(cert.leaf()).isEqualTo(svid.certificate());
    assertThat(cert.privateKey()).isEqualTo(svid.key().getPrivate());
    assertThat(cert.roots()).containsExactly(ca.root());
    assertThat(cert.trustBundles()).containsOnlyKeys("example.org");
    assertThat(listener.errors).isEmpty();
  }

  @Test
  void deliversARotatedSvidPushedOnTheSameStream() throws Exception {
    api.onOpen(() -> response(ca.issueWorkload(ID), ca.root()));
    start();
    listener.awaitCertificates(1);

    TestCertificates.Issued rotated = ca.issueWorkload(ID);
    api.push(response(rotated, ca.root()));

    assertThat(listener.awaitCertificates(2).get(1).leaf()).isEqualTo(rotated.certificate());
    assertThat(api.calls).hasSize(1);
  }

  @Test
  void deliversFederatedBundlesKeyedByIdOrBareTrustDomain() throws Exception {
    TestCertificates third = new TestCertificates();
    api.onOpen(
        () ->
            response(ca.issueWorkload(ID), ca.root()).toBuilder()
                .putFederatedBundles("spiffe://partner.example", der(otherCa.root()))
                .putFederatedBundles("legacy.example", der(third.root()))
                .build());

    start();

    WorkloadCertificate cert = listener.awaitCertificates(1).get(0);
    assertThat(cert.trustBundles())
        .containsOnlyKeys("example.org", "partner.example", "legacy.example");
    assertThat(cert.trustBundles().get("partner.example")).containsExactly(otherCa.root());
    assertThat(cert.trustBundles().get("legacy.example")).containsExactly(third.root());
  }

  @Test
  void reconnectsAfterTheServerRestartsAndGetsTheNextSvid() throws Exception {
    api.onOpen(() -> response(ca.issueWorkload(ID), ca.root()));
    start();
    listener.awaitCertificates(1);

    api.stop();
    await().atMost(WAIT).until(() -> !listener.errors.isEmpty());
    assertThat(listener.errors.get(0)).contains(socket.toString()).contains("reconnecting in");

    TestCertificates.Issued next = ca.issueWorkload(ID);
    api = new FakeWorkloadApi(socket);
    api.onOpen(() -> response(next, ca.root()));

    assertThat(listener.awaitCertificates(2).get(1).leaf()).isEqualTo(next.certificate());
  }

  @Test
  void sendsTheWorkloadApiSecurityHeader() throws Exception {
    api.onOpen(() -> response(ca.issueWorkload(ID), ca.root()));

    start();

    listener.awaitCertificates(1);
    assertThat(api.securityHeaders).containsExactly("true");
  }

  @Test
  void reportsAMalformedSvidAndDeliversNothing() throws Exception {
    TestCertificates.Issued svid = ca.issueWorkload(ID);
    api.onOpen(
        () ->
            X509SVIDResponse.newBuilder()
                .addSvids(
                    svid(svid, ca.root()).toBuilder()
                        .setX509Svid(ByteString.copyFromUtf8("not a certificate")))
                .build());

    start();

    await().atMost(WAIT).until(() -> !listener.errors.isEmpty());
    assertThat(listener.errors.get(0))
        .contains("unix://" + socket)
        .contains("x509_svid")
        .contains("is not DER X.509 certificates");
    assertThat(listener.certificates).isEmpty();

    // The stream stays up: the next good snapshot is taken.
    api.push(response(svid, ca.root()));
    listener.awaitCertificates(1);
  }

  @Test
  void reportsAResponseWithoutSvids() throws Exception {
    api.onOpen(X509SVIDResponse::getDefaultInstance);

    start();

    await().atMost(WAIT).until(() -> !listener.errors.isEmpty());
    assertThat(listener.errors.get(0)).contains("no SVID");
    assertThat(listener.certificates).isEmpty();
  }

  @Test
  void reportsAKeyThatIsNotTheLeafsKey() throws Exception {
    TestCertificates.Issued svid = ca.issueWorkload(ID);
    TestCertificates.Issued other = ca.issueWorkload(ID);
    api.onOpen(
        () ->
            X509SVIDResponse.newBuilder()
                .addSvids(
                    svid(svid, ca.root()).toBuilder()
                        .setX509SvidKey(ByteString.copyFrom(other.key().getPrivate().getEncoded())))
                .build());

    start();

    await().atMost(WAIT).until(() -> !listener.errors.isEmpty());
    assertThat(listener.errors.get(0)).contains("is not the key of the leaf certificate");
    assertThat(listener.certificates).isEmpty();
  }

  @Test
  void reportsASpiffeIdThatDiffersFromTheLeafsUriSan() throws Exception {
    TestCertificates.Issued svid = ca.issueWorkload(ID);
    api.onOpen(
        () ->
            X509SVIDResponse.newBuilder()
                .addSvids(
                    svid(svid, ca.root()).toBuilder()
                        .setSpiffeId("spiffe://example.org/ns/default/sa/other"))
                .build());

    start();

    await().atMost(WAIT).until(() -> !listener.errors.isEmpty());
    assertThat(listener.errors.get(0)).contains("differs from spiffe_id");
    assertThat(listener.certificates).isEmpty();
  }

  @Test
  void closeCancelsTheStreamAndIsIdempotent() throws Exception {
    api.onOpen(() -> response(ca.issueWorkload(ID), ca.root()));
    start();
    listener.awaitCertificates(1);

    source.close();
    source.close();

    await().atMost(WAIT).until(() -> api.cancelled.size() == 1);
    assertThat(listener.errors).isEmpty();
  }

  @Test
  void rejectsAnEndpointSocketThatIsNotAWorkloadApiAddress() {
    for (String bad :
        List.of(
            "/run/spire/agent.sock",
            "unix://run/spire/agent.sock",
            "unix:agent.sock",
            "unix:///run/agent.sock?x=1",
            "tcp://localhost:8081",
            "tcp://127.0.0.1",
            "http://127.0.0.1:8081")) {
      assertThatThrownBy(
              () ->
                  new SpireCertificateSource(
                      bad, Duration.ofMillis(10), Duration.ofSeconds(1), scheduler))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("SPIFFE_ENDPOINT_SOCKET='" + bad + "'")
          .hasMessageContaining("unix:///")
          .hasMessageContaining("tcp://<ip>:<port>");
    }
  }

  @Test
  void acceptsTheSpecifiedAddressForms() {
    assertThat(WorkloadApiAddress.parse("unix:///run/spire/agent.sock").socketPath())
        .isEqualTo("/run/spire/agent.sock");
    assertThat(WorkloadApiAddress.parse("unix:/run/spire/agent.sock").socketPath())
        .isEqualTo("/run/spire/agent.sock");
    WorkloadApiAddress tcp = WorkloadApiAddress.parse("tcp://127.0.0.1:8081");
    assertThat(tcp.host()).isEqualTo("127.0.0.1");
    assertThat(tcp.port()).isEqualTo(8081);
    assertThat(WorkloadApiAddress.parse("tcp://[::1]:8081").host()).isEqualTo("::1");
  }

  private void start() {
    source =
        new SpireCertificateSource(
            "unix://" + socket, Duration.ofMillis(20), Duration.ofMillis(200), scheduler);
    source.start(listener);
  }

  private static X509SVIDResponse response(TestCertificates.Issued svid, X509Certificate root)
      throws Exception {
    return X509SVIDResponse.newBuilder().addSvids(svid(svid, root)).build();
  }

  private static X509SVID svid(TestCertificates.Issued svid, X509Certificate root)
      throws Exception {
    return X509SVID
        .newBuilder()
        .setSpiffeId(ID)
        .setX509Svid(der(svid.certificate()))
        .setX509SvidKey(ByteString.copyFrom(svid.key().getPrivate().getEncoded()))
        .setBundle(der(root))
        .build();
  }

  private static ByteString der(X509Certificate cert) throws Exception {
    return ByteString.copyFrom(cert.getEncoded());
  }

  /** Records what the source delivers. */
  private static final class RecordingListener implements CertificateSource.Listener {
    final List<WorkloadCertificate> certificates = new CopyOnWriteArrayList<>();
    final List<String> errors = new CopyOnWriteArrayList<>();

    @Override
    public void onCertificate(WorkloadCertificate certificate) {
      certificates.add(certificate);
    }

    @Override
    public void onError(String message, Throwable cause) {
      errors.add(message);
    }

    List<WorkloadCertificate> awaitCertificates(int n) {
      await().atMost(WAIT).until(() -> certificates.size() >= n);
      return certificates;
    }
  }

  /**
   * A Workload API endpoint on a unix socket, as SPIRE's agent behaves: calls without the security
   * header fail with INVALID_ARGUMENT; FetchX509SVID answers at once and stays open.
   */
  private static final class FakeWorkloadApi {
    private static final Metadata.Key<String> SECURITY_HEADER =
        Metadata.Key.of("workload.spiffe.io", Metadata.ASCII_STRING_MARSHALLER);

    final List<ServerCallStreamObserver<X509SVIDResponse>> calls = new CopyOnWriteArrayList<>();
    final List<ServerCallStreamObserver<X509SVIDResponse>> cancelled = new CopyOnWriteArrayList<>();
    final List<String> securityHeaders = new CopyOnWriteArrayList<>();
    private final EventLoopGroup boss = new EpollEventLoopGroup(1);
    private final EventLoopGroup worker = new EpollEventLoopGroup(1);
    private final Server server;
    private volatile Supplier<X509SVIDResponse> onOpen = () -> null;

    FakeWorkloadApi(Path socket) throws Exception {
      Files.deleteIfExists(socket);
      ServerInterceptor headerCheck =
          new ServerInterceptor() {
            @Override
            public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
                ServerCall<ReqT, RespT> call,
                Metadata headers,
                ServerCallHandler<ReqT, RespT> next) {
              String value = headers.get(SECURITY_HEADER);
              securityHeaders.add(String.valueOf(value));
              if (!"true".equals(value)) {
                call.close(
                    Status.INVALID_ARGUMENT.withDescription("security header missing from request"),
                    new Metadata());
                return new ServerCall.Listener<>() {};
              }
              return next.startCall(call, headers);
            }
          };
      SpiffeWorkloadAPIGrpc.SpiffeWorkloadAPIImplBase service =
          new SpiffeWorkloadAPIGrpc.SpiffeWorkloadAPIImplBase() {
            @Override
            public void fetchX509SVID(
                X509SVIDRequest request, StreamObserver<X509SVIDResponse> observer) {
              ServerCallStreamObserver<X509SVIDResponse> call =
                  (ServerCallStreamObserver<X509SVIDResponse>) observer;
              call.setOnCancelHandler(() -> cancelled.add(call));
              calls.add(call);
              X509SVIDResponse first = onOpen.get();
              if (first != null) {
                synchronized (call) {
                  call.onNext(first);
                }
              }
            }
          };
      server =
          NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
              .channelType(EpollServerDomainSocketChannel.class)
              .bossEventLoopGroup(boss)
              .workerEventLoopGroup(worker)
              .addService(ServerInterceptors.intercept(service, headerCheck))
              .build()
              .start();
    }

    /** What each new FetchX509SVID stream gets first. */
    void onOpen(ThrowingSupplier first) {
      onOpen =
          () -> {
            try {
              return first.get();
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          };
    }

    /** Sends {@code response} on the newest stream. */
    void push(X509SVIDResponse response) {
      ServerCallStreamObserver<X509SVIDResponse> call = calls.get(calls.size() - 1);
      synchronized (call) {
        call.onNext(response);
      }
    }

    void stop() throws InterruptedException {
      server.shutdownNow();
      server.awaitTermination(5, TimeUnit.SECONDS);
      boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
      worker.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }
  }

  @FunctionalInterface
  private interface ThrowingSupplier {
    X509SVIDResponse get() throws Exception;
  }
}
