package io.meshagent.core.internal.identity.istiod;

import com.google.protobuf.Struct;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.meshagent.core.identity.CertificateIssuer;
import io.meshagent.core.identity.WorkloadCertificate;
import io.meshagent.core.internal.identity.Csr;
import io.meshagent.core.internal.proto.ca.IstioCertificateRequest;
import io.meshagent.core.internal.proto.ca.IstioCertificateResponse;
import io.meshagent.core.internal.proto.ca.IstioCertificateServiceGrpc;
import io.meshagent.identity.SpiffeId;
import java.security.KeyPair;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * istiod's CA: {@code istio.v1.auth.IstioCertificateService/CreateCertificate} over the TLS channel
 * to port 15012, authenticated by the bearer token the channel carries, with the {@code ClusterID}
 * header istio-agent sends. The response chain comes leaf first, root last.
 */
public final class IstiodCertificateIssuer implements CertificateIssuer {
  private static final Metadata.Key<String> CLUSTER_ID =
      Metadata.Key.of("ClusterID", Metadata.ASCII_STRING_MARSHALLER);
  private static final Duration DEADLINE = Duration.ofSeconds(30);

  private final Channel channel;
  private final String caName;
  private final SpiffeId requested;
  private final Duration ttl;
  private final String clusterId;
  private final List<X509Certificate> extraRoots;

  /**
   * @param channel the TLS channel to the CA, with bearer-token call credentials
   * @param caName the CA's address, named in errors
   * @param requested the identity asked for (istiod issues the caller's authenticated one)
   * @param ttl the requested validity
   * @param extraRoots roots trusted besides the CA's own root
   */
  public IstiodCertificateIssuer(
      Channel channel,
      String caName,
      SpiffeId requested,
      Duration ttl,
      String clusterId,
      List<X509Certificate> extraRoots) {
    this.channel = channel;
    this.caName = caName;
    this.requested = requested;
    this.ttl = ttl;
    this.clusterId = clusterId;
    this.extraRoots = List.copyOf(extraRoots);
  }

  @Override
  public CompletableFuture<WorkloadCertificate> issue(KeyPair keyPair) {
    CompletableFuture<WorkloadCertificate> result = new CompletableFuture<>();
    Metadata headers = new Metadata();
    headers.put(CLUSTER_ID, clusterId);
    IstioCertificateRequest request =
        IstioCertificateRequest.newBuilder()
            .setCsr(Csr.pem(keyPair, requested))
            .setValidityDuration(ttl.toSeconds())
            .setMetadata(Struct.getDefaultInstance())
            .build();
    IstioCertificateServiceGrpc.newStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
        .createCertificate(
            request,
            new StreamObserver<>() {
              @Override
              public void onNext(IstioCertificateResponse response) {
                try {
                  result.complete(
                      CaResponses.toCertificate(
                          response.getCertChainList(), keyPair, extraRoots, caName));
                } catch (CertificateException e) {
                  result.completeExceptionally(e);
                }
              }

              @Override
              public void onError(Throwable t) {
                String detail =
                    t instanceof StatusRuntimeException sre
                        ? sre.getStatus().getCode()
                            + (sre.getStatus().getDescription() != null
                                ? ": " + sre.getStatus().getDescription()
                                : "")
                        : t.toString();
                result.completeExceptionally(
                    new CertificateException(
                        "CreateCertificate at " + caName + " failed: " + detail, t));
              }

              @Override
              public void onCompleted() {
                result.completeExceptionally(
                    new CertificateException(
                        "CreateCertificate at " + caName + " returned nothing"));
              }
            });
    return result;
  }

  @Override
  public void close() {
    // The channel belongs to the agent, which shuts it down.
  }
}
