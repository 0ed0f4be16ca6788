package io.meshagent.core.internal.telemetry.metrics;

import static java.util.Objects.requireNonNull;

/**
 * The service a request was addressed to: {@code destination_service} ({@code host}), {@code
 * destination_service_name} and {@code destination_service_namespace}. Istio takes them from the
 * {@code istio.services} metadata of the upstream cluster, else from the request's {@code Host};
 * empty parts fall back as Istio's stats filter does ({@link IstioLabels}).
 *
 * @param host the service's FQDN, {@code reviews.default.svc.cluster.local}
 * @param name the service's short name, {@code reviews}
 * @param namespace the service's namespace
 */
public record DestinationService(String host, String name, String namespace) {
  /** Nothing known about the service. */
  public static final DestinationService UNKNOWN = new DestinationService("", "", "");

  public DestinationService {
    requireNonNull(host, "host");
    requireNonNull(name, "name");
    requireNonNull(namespace, "namespace");
  }

  /**
   * The service for a host alone (no cluster metadata). A Kubernetes service's host, {@code
   * <name>.<namespace>.svc.<domain>}, names both; any other host is its own name with no namespace,
   * as Istio labels a request it knows only by its {@code Host}.
   */
  public static DestinationService ofHost(String host) {
    requireNonNull(host, "host");
    String[] parts = host.split("\\.", 4);
    if (parts.length >= 3 && parts[2].equals("svc") && !parts[0].isEmpty()) {
      return new DestinationService(host, parts[0], parts[1]);
    }
    return new DestinationService(host, host, "");
  }
}
