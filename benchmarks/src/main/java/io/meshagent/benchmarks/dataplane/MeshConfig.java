package io.meshagent.benchmarks.dataplane;

import java.util.ArrayList;
import java.util.List;

/**
 * Envoy resources as istiod sends them to a sidecar, for the agent's {@code file:} source (JSON):
 * EDS clusters with istiod's transport socket matches, endpoints labelled {@code tlsMode: istio} or
 * {@code tunnel: http}, an outbound HTTP listener with its routes, and {@code virtualInbound} with
 * mTLS filter chains. A trimmed copy of mesh-agent-netty's test helper {@code MeshYaml}, which is
 * package-private there.
 */
final class MeshConfig {
  /** Transport socket match metadata of an endpoint reached over Istio mTLS. */
  static final String MTLS = "\"tlsMode\": \"istio\"";

  /** Transport socket match metadata of an endpoint reached over HBONE. */
  static final String HBONE = "\"tunnel\": \"http\"";

  private final List<String> resources = new ArrayList<>();

  /** The file's text. */
  String render() {
    return "{ \"version_info\": \"1\", \"resources\": [\n"
        + String.join(",\n", resources)
        + "\n] }\n";
  }

  private MeshConfig add(String json) {
    resources.add(json);
    return this;
  }

  private static String sds(String name) {
    return "{ \"name\": \"" + name + "\", \"sds_config\": { \"ads\": {} } }";
  }

  private static final String RAW_BUFFER =
      "{ \"name\": \"envoy.transport_sockets.raw_buffer\", \"typed_config\": { \"@type\":"
          + " \"type.googleapis.com/envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer\" } }";

  private static final String ROUTER =
      "{ \"name\": \"envoy.filters.http.router\", \"typed_config\": { \"@type\":"
          + " \"type.googleapis.com/envoy.extensions.filters.http.router.v3.Router\" } }";

  /** An EDS cluster with istiod's transport socket matches (HBONE, auto-mTLS, plaintext). */
  MeshConfig cluster(String name, int port, String san) {
    String istioMutual =
        "{ \"name\": \"envoy.transport_sockets.tls\", \"typed_config\": { \"@type\":"
            + " \"type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext\","
            + " \"sni\": \"outbound_."
            + port
            + "_._."
            + name.substring(name.lastIndexOf('|') + 1)
            + "\", \"common_tls_context\": { \"alpn_protocols\": [\"istio-peer-exchange\","
            + " \"istio\"], \"tls_certificate_sds_secret_configs\": ["
            + sds("default")
            + "], \"combined_validation_context\": { \"default_validation_context\": {"
            + " \"match_subject_alt_names\": [{ \"exact\": \""
            + san
            + "\" }] }, \"validation_context_sds_secret_config\": "
            + sds("ROOTCA")
            + " } } } }";
    String hbone =
        "{ \"name\": \"envoy.transport_sockets.internal_upstream\", \"typed_config\": { \"@type\":"
            + " \"type.googleapis.com/envoy.extensions.transport_sockets.internal_upstream.v3.InternalUpstreamTransport\","
            + " \"transport_socket\": "
            + RAW_BUFFER
            + " } }";
    return add(
        "{ \"@type\": \"type.googleapis.com/envoy.config.cluster.v3.Cluster\", \"name\": \""
            + name
            + "\", \"type\": \"EDS\", \"eds_cluster_config\": { \"eds_config\": { \"ads\": {} } },"
            + " \"connect_timeout\": \"2s\", \"lb_policy\": \"ROUND_ROBIN\","
            + " \"transport_socket_matches\": ["
            + " { \"name\": \"hbone\", \"match\": { \"tunnel\": \"http\" }, \"transport_socket\": "
            + hbone
            + " }, { \"name\": \"tlsMode-istio\", \"match\": { \"tlsMode\": \"istio\" },"
            + " \"transport_socket\": "
            + istioMutual
            + " }, { \"name\": \"tlsMode-disabled\", \"match\": {}, \"transport_socket\": "
            + RAW_BUFFER
            + " } ] }");
  }

  /**
   * One endpoint {@code ip:port} of {@code cluster}; {@code label} is {@link #MTLS} or {@link
   * #HBONE}.
   */
  MeshConfig endpoint(String cluster, String label, String ip, int port) {
    return add(
        "{ \"@type\": \"type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment\","
            + " \"cluster_name\": \""
            + cluster
            + "\", \"endpoints\": [{ \"lb_endpoints\": [{ \"endpoint\": { \"address\": {"
            + " \"socket_address\": { \"address\": \""
            + ip
            + "\", \"port_value\": "
            + port
            + " } } }, \"metadata\": { \"filter_metadata\": { \"envoy.transport_socket_match\": { "
            + label
            + " } } } }] }] }");
  }

  /** The outbound HTTP listener of a port, with routes from RDS named by the port. */
  MeshConfig httpListener(int port) {
    return add(
        "{ \"@type\": \"type.googleapis.com/envoy.config.listener.v3.Listener\", \"name\":"
            + " \"0.0.0.0_"
            + port
            + "\", \"address\": { \"socket_address\": { \"address\": \"0.0.0.0\", \"port_value\": "
            + port
            + " } }, \"traffic_direction\": \"OUTBOUND\", \"filter_chains\": [{ \"filters\": [{"
            + " \"name\": \"envoy.filters.network.http_connection_manager\", \"typed_config\": {"
            + " \"@type\":"
            + " \"type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager\","
            + " \"stat_prefix\": \"outbound_0.0.0.0_"
            + port
            + "\", \"rds\": { \"route_config_name\": \""
            + port
            + "\", \"config_source\": { \"ads\": {} } }, \"http_filters\": ["
            + ROUTER
            + "] } }] }] }");
  }

  /**
   * The route configuration named by {@code port}: one virtual host per {@code host -> cluster}
   * pair (domain {@code host:port}), prefix {@code /}, no route timeout.
   */
  MeshConfig routes(int port, String... hostClusterPairs) {
    List<String> vhosts = new ArrayList<>();
    for (int i = 0; i < hostClusterPairs.length; i += 2) {
      String host = hostClusterPairs[i];
      vhosts.add(
          "{ \"name\": \""
              + host
              + "\", \"domains\": [\""
              + host
              + ":"
              + port
              + "\"], \"routes\": [{ \"match\": { \"prefix\": \"/\" }, \"route\": { \"cluster\": \""
              + hostClusterPairs[i + 1]
              + "\", \"timeout\": \"0s\" } }] }");
    }
    return add(
        "{ \"@type\": \"type.googleapis.com/envoy.config.route.v3.RouteConfiguration\", \"name\":"
            + " \""
            + port
            + "\", \"virtual_hosts\": ["
            + String.join(", ", vhosts)
            + "] }");
  }

  /** {@code virtualInbound} with the given filter chains (JSON objects). */
  MeshConfig virtualInbound(String... chains) {
    return add(
        "{ \"@type\": \"type.googleapis.com/envoy.config.listener.v3.Listener\", \"name\":"
            + " \"virtualInbound\", \"address\": { \"socket_address\": { \"address\": \"0.0.0.0\","
            + " \"port_value\": 15006 } }, \"traffic_direction\": \"INBOUND\", \"use_original_dst\":"
            + " true, \"filter_chains\": ["
            + String.join(", ", chains)
            + "] }");
  }

  private static final String DOWNSTREAM_TLS =
      "{ \"name\": \"envoy.transport_sockets.tls\", \"typed_config\": { \"@type\":"
          + " \"type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext\","
          + " \"require_client_certificate\": true, \"common_tls_context\": { \"alpn_protocols\":"
          + " [\"h2\", \"http/1.1\"], \"tls_certificate_sds_secret_configs\": ["
          + sds("default")
          + "], \"combined_validation_context\": { \"default_validation_context\": {},"
          + " \"validation_context_sds_secret_config\": "
          + sds("ROOTCA")
          + " } } } }";

  private static String tlsChainHead(String name, int port) {
    return "\"name\": \""
        + name
        + "\", \"filter_chain_match\": { \"destination_port\": "
        + port
        + ", \"transport_protocol\": \"tls\" }, \"transport_socket\": "
        + DOWNSTREAM_TLS;
  }

  /**
   * A STRICT inbound HTTP chain with istiod's RBAC for an ALLOW policy: only {@code principal} (an
   * Istio principal, {@code cluster.local/ns/<ns>/sa/<sa>}), on any path but {@code /admin}.
   */
  static String inboundHttpChain(int port, String principal) {
    String rbac =
        "{ \"name\": \"envoy.filters.http.rbac\", \"typed_config\": { \"@type\":"
            + " \"type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC\", \"rules\": {"
            + " \"action\": \"ALLOW\", \"policies\": { \"ns[default]-policy[bench]-rule[0]\": {"
            + " \"permissions\": [{ \"not_rule\": { \"url_path\": { \"path\": { \"prefix\":"
            + " \"/admin\" } } } }], \"principals\": [{ \"authenticated\": { \"principal_name\": {"
            + " \"exact\": \"spiffe://"
            + principal
            + "\" } } }] } } } } }";
    return "{ "
        + tlsChainHead("inbound_" + port + "_tls", port)
        + ", \"filters\": [{ \"name\": \"envoy.filters.network.http_connection_manager\","
        + " \"typed_config\": { \"@type\":"
        + " \"type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager\","
        + " \"stat_prefix\": \"inbound_0.0.0.0_"
        + port
        + "\", \"route_config\": { \"name\": \"inbound|"
        + port
        + "||\", \"virtual_hosts\": [{ \"name\": \"inbound|http|"
        + port
        + "\", \"domains\": [\"*\"], \"routes\": [{ \"match\": { \"prefix\": \"/\" }, \"route\": {"
        + " \"cluster\": \"inbound|"
        + port
        + "||\" } }] }] }, \"http_filters\": ["
        + rbac
        + ", "
        + ROUTER
        + "] } }] }";
  }

  /** A STRICT inbound TCP chain to the app. */
  static String inboundTcpChain(int port) {
    return "{ "
        + tlsChainHead("inbound_" + port + "_tcp_tls", port)
        + ", \"filters\": [{ \"name\": \"envoy.filters.network.tcp_proxy\", \"typed_config\": {"
        + " \"@type\": \"type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy\","
        + " \"stat_prefix\": \"inbound|"
        + port
        + "||\", \"cluster\": \"inbound|"
        + port
        + "||\" } }] }";
  }
}
