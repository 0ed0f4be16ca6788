package io.meshagent.core.internal.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshagent.core.testing.TestCertificates;
import io.meshagent.core.testing.TestCertificates.Issued;
import io.meshagent.identity.SpiffeId;
import io.meshagent.model.StringMatcher;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SpiffePeerVerifierTest {
  private static final String TD = "cluster.local";
  private static final String ID = "spiffe://cluster.local/ns/a/sa/b";

  private static TestCertificates ca;
  private static SpiffePeerVerifier verifier;
  private static Instant now;

  @BeforeAll
  static void setUp() throws Exception {
    ca = new TestCertificates();
    verifier = new SpiffePeerVerifier(TD, Map.of(TD, List.of(ca.root())));
    now = Instant.now();
  }

  private static List<X509Certificate> chain(String... uris) throws Exception {
    return ca.chainOf(
        ca.issueWorkload(now.minus(Duration.ofMinutes(1)), now.plus(Duration.ofHours(1)), uris));
  }

  @Test
  void acceptsWorkloadOfOurTrustDomain() throws Exception {
    SpiffeId id = verifier.verify(chain(ID), now);

    assertThat(id).isEqualTo(SpiffeId.ofIstio(TD, "a", "b"));
  }

  @Test
  void acceptsChainThroughIntermediate() throws Exception {
    TestCertificates intermediate = ca.intermediate("istiod intermediate");
    Issued leaf = intermediate.issueWorkload(ID);

    assertThat(verifier.verify(intermediate.chainOf(leaf), Instant.now()).toString()).isEqualTo(ID);
  }

  @Test
  void acceptsChainThatCarriesTheRoot() throws Exception {
    TestCertificates intermediate = ca.intermediate("istiod intermediate");
    List<X509Certificate> chain =
        new ArrayList<>(intermediate.chainOf(intermediate.issueWorkload(ID)));
    chain.add(ca.root());

    assertThat(verifier.verify(chain, Instant.now()).toString()).isEqualTo(ID);
  }

  @Test
  void acceptsRsaLeaf() throws Exception {
    Issued rsa =
        ca.issueWorkload(
            TestCertificates.rsaKeyPair(),
            now.minus(Duration.ofMinutes(1)),
            now.plus(Duration.ofHours(1)),
            ID);

    assertThat(verifier.verify(ca.chainOf(rsa), now).toString()).isEqualTo(ID);
  }

  @Test
  void refusesEmptyChain() {
    assertThatThrownBy(() -> verifier.verify(List.of(), now))
        .isInstanceOf(PeerVerificationException.class)
        .hasMessage("peer presented no certificate (empty chain)");
  }

  @Test
  void refusesExpiredLeaf() throws Exception {
    Instant notBefore = Instant.parse("2024-01-01T00:00:00Z");
    Instant notAfter = Instant.parse("2024-01-02T00:00:00Z");
    Instant at = Instant.parse("2024-01-03T00:00:00Z");
    List<X509Certificate> chain = ca.chainOf(ca.issueWorkload(notBefore, notAfter, ID));

    assertThatThrownBy(() -> verifier.verify(chain, at))
        .isInstanceOf(PeerVerificationException.class)
        .hasMessage(
            "peer certificate for "
                + ID
                + " expired at 2024-01-02T00:00:00Z (valid from 2024-01-01T00:00:00Z to"
                + " 2024-01-02T00:00:00Z; now is 2024-01-03T00:00:00Z)");
  }

  @Test
  void refusesLeafNotYetValid() throws Exception {
    Instant notBefore =
        now.plus(Duration.ofHours(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    Instant notAfter = notBefore.plus(Duration.ofDays(1));
    List<X509Certificate> chain = ca.chainOf(ca.issueWorkload(notBefore, notAfter, ID));

    assertThatThrownBy(() -> verifier.verify(chain, now))
        .isInstanceOf(PeerVerificationException.class)
        .hasMessage(
            "peer certificate for "
                + ID
                + " is not valid until "
                + notBefore
                + " (valid from "
                + notBefore
                + " to "
                + notAfter
                + "; now is "
                + now
                + ")");
  }

  @Test
  void refusesLeafWithoutUriSan() throws Exception {
    Issued server = ca.issueServer("istiod.istio-system.svc");

    assertThatThrownBy(() -> verifier.verify(ca.chainOf(server), now))
        .isInstanceOf(PeerVerificationException.class)
        .hasMessage(
            "peer certificate with subject CN=istiod.istio-system.svc has no URI SAN; a SPIFFE id"
                + " (spiffe://<trust-domain>/...) is required");
  }

  @Test
  void refusesLeafWithTwoUriSans() throws Exception {
    List<X509Certificate> chain = chain(ID, "spiffe://cluster.local/ns/c/sa/d");

    assertThatThrownBy(() -> verifier.verify(chain, now))
        .isInstanceOf(PeerVerificationException.class)
        .hasMessage(
            "peer certificate with subject O=mesh-agent tests has 2 URI SANs ["
                + ID
                + ", spiffe://cluster.local/ns/c/sa/d]; exactly one SPIFFE id is required");
  }

  @Test
  void refusesUriSanThatIsNotSpiffe() throws Exception {
    List<X509Certificate> chain = chain("https://cluster.local/ns/a/sa/b");

    assertThatThrownBy(() -> verifier.verify(chain, now))
        .isInstanceOf(PeerVerificationException.class)
        .hasMessage(
            "peer certificate with subject O=mesh-agent tests has URI SAN"
                + " https://cluster.local/ns/a/sa/b, which is not a spiffe:// id");
  }

  @Test
  void refusesInvalidSpiffeId() throws Exception {
    List<X509Certificate> chain = chain("spiffe://Cluster.local/ns/a/sa/b");

    assertThatThrownBy(() -> verifier.verify(chain, now))
        .isInstanceOf(PeerVerificationException.class)
        .hasMessageStartingWith(
            "peer certificate with subject O=mesh-agent tests has an invalid SPIFFE id:"
                + " 'spiffe://Cluster.local/ns/a/sa/b' is not a valid SPIFFE id: it has 'C' in its"
                + " trust domain")
        .hasCauseInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void refusesOtherTrustDomain() throws Exception {
    List<X509Certificate> chain = chain("spiffe://evil.org/ns/a/sa/b");

    assertThatThrownBy(() -> verifier.verify(chain, now))
        .isInstanceOf(PeerVerificationException.class)
        .hasMessage(
            "peer certificate for spiffe://evil.org/ns/a/sa/b has trust domain evil.org; only"
                + " cluster.local is trusted");
  }

  @Test
  void usesOnlyOurTrustDomainsRoots() throws Exception {
    TestCertificates foreign = new TestCertificates("evil root");
    SpiffePeerVerifier v =
        new SpiffePeerVerifier(
            TD, Map.of(TD, List.of(ca.root()), "evil.org", List.of(foreign.root())));
    List<X509Certificate> chain = foreign.chainOf(foreign.issueWorkload(ID));

    assertThatThrownBy(() -> v.verify(chain, Instant.now()))
        .isInstanceOf(PeerVerificationException.class)
        .hasMessageStartingWith(
            "peer certificate for " + ID + " does not chain to the mesh roots of cluster.local");
    assertThat(v.roots()).containsExactly(ca.root());
  }

  @Test
  void refusesUnknownRoot() throws Exception {
    TestCertificates other = new TestCertificates("other root");
    List<X509Certificate> chain = other.chainOf(other.issueWorkload(ID));

    assertThatThrownBy(() -> verifier.verify(chain, Instant.now()))
        .isInstanceOf(PeerVerificationException.class)
        .hasMessage(
            "peer certificate for "
                + ID
                + " does not chain to the mesh roots of cluster.local: certificate 0 (with subject"
                + " O=mesh-agent tests) is issued by CN=other root,O=mesh-agent tests, which is not"
                + " one of the 1 root(s) [CN=test root,O=mesh-agent tests]");
  }

  @Test
  void refusesRootWithOurRootsNameButAnotherKey() throws Exception {
    TestCertificates impostor = new TestCertificates();
    List<X509Certificate> chain = impostor.chainOf(impostor.issueWorkload(ID));

    assertThatThrownBy(() -> verifier.verify(chain, Instant.now()))
        .isInstanceOf(PeerVerificationException.class)
        .hasMessageStartingWith(
            "peer certificate for " + ID + " does not chain to the mesh roots of cluster.local: ")
        .hasMessageContaining("certificate 0 (with subject O=mesh-agent tests)");
  }

  @Test
  void refusesExpiredIntermediate() throws Exception {
    Instant at = Instant.now();
    TestCertificates intermediate =
        ca.intermediate(
            "old intermediate", at.minus(Duration.ofDays(2)), at.minus(Duration.ofDays(1)));
    Issued leaf =
        intermediate.issueWorkload(at.minus(Duration.ofDays(2)), at.plus(Duration.ofDays(1)), ID);

    assertThatThrownBy(() -> verifier.verify(intermediate.chainOf(leaf), at))
        .isInstanceOf(PeerVerificationException.class)
        .hasMessageStartingWith(
            "peer certificate for "
                + ID
                + " does not chain to the mesh roots of cluster.local: certificate 1 (with subject"
                + " CN=old intermediate,O=mesh-agent tests) is expired (valid from");
  }

  @Test
  void refusesChainWithUnrelatedCertificate() throws Exception {
    List<X509Certificate> chain = new ArrayList<>(chain(ID));
    chain.add(new TestCertificates("unrelated").intermediate("unrelated intermediate").ca());

    assertThatThrownBy(() -> verifier.verify(chain, now))
        .isInstanceOf(PeerVerificationException.class)
        .hasMessageStartingWith(
            "peer certificate for "
                + ID
                + " does not chain to the mesh roots of cluster.local: certificate 1 (with subject"
                + " CN=unrelated intermediate,O=mesh-agent tests) is issued by CN=unrelated,");
  }

  @Test
  void refusesSanNotInAllowedList() throws Exception {
    SpiffePeerVerifier client =
        verifier.withAllowedSans(
            List.of(
                new StringMatcher.Exact("spiffe://cluster.local/ns/x/sa/y", false),
                new StringMatcher.Prefix("spiffe://cluster.local/ns/z/", false)));

    assertThatThrownBy(() -> client.verify(chain(ID), now))
        .isInstanceOf(PeerVerificationException.class)
        .hasMessage(
            "SAN not allowed: peer certificate has "
                + ID
                + ", expected one of [spiffe://cluster.local/ns/x/sa/y,"
                + " spiffe://cluster.local/ns/z/*]");
  }

  @Test
  void acceptsSanInAllowedList() throws Exception {
    SpiffePeerVerifier client =
        verifier.withAllowedSans(
            List.of(
                new StringMatcher.Exact("spiffe://cluster.local/ns/x/sa/y", false),
                new StringMatcher.Prefix("spiffe://cluster.local/ns/a/", false)));

    assertThat(client.verify(chain(ID), now).toString()).isEqualTo(ID);
  }

  @Test
  void allowedListDoesNotWidenTheTrustDomain() throws Exception {
    SpiffePeerVerifier client =
        verifier.withAllowedSans(
            List.of(new StringMatcher.Exact("spiffe://evil.org/ns/a/sa/b", false)));

    assertThatThrownBy(() -> client.verify(chain("spiffe://evil.org/ns/a/sa/b"), now))
        .isInstanceOf(PeerVerificationException.class)
        .hasMessageContaining("only cluster.local is trusted");
  }

  @Test
  void refusesConstructionWithoutRootsForOurTrustDomain() {
    assertThatThrownBy(() -> new SpiffePeerVerifier(TD, Map.of("evil.org", List.of(ca.root()))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "no root certificates for trust domain cluster.local; trust bundles are known for"
                + " [evil.org]");
  }

  @Test
  void refusesConstructionWithInvalidTrustDomain() {
    assertThatThrownBy(() -> new SpiffePeerVerifier("Cluster.Local", Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid trust domain 'Cluster.Local'");
    assertThatThrownBy(() -> new SpiffePeerVerifier("cluster.local/ns", Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid trust domain 'cluster.local/ns': it must not contain '/'");
  }
}
