package io.meshagent.internal;

import io.meshagent.MeshAgentBuilder;
import io.meshagent.MeshAgentConfigException;
import io.meshagent.ProxyProfile;
import io.meshagent.XdsProtocol;
import io.meshagent.XdsSource;
import io.meshagent.identity.IdentityProvider;
import io.meshagent.identity.KeyAlgorithm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the variables istio-agent reads (and mesh-agent's own {@code MESH_AGENT_*}) into a builder.
 * This is the only place the environment is consulted; README's configuration reference lists the
 * same names.
 */
public final class EnvironmentSettings {
  /** Where istiod is when nothing says otherwise (istio-agent's default discovery address). */
  public static final String DEFAULT_DISCOVERY_ADDRESS = "istiod.istio-system.svc:15012";

  /** istio-agent's default location of the mesh root certificate. */
  public static final Path DEFAULT_ROOT_CERT = Path.of("/var/run/secrets/istio/root-cert.pem");

  /** Where Kubernetes projects the istio-ca audience token for istio-agent. */
  public static final Path DEFAULT_TOKEN_FILE = Path.of("/var/run/secrets/tokens/istio-token");

  private static final String META = "ISTIO_META_";
  private static final String METAJSON = "ISTIO_METAJSON_";

  private EnvironmentSettings() {}

  /** Applies every variable present in {@code env} to {@code builder}. */
  public static void apply(Map<String, String> env, MeshAgentBuilder builder) {
    apply(env, builder, DEFAULT_ROOT_CERT, DEFAULT_TOKEN_FILE);
  }

  /** {@link #apply(Map, MeshAgentBuilder)} with the default file locations given, for tests. */
  static void apply(
      Map<String, String> env, MeshAgentBuilder builder, Path defaultRootCert, Path defaultToken) {
    // Parsed under the variable's name, so an error says where the rejected value came from.
    XdsSource source =
        XdsSource.parse(
            "xds.address (MESH_AGENT_XDS_ADDRESS)",
            nonEmpty(env, "MESH_AGENT_XDS_ADDRESS", DEFAULT_DISCOVERY_ADDRESS, "xds.address"));
    builder.xdsSource(source);

    String delta = env.get("ISTIO_DELTA_XDS");
    if (delta != null && !delta.isEmpty()) {
      builder.xdsProtocol(
          parseBool("xds.protocol (ISTIO_DELTA_XDS)", delta)
              ? XdsProtocol.DELTA
              : XdsProtocol.SOTW);
    }
    String generator = env.getOrDefault(META + "GENERATOR", "");
    if (generator.equals("grpc")) {
      builder.profile(ProxyProfile.GRPC);
    } else if (!generator.isEmpty()) {
      throw new MeshAgentConfigException(
          "xds.profile (ISTIO_META_GENERATOR)",
          "'" + generator + "' is not accepted; accepted: grpc, or unset for the sidecar profile");
    }

    String rootCert = env.get("XDS_ROOT_CA");
    if (rootCert != null && !rootCert.isEmpty()) {
      builder.xdsRootCert(Path.of(rootCert));
    } else if (Files.isReadable(defaultRootCert)) {
      builder.xdsRootCert(defaultRootCert);
    }
    String san = env.get("ISTIOD_SAN");
    if (san != null && !san.isEmpty()) {
      builder.xdsServerName(san);
    }
    String token = env.get("MESH_AGENT_TOKEN_FILE");
    if (token != null && !token.isEmpty()) {
      builder.tokenFile(Path.of(token));
    } else if (source instanceof XdsSource.Server server
        && server.tls()
        && Files.isReadable(defaultToken)) {
      // Only over TLS: buildConfig() refuses a token on a plaintext address, and a token nobody
      // asked for must not make a valid plaintext address (such as istiod's :15010) fail.
      builder.tokenFile(defaultToken);
    }
    String fetchTimeout = env.get("MESH_AGENT_INITIAL_FETCH_TIMEOUT");
    if (fetchTimeout != null && !fetchTimeout.isEmpty()) {
      builder.initialFetchTimeout(
          parseDuration(
              "xds.initialFetchTimeout (MESH_AGENT_INITIAL_FETCH_TIMEOUT)", fetchTimeout));
    }

    String extra = env.get("MESH_AGENT_XDS_EXTRA_TYPES");
    if (extra != null) {
      for (String t : extra.split(",")) {
        if (!t.isBlank()) {
          builder.extraType(t.trim());
        }
      }
    }

    applyIdentity(env, builder, source);
    applyNode(env, builder);
  }

  /** istio-agent's certificate variables, and mesh-agent's own for what it lacks. */
  private static void applyIdentity(
      Map<String, String> env, MeshAgentBuilder builder, XdsSource source) {
    String spiffeSocket = env.get("SPIFFE_ENDPOINT_SOCKET");
    if (spiffeSocket != null && !spiffeSocket.isEmpty()) {
      builder.spiffeEndpointSocket(spiffeSocket);
    }
    String provider = env.get("MESH_AGENT_IDENTITY_PROVIDER");
    if (provider != null && !provider.isEmpty()) {
      try {
        builder.identityProvider(
            IdentityProvider.valueOf(provider.trim().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new MeshAgentConfigException(
            "identity.provider (MESH_AGENT_IDENTITY_PROVIDER)",
            "'" + provider + "' is not accepted; accepted: istiod, spire, files, dev, none");
      }
    } else if (spiffeSocket != null && !spiffeSocket.isEmpty()) {
      builder.identityProvider(IdentityProvider.SPIRE);
    } else if (source instanceof XdsSource.Server server && server.tls()) {
      // As istio-agent: a workload talking to istiod over TLS gets its certificate from istiod.
      builder.identityProvider(IdentityProvider.ISTIOD);
    }
    String td = env.get("TRUST_DOMAIN");
    if (td != null && !td.isEmpty()) {
      builder.trustDomain(td);
    }
    String ca = env.get("CA_ADDR");
    if (ca != null && !ca.isEmpty()) {
      builder.caAddress(ca);
    }
    String certDir = env.get("MESH_AGENT_CERT_DIR");
    if (certDir != null && !certDir.isEmpty()) {
      builder.certDir(Path.of(certDir));
    }
    String devCa = env.get("MESH_AGENT_DEV_CA_DIR");
    if (devCa != null && !devCa.isEmpty()) {
      builder.devCaDir(Path.of(devCa));
    }
    String ttl = env.get("SECRET_TTL");
    if (ttl != null && !ttl.isEmpty()) {
      builder.certTtl(parseDuration("identity.certTtl (SECRET_TTL)", ttl));
    }
    String ecc = env.get("ECC_SIGNATURE_ALGORITHM");
    String key = env.get("MESH_AGENT_KEY_ALGORITHM");
    if (key != null && !key.isEmpty()) {
      switch (key.trim().toUpperCase(Locale.ROOT)) {
        case "EC_P256", "ECDSA" -> builder.keyAlgorithm(KeyAlgorithm.EC_P256);
        case "RSA_2048", "RSA" -> builder.keyAlgorithm(KeyAlgorithm.RSA_2048);
        default ->
            throw new MeshAgentConfigException(
                "identity.keyAlgorithm (MESH_AGENT_KEY_ALGORITHM)",
                "'" + key + "' is not accepted; accepted: EC_P256, RSA_2048");
      }
    } else if (ecc != null && ecc.equalsIgnoreCase("ECDSA")) {
      builder.keyAlgorithm(KeyAlgorithm.EC_P256);
    }
    String ratio = env.get("SECRET_GRACE_PERIOD_RATIO");
    String jitter = env.get("SECRET_GRACE_PERIOD_RATIO_JITTER");
    if ((ratio != null && !ratio.isEmpty()) || (jitter != null && !jitter.isEmpty())) {
      builder.rotation(
          parseRatio("identity.rotation (SECRET_GRACE_PERIOD_RATIO)", ratio, 0.5),
          parseRatio("identity.rotation (SECRET_GRACE_PERIOD_RATIO_JITTER)", jitter, 0.01));
    }
  }

  private static double parseRatio(String setting, String value, double fallback) {
    if (value == null || value.isEmpty()) {
      return fallback;
    }
    try {
      return Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      throw new MeshAgentConfigException(
          setting, "'" + value + "' is not accepted; accepted: a number such as 0.5");
    }
  }

  private static void applyNode(Map<String, String> env, MeshAgentBuilder builder) {
    String pod = env.get("POD_NAME");
    if (pod != null && !pod.isEmpty()) {
      builder.podName(pod);
    }
    String ns = env.get("POD_NAMESPACE");
    if (ns != null && !ns.isEmpty()) {
      builder.namespace(ns);
    }
    String sa = env.get("SERVICE_ACCOUNT");
    if (sa != null && !sa.isEmpty()) {
      builder.serviceAccount(sa);
    }
    List<String> ips = new ArrayList<>();
    String ip = env.get("INSTANCE_IP");
    if (ip != null && !ip.isEmpty()) {
      ips.add(ip);
    }
    String metaIps = env.get(META + "INSTANCE_IPS");
    if (metaIps != null) {
      for (String s : metaIps.split(",")) {
        if (!s.isBlank() && !ips.contains(s.trim())) {
          ips.add(s.trim());
        }
      }
    }
    if (!ips.isEmpty()) {
      builder.instanceIps(ips);
    }
    for (Map.Entry<String, String> e : env.entrySet()) {
      String key = e.getKey();
      if (key.startsWith(METAJSON)) {
        String name = key.substring(METAJSON.length());
        builder.jsonMetadata(name, e.getValue());
      } else if (key.startsWith(META)) {
        String name = key.substring(META.length());
        switch (name) {
          case "CLUSTER_ID" -> builder.clusterId(e.getValue());
          case "MESH_ID" -> builder.meshId(e.getValue());
          case "ISTIO_VERSION" -> builder.istioVersion(e.getValue());
          case "INSTANCE_IPS", "GENERATOR" -> {
            // Already applied above, as settings of their own.
          }
          default -> builder.metadata(name, e.getValue());
        }
      }
    }
  }

  private static String nonEmpty(
      Map<String, String> env, String name, String fallback, String setting) {
    String v = env.get(name);
    if (v == null) {
      return fallback;
    }
    if (v.isBlank()) {
      throw new MeshAgentConfigException(setting + " (" + name + ")", "is set but empty");
    }
    return v;
  }

  static boolean parseBool(String setting, String value) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "true", "1" -> true;
      case "false", "0" -> false;
      default ->
          throw new MeshAgentConfigException(
              setting, "'" + value + "' is not accepted; accepted: true, false");
    };
  }

  /** Parses {@code 250ms}, {@code 15s}, {@code 2m}, {@code 1h} or an ISO-8601 duration. */
  public static Duration parseDuration(String setting, String value) {
    String v = value.trim();
    try {
      if (v.startsWith("P") || v.startsWith("p")) {
        return Duration.parse(v);
      }
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      }
      long n = Long.parseLong(v.substring(0, v.length() - 1));
      switch (v.charAt(v.length() - 1)) {
        case 's':
          return Duration.ofSeconds(n);
        case 'm':
          return Duration.ofMinutes(n);
        case 'h':
          return Duration.ofHours(n);
        default:
          break;
      }
    } catch (RuntimeException e) {
      // Falls through to the error that lists the accepted forms.
    }
    throw new MeshAgentConfigException(
        setting,
        "'" + value + "' is not accepted; accepted: a duration like 250ms, 15s, 2m, 1h or PT15S");
  }
}
