package io.meshagent.core.internal.xds;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.meshagent.core.internal.config.RawResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code DeltaAggregatedResources}: the first request of a type subscribes (no names for a
 * wildcard) and lists the resources already held, later ones carry only changes, and ACK/NACK carry
 * only the nonce (and the error).
 */
final class DeltaAdsStream
    extends AbstractAdsStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse> {

  DeltaAdsStream(Node node, StreamListener listener) {
    super(node, listener);
  }

  @Override
  public void subscribe(
      String typeUrl,
      boolean wildcard,
      Set<String> names,
      Set<String> added,
      Set<String> removed,
      String version,
      String nonce,
      Map<String, String> knownVersions) {
    send(
        DeltaDiscoveryRequest.newBuilder()
            .setNode(nodeForRequest())
            .setTypeUrl(typeUrl)
            .addAllResourceNamesSubscribe(wildcard ? List.of() : added)
            .addAllResourceNamesUnsubscribe(wildcard ? List.of() : removed)
            .putAllInitialResourceVersions(knownVersions)
            .build());
  }

  @Override
  public void ack(
      String typeUrl, boolean wildcard, Set<String> names, String version, String nonce) {
    send(
        DeltaDiscoveryRequest.newBuilder()
            .setNode(nodeForRequest())
            .setTypeUrl(typeUrl)
            .setResponseNonce(nonce)
            .build());
  }

  @Override
  public void nack(
      String typeUrl,
      boolean wildcard,
      Set<String> names,
      String acceptedVersion,
      String nonce,
      String error) {
    send(
        DeltaDiscoveryRequest.newBuilder()
            .setNode(nodeForRequest())
            .setTypeUrl(typeUrl)
            .setResponseNonce(nonce)
            .setErrorDetail(Nacks.errorDetail(error))
            .build());
  }

  @Override
  ResponseEvent decode(DeltaDiscoveryResponse response) {
    List<RawResource> resources = new ArrayList<>(response.getResourcesCount());
    for (Resource r : response.getResourcesList()) {
      resources.add(new RawResource(r.getName(), r.getVersion(), r.getResource()));
    }
    return new ResponseEvent(
        response.getTypeUrl(),
        response.getSystemVersionInfo(),
        response.getNonce(),
        resources,
        response.getRemovedResourcesList(),
        false);
  }
}
