package io.meshagent.netty;

import java.util.ArrayList;
import java.util.List;

/**
 * Envoy resources as istiod sends them to a sidecar, for the agent's {@code file:} source (YAML in
 * its JSON form, so nesting is explicit): istiod's clusters with HBONE, auto-mTLS and plaintext
 * transport socket matches, EDS with {@code tlsMode}/{@code tunnel} metadata, outbound HTTP
 * listeners and routes, and {@code virtualInbound} with TLS filter chains, RBAC and TCP proxies.
 */
final class MeshYaml {
  private final List<String> resources = new ArrayList<>();

  /** The file's text. */
  String render() {
    return "{ \"version_info\": \"1\", \"resources\": [\n"
        + String.join(",\n", resources)
        + "\n] }\n";
  }

  MeshYaml add(String json) {
    resources.add(json);
    return this;
  }

  private static String sds(String name) {
    return "{ \"name\": \"" + name + "\", \"sds_config\": { \"ads\": {} } }";
  }

  private static final String RAW_BUFFER =
      "{ \"name\": \"envoy.transport_sockets.raw_buffer\", \"typed_config\": { \"@type\":"
          + " \"type.googleapis.com/envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer\" } }";

  /**
   * An EDS cluster with istiod's transport socket matches (HBONE, auto-mTLS, plaintext).
   *
   * @param extra more cluster fields, JSON members with a leading comma, or empty
   */
  MeshYaml cluster(String name, String san, String extra) {
    String istioMutual =
        "{ \"name\": \"envoy.transport_sockets.tls\", \"typed_config\": { \"@type\":"
            + " \"type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext\","
            + " \"sni\": \"outbound_.9080_._."
            + name.substring(name.lastIndexOf('|') + 1)
            + "\","
            + " \"common_tls_context\": { \"alpn_protocols\": [\"istio-peer-exchange\", \"istio\"],"
            + " \"tls_certificate_sds_secret_configs\": ["
            + sds("default")
            + "],"
            + " \"combined_validation_context\": { \"default_validation_context\": {"
            + " \"match_subject_alt_names\": [{ \"exact\": \""
            + san
            + "\" }] },"
            + " \"validation_context_sds_secret_config\": "
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
            + " \"connect_timeout\": \"2s\", \"lb_policy\": \"ROUND_ROBIN\""
            + extra
            + ","
            + " \"transport_socket_matches\": ["
            + " { \"name\": \"hbone\", \"match\": { \"tunnel\": \"http\" }, \"transport_socket\": "
            + hbone
            + " },"
            + " { \"name\": \"tlsMode-istio\", \"match\": { \"tlsMode\": \"istio\" }, \"transport_socket\": "
            + istioMutual
            + " },"
            + " { \"name\": \"tlsMode-disabled\", \"match\": {}, \"transport_socket\": "
            + RAW_BUFFER
            + " } ],"
            + istioServiceMetadata(name)
            + " }");
  }

  /**
   * The {@code istio} metadata istiod gives an {@code outbound|port|subset|<name>.<ns>.svc...}
   * cluster: the service it is of, which the client side's metrics are labelled with.
   */
  static String istioServiceMetadata(String cluster) {
    String host = cluster.substring(cluster.lastIndexOf('|') + 1);
    String[] parts = host.split("\\.");
    return " \"metadata\": { \"filter_metadata\": { \"istio\": { \"services\": [{ \"host\": \""
        + host
        + "\", \"name\": \""
        + parts[0]
        + "\", \"namespace\": \""
        + (parts.length > 1 ? parts[1] : "")
        + "\" }] } } }";
  }

  /**
   * Endpoints {@code ip:port}; {@code label} is the transport socket match metadata, e.g. {@code
   * "tlsMode": "istio"} or {@code "tunnel": "http"}.
   */
  MeshYaml endpoints(String cluster, String label, String... ipPorts) {
    List<String> eps = new ArrayList<>();
    for (String ipPort : ipPorts) {
      int colon = ipPort.lastIndexOf(':');
      eps.add(
          "{ \"endpoint\": { \"address\": { \"socket_address\": { \"address\": \""
              + ipPort.substring(0, colon)
              + "\", \"port_value\": "
              + ipPort.substring(colon + 1)
              + " } } }, \"metadata\": { \"filter_metadata\": { \"envoy.transport_socket_match\": { "
              + label
              + " } } } }");
    }
    return add(
        "{ \"@type\": \"type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment\","
            + " \"cluster_name\": \""
            + cluster
            + "\", \"endpoints\": [{ \"lb_endpoints\": ["
            + String.join(", ", eps)
            + "] }] }");
  }

  /**
   * istiod's HBONE endpoint (ENABLE_HBONE): the {@code connect_originate} internal address whose id
   * is the CONNECT authority, with the tunnel's next hop ({@code <ip>:15008} of the pod, or of its
   * waypoint) in {@code envoy.filters.listener.original_dst} metadata.
   */
  MeshYaml hboneEndpoint(String cluster, String authority, String nextHop) {
    return add(
        "{ \"@type\": \"type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment\","
            + " \"cluster_name\": \""
            + cluster
            + "\", \"endpoints\": [{ \"lb_endpoints\": [{ \"endpoint\": { \"address\": {"
            + " \"envoy_internal_address\": { \"server_listener_name\": \"connect_originate\","
            + " \"endpoint_id\": \""
            + authority
            + "\" } } }, \"metadata\": { \"filter_metadata\": {"
            + " \"envoy.transport_socket_match\": { \"tunnel\": \"http\" },"
            + " \"envoy.filters.listener.original_dst\": { \"local\": \""
            + nextHop
            + "\" } } } }] }] }");
  }

  private static final String ROUTER =
      "{ \"name\": \"envoy.filters.http.router\", \"typed_config\": { \"@type\":"
          + " \"type.googleapis.com/envoy.extensions.filters.http.router.v3.Router\" } }";

  /** istiod's outbound fault filter: no fault of its own, routes override it. */
  private static final String FAULT =
      "{ \"name\": \"envoy.filters.http.fault\", \"typed_config\": { \"@type\":"
          + " \"type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault\" } }";

  private static final String CORS =
      "{ \"name\": \"envoy.filters.http.cors\", \"typed_config\": { \"@type\":"
          + " \"type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors\" } }";

  /** The outbound HTTP listener of a port, with routes from RDS named by the port. */
  MeshYaml httpListener(int port) {
    return add(
        "{ \"@type\": \"type.googleapis.com/envoy.config.listener.v3.Listener\", \"name\":"
            + " \"0.0.0.0_"
            + port
            + "\", \"address\": { \"socket_address\": { \"address\":"
            + " \"0.0.0.0\", \"port_value\": "
            + port
            + " } }, \"traffic_direction\": \"OUTBOUND\","
            + " \"filter_chains\": [{ \"filters\": [{ \"name\":"
            + " \"envoy.filters.network.http_connection_manager\", \"typed_config\": { \"@type\":"
            + " \"type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager\","
            + " \"stat_prefix\": \"outbound_0.0.0.0_"
            + port
            + "\", \"rds\": { \"route_config_name\":"
            + " \""
            + port
            + "\", \"config_source\": { \"ads\": {} } }, \"http_filters\": ["
            + FAULT
            + ", "
            + CORS
            + ", "
            + ROUTER
            + "] } }] }] }");
  }

  /** A route configuration named by the port; {@code vhosts} are JSON objects. */
  MeshYaml routes(int port, String... vhosts) {
    return add(
        "{ \"@type\": \"type.googleapis.com/envoy.config.route.v3.RouteConfiguration\", \"name\":"
            + " \""
            + port
            + "\", \"virtual_hosts\": ["
            + String.join(", ", vhosts)
            + "] }");
  }

  /** A virtual host for {@code domains} whose routes are JSON objects. */
  static String vhost(String name, List<String> domains, String... routes) {
    return "{ \"name\": \""
        + name
        + "\", \"domains\": [\""
        + String.join("\", \"", domains)
        + "\"], \"routes\": ["
        + String.join(", ", routes)
        + "] }";
  }

  /** A route: prefix match, action members (e.g. {@code "cluster": "x", "timeout": "0s"}). */
  static String route(String prefix, String action, String extra) {
    return "{ \"match\": { \"prefix\": \""
        + prefix
        + "\" }, \"route\": { "
        + action
        + " }"
        + extra
        + " }";
  }

  /** {@code virtualInbound} with the given filter chains (JSON objects). */
  MeshYaml virtualInbound(String... chains) {
    return add(
        "{ \"@type\": \"type.googleapis.com/envoy.config.listener.v3.Listener\", \"name\":"
            + " \"virtualInbound\", \"address\": { \"socket_address\": { \"address\": \"0.0.0.0\","
            + " \"port_value\": 15006 } }, \"traffic_direction\": \"INBOUND\", \"use_original_dst\":"
            + " true, \"filter_chains\": ["
            + String.join(", ", chains)
            + "] }");
  }

  private static String chainHead(String name, int port, boolean tls) {
    return "\"name\": \""
        + name
        + "\", \"filter_chain_match\": { \"destination_port\": "
        + port
        + ", \"transport_protocol\": \""
        + (tls ? "tls" : "raw_buffer")
        + "\" }"
        + (tls ? ", \"transport_socket\": " + DOWNSTREAM_TLS : "");
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

  /**
   * An inbound HTTP chain with istiod's RBAC for an ALLOW policy: only {@code principal} (an Istio
   * principal, {@code cluster.local/ns/<ns>/sa/<sa>}), on any path but {@code /admin}.
   */
  static String inboundHttpChain(int port, boolean tls, String principal) {
    return inboundHttpChain(port, tls, principal, "");
  }

  /** The same, with more HTTP filters (JSON objects with a trailing comma) before RBAC. */
  static String inboundHttpChain(int port, boolean tls, String principal, String filters) {
    String rbac =
        "{ \"name\": \"envoy.filters.http.rbac\", \"typed_config\": { \"@type\":"
            + " \"type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC\", \"rules\": {"
            + " \"action\": \"ALLOW\", \"policies\": { \"ns[default]-policy[reviews-viewer]-rule[0]\":"
            + " { \"permissions\": [{ \"not_rule\": { \"url_path\": { \"path\": { \"prefix\":"
            + " \"/admin\" } } } }], \"principals\": [{ \"authenticated\": { \"principal_name\": {"
            + " \"exact\": \"spiffe://"
            + principal
            + "\" } } }] } } } } }";
    return "{ "
        + chainHead("inbound_" + port + (tls ? "_tls" : "_raw"), port, tls)
        + ", \"filters\": [{ \"name\": \"envoy.filters.network.http_connection_manager\","
        + " \"typed_config\": { \"@type\":"
        + " \"type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager\","
        + " \"stat_prefix\": \"inbound_0.0.0.0_"
        + port
        + "\", \"route_config\": { \"name\":"
        + " \"inbound|"
        + port
        + "||\", \"virtual_hosts\": [{ \"name\": \"inbound|http|"
        + port
        + "\", \"domains\": [\"*\"], \"routes\": [{ \"match\": { \"prefix\": \"/\" }, \"route\": {"
        + " \"cluster\": \"inbound|"
        + port
        + "||\" } }] }] }, \"http_filters\": ["
        + filters
        + rbac
        + ", "
        + ROUTER
        + "] } }] }";
  }

  /**
   * istiod's {@code jwt_authn} for a RequestAuthentication with one rule: the token is optional,
   * but one that is present must verify against {@code jwks} (inline, as istiod inlines it).
   */
  static String jwtAuthn(String issuer, String jwks) {
    String escaped = jwks.replace("\\", "\\\\").replace("\"", "\\\"");
    return "{ \"name\": \"envoy.filters.http.jwt_authn\", \"typed_config\": { \"@type\":"
        + " \"type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication\","
        + " \"providers\": { \"origins-0\": { \"issuer\": \""
        + issuer
        + "\", \"local_jwks\": {"
        + " \"inline_string\": \""
        + escaped
        + "\" }, \"payload_in_metadata\": \"payload\" } },"
        + " \"rules\": [{ \"match\": { \"prefix\": \"/\" }, \"requires\": { \"requires_any\": {"
        + " \"requirements\": [{ \"provider_name\": \"origins-0\" }, { \"allow_missing\": {} }] } } }],"
        + " \"bypass_cors_preflight\": true } }, ";
  }

  /** An inbound TCP chain to the app. */
  static String inboundTcpChain(int port, boolean tls) {
    return tcpChain(port, tls, "");
  }

  /**
   * An inbound TCP chain with istiod's network RBAC for an ALLOW policy: only {@code principal} (an
   * Istio principal, {@code cluster.local/ns/<ns>/sa/<sa>}) may connect.
   */
  static String inboundTcpChain(int port, boolean tls, String principal) {
    return tcpChain(
        port,
        tls,
        "{ \"name\": \"envoy.filters.network.rbac\", \"typed_config\": { \"@type\":"
            + " \"type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC\","
            + " \"stat_prefix\": \"tcp.\", \"rules\": { \"action\": \"ALLOW\", \"policies\": {"
            + " \"ns[default]-policy[tcp-viewer]-rule[0]\": { \"permissions\": [{ \"any\": true }],"
            + " \"principals\": [{ \"authenticated\": { \"principal_name\": { \"exact\":"
            + " \"spiffe://"
            + principal
            + "\" } } }] } } } } }, ");
  }

  private static String tcpChain(int port, boolean tls, String filters) {
    return "{ "
        + chainHead("inbound_" + port + "_tcp" + (tls ? "_tls" : "_raw"), port, tls)
        + ", \"filters\": ["
        + filters
        + "{ \"name\": \"envoy.filters.network.tcp_proxy\", \"typed_config\": {"
        + " \"@type\": \"type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy\","
        + " \"stat_prefix\": \"inbound|"
        + port
        + "||\", \"cluster\": \"inbound|"
        + port
        + "||\" } }] }";
  }
}
