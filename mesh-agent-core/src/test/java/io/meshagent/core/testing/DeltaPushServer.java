package io.meshagent.core.testing;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Delta ADS server that sends prepared responses and computes nothing: benchmarks measure the
 * agent rather than the server with it (java-control-plane diffs every snapshot, which at 10,000
 * clusters costs more than the agent does), and tests serve types java-control-plane's cache does
 * not know (Istio's Address and Authorization). It answers each subscription with what it holds for
 * the subscribed names (all of them for wildcard types) and can push any response at any time.
 */
public final class DeltaPushServer implements AutoCloseable {
  private final Map<String, Map<String, Any>> resources = new ConcurrentHashMap<>();
  private final AtomicLong nonce = new AtomicLong();
  private volatile StreamObserver<DeltaDiscoveryResponse> stream;
  private final Server server;

  public DeltaPushServer() throws IOException {
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .maxInboundMessageSize(256 * 1024 * 1024)
            .addService(new Service())
            .build()
            .start();
  }

  public String address() {
    return "plaintext://127.0.0.1:" + server.getPort();
  }

  /** Holds {@code byName} for subscriptions to come, without sending it. */
  public void put(String typeUrl, Map<String, Any> byName) {
    resources.computeIfAbsent(typeUrl, k -> new ConcurrentHashMap<>()).putAll(byName);
  }

  /** Sends {@code byName} of {@code typeUrl} to the connected agent now. */
  public void push(String typeUrl, Map<String, Any> byName) {
    put(typeUrl, byName);
    send(typeUrl, byName);
  }

  /** Removes {@code name} of {@code typeUrl} and tells the connected agent (a Delta removal). */
  public synchronized void remove(String typeUrl, String name) {
    Map<String, Any> held = resources.get(typeUrl);
    if (held != null) {
      held.remove(name);
    }
    stream.onNext(
        DeltaDiscoveryResponse.newBuilder()
            .setTypeUrl(typeUrl)
            .setNonce(Long.toString(nonce.incrementAndGet()))
            .addRemovedResources(name)
            .build());
  }

  private synchronized void send(String typeUrl, Map<String, Any> byName) {
    DeltaDiscoveryResponse.Builder r =
        DeltaDiscoveryResponse.newBuilder()
            .setTypeUrl(typeUrl)
            .setSystemVersionInfo(Long.toString(nonce.get()))
            .setNonce(Long.toString(nonce.incrementAndGet()));
    byName.forEach(
        (name, any) ->
            r.addResources(
                Resource.newBuilder().setName(name).setVersion(r.getNonce()).setResource(any)));
    stream.onNext(r.build());
  }

  private final class Service
      extends AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase {
    @Override
    public StreamObserver<DeltaDiscoveryRequest> deltaAggregatedResources(
        StreamObserver<DeltaDiscoveryResponse> responses) {
      stream = responses;
      Set<String> seenTypes = new HashSet<>();
      return new StreamObserver<>() {
        @Override
        public void onNext(DeltaDiscoveryRequest req) {
          String type = req.getTypeUrl();
          boolean first = seenTypes.add(type);
          List<String> names = req.getResourceNamesSubscribeList();
          if (!first && names.isEmpty()) {
            return; // an ACK or NACK
          }
          Map<String, Any> held = resources.getOrDefault(type, Map.of());
          if (names.isEmpty()) {
            send(type, held);
          } else {
            Map<String, Any> wanted = new java.util.LinkedHashMap<>();
            for (String n : names) {
              Any a = held.get(n);
              if (a != null) {
                wanted.put(n, a);
              }
            }
            send(type, wanted);
          }
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          responses.onCompleted();
        }
      };
    }
  }

  @Override
  public void close() {
    try {
      server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
