package io.meshagent.samples.demo;

import io.meshagent.identity.SpiffeId;
import java.util.List;

/**
 * One bookinfo workload of the demo: what its pod would be in Kubernetes.
 *
 * @param name the workload (and pod) name, for example {@code reviews-v2}
 * @param app the {@code app} label, which is also the service name
 * @param version the {@code version} label, which DestinationRule subsets select
 * @param serviceAccount the Kubernetes service account, hence the SPIFFE identity
 * @param ip the loopback address it serves on: 9080 for the app, 15008 for HBONE
 * @param configFile the file of Envoy resources, in the demo's configuration directory
 */
record Workload(
    String name, String app, String version, String serviceAccount, String ip, String configFile) {

  /** The port of every bookinfo service. */
  static final int SERVICE_PORT = 9080;

  /** ztunnel's HBONE port, served by every workload's agent. */
  static final int HBONE_PORT = 15008;

  /** Envoy's admin port: the agent's config dump, clusters, certificates, readiness. */
  static final int ADMIN_PORT = 15000;

  /** istio-agent's merged Prometheus metrics port ({@code /stats/prometheus}). */
  static final int METRICS_PORT = 15020;

  /** Every port the demo binds on each workload's address. */
  static final List<Integer> PORTS = List.of(SERVICE_PORT, HBONE_PORT, ADMIN_PORT, METRICS_PORT);

  static final Workload PRODUCTPAGE =
      new Workload(
          "productpage-v1",
          "productpage",
          "v1",
          "bookinfo-productpage",
          "127.0.0.10",
          "productpage.yaml");
  static final Workload DETAILS =
      new Workload("details-v1", "details", "v1", "bookinfo-details", "127.0.0.11", "details.yaml");
  static final Workload REVIEWS_V1 =
      new Workload("reviews-v1", "reviews", "v1", "bookinfo-reviews", "127.0.0.21", "reviews.yaml");
  static final Workload REVIEWS_V2 =
      new Workload("reviews-v2", "reviews", "v2", "bookinfo-reviews", "127.0.0.22", "reviews.yaml");
  static final Workload REVIEWS_V3 =
      new Workload("reviews-v3", "reviews", "v3", "bookinfo-reviews", "127.0.0.23", "reviews.yaml");
  static final Workload RATINGS =
      new Workload("ratings-v1", "ratings", "v1", "bookinfo-ratings", "127.0.0.31", "ratings.yaml");

  /** Every workload, in the order the report lists them. */
  static final List<Workload> BOOKINFO =
      List.of(PRODUCTPAGE, DETAILS, REVIEWS_V1, REVIEWS_V2, REVIEWS_V3, RATINGS);

  /** The namespace of all of them. */
  static final String NAMESPACE = "default";

  /** The identity istiod's (or the dev) CA issues to this workload. */
  SpiffeId spiffeId() {
    return SpiffeId.ofIstio("cluster.local", NAMESPACE, serviceAccount);
  }

  /** {@code ip:9080}. */
  String serviceAddress() {
    return ip + ":" + SERVICE_PORT;
  }

  /** Where its agent's config dump is served. */
  String configDumpUrl() {
    return "http://" + ip + ":" + ADMIN_PORT + "/config_dump";
  }

  /** Where its metrics are served. */
  String metricsUrl() {
    return "http://" + ip + ":" + METRICS_PORT + "/stats/prometheus";
  }

  /** The workload serving {@code ip} (the upstream host of a response), or null. */
  static @org.jspecify.annotations.Nullable Workload at(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    String ip = colon < 0 ? hostPort : hostPort.substring(0, colon);
    for (Workload w : BOOKINFO) {
      if (w.ip.equals(ip)) {
        return w;
      }
    }
    return null;
  }
}
