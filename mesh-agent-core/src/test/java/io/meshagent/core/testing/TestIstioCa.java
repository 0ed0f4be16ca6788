package io.meshagent.core.testing;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.meshagent.core.internal.proto.ca.IstioCertificateRequest;
import io.meshagent.core.internal.proto.ca.IstioCertificateResponse;
import io.meshagent.core.internal.proto.ca.IstioCertificateServiceGrpc;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * A CA that implements {@code istio.v1.auth.IstioCertificateService} as istiod does, over real gRPC
 * with TLS on loopback: it authenticates the bearer token, issues the identity the token maps to
 * (ignoring the CSR's SANs, as istiod), honours the requested validity, and answers leaf first,
 * root last. It can be told to fail, to be down, or to answer badly.
 */
public final class TestIstioCa implements AutoCloseable {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> CLUSTER_ID =
      Metadata.Key.of("ClusterID", Metadata.ASCII_STRING_MARSHALLER);
  private static final Context.Key<Metadata> HEADERS = Context.key("headers");

  /** How the CA answers. */
  public enum Mode {
    NORMAL,
    UNAVAILABLE,
    CHAIN_OF_ONE,
    MALFORMED_PEM
  }

  private final TestCertificates ca;
  private final Map<String, String> identityByToken = new ConcurrentHashMap<>();
  private final List<Metadata> requests = new CopyOnWriteArrayList<>();
  private final AtomicReference<Mode> mode = new AtomicReference<>(Mode.NORMAL);
  private final Clock clock;
  private final Path dir;
  private Server server;
  private int port;

  /**
   * @param ca signs workload certificates
   * @param dir where the serving certificate is written
   * @param clock the time certificates start at
   */
  public TestIstioCa(TestCertificates ca, Path dir, Clock clock) {
    this.ca = ca;
    this.dir = dir;
    this.clock = clock;
  }

  /** Accepts {@code token} as the identity {@code spiffeId}. */
  public TestIstioCa allow(String token, String spiffeId) {
    identityByToken.put(token, spiffeId);
    return this;
  }

  public void mode(Mode m) {
    mode.set(m);
  }

  /** Headers of every CreateCertificate call received. */
  public List<Metadata> requests() {
    return requests;
  }

  public int port() {
    return port;
  }

  /** Starts on loopback, on the port it had before a {@link #stop()} if any. */
  public TestIstioCa start() throws Exception {
    TestCertificates.Issued serving = ca.issueServer("istiod.istio-system.svc");
    ServerInterceptor headers =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, R> call, Metadata h, ServerCallHandler<Q, R> next) {
            return Contexts.interceptCall(Context.current().withValue(HEADERS, h), call, h, next);
          }
        };
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
            .sslContext(
                GrpcSslContexts.forServer(
                        serving.writeCertificate(dir.resolve("ca-serving.pem")).toFile(),
                        serving.writeKey(dir.resolve("ca-serving-key.pem")).toFile())
                    .build())
            .addService(ServerInterceptors.intercept(new Service(), headers))
            .build()
            .start();
    port = server.getPort();
    return this;
  }

  public void stop() throws InterruptedException {
    server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (server != null) {
      stop();
    }
  }

  private final class Service extends IstioCertificateServiceGrpc.IstioCertificateServiceImplBase {
    @Override
    public void createCertificate(
        IstioCertificateRequest request, StreamObserver<IstioCertificateResponse> response) {
      Metadata h = HEADERS.get();
      requests.add(h);
      if (mode.get() == Mode.UNAVAILABLE) {
        response.onError(Status.UNAVAILABLE.withDescription("CA is down").asException());
        return;
      }
      String auth = h.get(AUTHORIZATION);
      String identity =
          auth != null && auth.startsWith("Bearer ")
              ? identityByToken.get(auth.substring("Bearer ".length()))
              : null;
      if (identity == null) {
        response.onError(
            Status.UNAUTHENTICATED.withDescription("request authenticate failure").asException());
        return;
      }
      if (h.get(CLUSTER_ID) == null) {
        response.onError(Status.INVALID_ARGUMENT.withDescription("no ClusterID").asException());
        return;
      }
      try {
        PKCS10CertificationRequest csr;
        try (PEMParser p = new PEMParser(new StringReader(request.getCsr()))) {
          csr = (PKCS10CertificationRequest) p.readObject();
        }
        java.security.PublicKey publicKey = csr == null ? null : publicKey(csr);
        if (csr == null
            || !csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(publicKey))) {
          response.onError(Status.INVALID_ARGUMENT.withDescription("bad CSR").asException());
          return;
        }
        Instant now = clock.instant();
        long ttl = request.getValidityDuration() > 0 ? request.getValidityDuration() : 86_400;
        JcaX509v3CertificateBuilder b =
            new JcaX509v3CertificateBuilder(
                ca.root(),
                new BigInteger(64, new SecureRandom()),
                Date.from(now),
                Date.from(now.plus(Duration.ofSeconds(ttl))),
                new X500Name(""),
                publicKey);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(
            Extension.subjectAlternativeName,
            true,
            new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, identity)));
        X509Certificate leaf =
            new JcaX509CertificateConverter()
                .getCertificate(
                    b.build(
                        new JcaContentSignerBuilder("SHA256withECDSA")
                            .build(ca.rootKey().getPrivate())));
        IstioCertificateResponse.Builder out = IstioCertificateResponse.newBuilder();
        switch (mode.get()) {
          case CHAIN_OF_ONE -> out.addCertChain(pem(leaf));
          case MALFORMED_PEM ->
              out.addCertChain(
                      "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n")
                  .addCertChain(pem(ca.root()));
          default -> out.addCertChain(pem(leaf)).addCertChain(pem(ca.root()));
        }
        response.onNext(out.build());
        response.onCompleted();
      } catch (Exception e) {
        response.onError(Status.INTERNAL.withDescription(e.toString()).asException());
      }
    }
  }

  private static java.security.PublicKey publicKey(PKCS10CertificationRequest csr)
      throws Exception {
    byte[] spki = csr.getSubjectPublicKeyInfo().getEncoded();
    String algorithm =
        csr.getSubjectPublicKeyInfo()
                .getAlgorithm()
                .getAlgorithm()
                .getId()
                .equals("1.2.840.113549.1.1.1")
            ? "RSA"
            : "EC";
    return java.security.KeyFactory.getInstance(algorithm)
        .generatePublic(new java.security.spec.X509EncodedKeySpec(spki));
  }

  private static String pem(Object o) throws IOException {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
      pw.writeObject(o);
    }
    return w.toString();
  }
}
