package io.meshagent.core.internal.xds;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.meshagent.core.internal.config.RawResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code StreamAggregatedResources}: every request carries the full name list, the accepted version
 * and the last nonce of its type. A wildcard type sends no names (legacy wildcard, which istiod and
 * Envoy's servers both honour).
 */
final class SotwAdsStream extends AbstractAdsStream<DiscoveryRequest, DiscoveryResponse> {

  SotwAdsStream(Node node, StreamListener listener) {
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
    send(request(typeUrl, wildcard, names, version, nonce).build());
  }

  @Override
  public void ack(
      String typeUrl, boolean wildcard, Set<String> names, String version, String nonce) {
    send(request(typeUrl, wildcard, names, version, nonce).build());
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
        request(typeUrl, wildcard, names, acceptedVersion, nonce)
            .setErrorDetail(Nacks.errorDetail(error))
            .build());
  }

  private DiscoveryRequest.Builder request(
      String typeUrl, boolean wildcard, Set<String> names, String version, String nonce) {
    DiscoveryRequest.Builder b =
        DiscoveryRequest.newBuilder()
            .setNode(nodeForRequest())
            .setTypeUrl(typeUrl)
            .setVersionInfo(version)
            .setResponseNonce(nonce);
    if (!wildcard) {
      b.addAllResourceNames(names);
    }
    return b;
  }

  @Override
  ResponseEvent decode(DiscoveryResponse response) {
    List<RawResource> resources = new ArrayList<>(response.getResourcesCount());
    for (var any : response.getResourcesList()) {
      resources.add(new RawResource("", "", any));
    }
    return new ResponseEvent(
        response.getTypeUrl(),
        response.getVersionInfo(),
        response.getNonce(),
        resources,
        List.of(),
        true);
  }
}
