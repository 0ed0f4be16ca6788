package io.meshagent.identity;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How the agent obtains and rotates its workload certificate; README's configuration reference
 * documents each setting.
 *
 * @param provider where certificates come from ({@code identity.provider})
 * @param trustDomain the mesh trust domain ({@code identity.trustDomain})
 * @param caAddress istiod's CA, {@code host:port}, when it differs from the xDS address ({@code
 *     identity.caAddress})
 * @param caRootCert roots verifying the CA, when they differ from {@code xds.rootCert}
 * @param certDir the directory of the files provider ({@code identity.certDir})
 * @param devCaDir the directory of the dev CA ({@code identity.devCaDir})
 * @param spiffeEndpointSocket the Workload API address ({@code SPIFFE_ENDPOINT_SOCKET})
 * @param keyAlgorithm the key type ({@code identity.keyAlgorithm})
 * @param certTtl the validity requested from the CA ({@code identity.certTtl})
 * @param rotationRatio the share of the lifetime after which a certificate is renewed
 * @param rotationJitter the random spread around {@code rotationRatio}
 */
public record IdentityConfig(
    IdentityProvider provider,
    String trustDomain,
    @Nullable String caAddress,
    @Nullable Path caRootCert,
    Path certDir,
    Path devCaDir,
    @Nullable String spiffeEndpointSocket,
    KeyAlgorithm keyAlgorithm,
    Duration certTtl,
    double rotationRatio,
    double rotationJitter) {

  /** istio-agent's directory for workload credentials mounted as files. */
  public static final Path DEFAULT_CERT_DIR =
      Path.of("/var/run/secrets/workload-spiffe-credentials");

  public IdentityConfig {
    requireNonNull(provider, "provider");
    requireNonNull(trustDomain, "trustDomain");
    requireNonNull(certDir, "certDir");
    requireNonNull(devCaDir, "devCaDir");
    requireNonNull(keyAlgorithm, "keyAlgorithm");
    requireNonNull(certTtl, "certTtl");
  }

  /** No identity. */
  public static IdentityConfig none() {
    return new IdentityConfig(
        IdentityProvider.NONE,
        "cluster.local",
        null,
        null,
        DEFAULT_CERT_DIR,
        defaultDevCaDir(),
        null,
        KeyAlgorithm.EC_P256,
        Duration.ofHours(24),
        0.5,
        0.01);
  }

  /** {@code <tmp>/mesh-agent-dev-ca}: one dev CA per machine user, shared by its agents. */
  public static Path defaultDevCaDir() {
    return Path.of(System.getProperty("java.io.tmpdir"), "mesh-agent-dev-ca");
  }
}
