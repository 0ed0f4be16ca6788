package io.meshagent.model.cluster;

import static java.util.Objects.requireNonNull;

/**
 * A service a cluster serves, as istiod lists it in the cluster's {@code istio} filter metadata
 * ({@code services: [{host, name, namespace}]}): what Istio's stats filter labels {@code
 * destination_service}, {@code destination_service_name} and {@code destination_service_namespace}
 * with.
 *
 * @param host the service's FQDN, {@code reviews.default.svc.cluster.local}
 * @param name the service's name, {@code reviews}
 * @param namespace the service's namespace
 */
public record IstioService(String host, String name, String namespace) {
  public IstioService {
    requireNonNull(host, "host");
    requireNonNull(name, "name");
    requireNonNull(namespace, "namespace");
  }
}
