package io.meshagent.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SpiffeIdTest {

  @ParameterizedTest
  @CsvSource({
    "spiffe://cluster.local/ns/default/sa/bookinfo, cluster.local, /ns/default/sa/bookinfo",
    "spiffe://cluster.local, cluster.local, ''",
    "spiffe://example.org/a/B/c-d/e_f/g.h, example.org, /a/B/c-d/e_f/g.h",
    "spiffe://td-1_x.y/..a/.b./..., td-1_x.y, /..a/.b./...",
    "spiffe://0/x, 0, /x",
  })
  void parsesValidIds(String uri, String trustDomain, String path) {
    SpiffeId id = SpiffeId.parse(uri);

    assertThat(id.trustDomain()).isEqualTo(trustDomain);
    assertThat(id.path()).isEqualTo(path);
    assertThat(id).hasToString(uri);
  }

  @Test
  void acceptsLongestAllowedId() {
    String prefix = "spiffe://td/";
    String uri = prefix + "a".repeat(2048 - prefix.length());

    assertThat(SpiffeId.parse(uri).path()).hasSize(2048 - "spiffe://td".length());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "http://cluster.local/ns/a/sa/b | does not start with spiffe://",
        "SPIFFE://cluster.local/ns/a/sa/b | does not start with spiffe://",
        "spiffe:cluster.local | does not start with spiffe://",
        "spiffe:// | has an empty trust domain",
        "spiffe:///ns/a | has an empty trust domain",
        "spiffe://cluster.local:8080/ns/a | has a port, which a trust domain must not have",
        "spiffe://user@cluster.local/ns/a | has user info, which a trust domain must not have",
        "spiffe://Cluster.local/ns/a | has 'C' in its trust domain; only lower-case letters,"
            + " digits, '.', '-' and '_' are allowed",
        "spiffe://clu%41ster/ns/a | has '%' in its trust domain",
        "spiffe://cluster.local/ | has a trailing '/'",
        "spiffe://cluster.local/ns/a/ | has a trailing '/'",
        "spiffe://cluster.local//ns/a | has an empty path segment",
        "spiffe://cluster.local/ns//a | has an empty path segment",
        "spiffe://cluster.local/ns/./a | has a '.' path segment",
        "spiffe://cluster.local/ns/../a | has a '..' path segment",
        "spiffe://cluster.local/ns/a?x=1 | has '?' in its path; only letters, digits, '.', '-' and"
            + " '_' are allowed (no query or fragment)",
        "spiffe://cluster.local/ns/a#frag | has '#' in its path; only letters, digits, '.', '-'"
            + " and '_' are allowed (no query or fragment)",
        "spiffe://cluster.local/ns/a%20b | has '%' in its path",
        "spiffe://cluster.local/ns/a b | has ' ' in its path",
        "spiffe://cluster.local/ns/é | has 'é' in its path",
      })
  void refusesInvalidIdsSayingWhy(String uri, String why) {
    assertThatThrownBy(() -> SpiffeId.parse(uri))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("'" + uri + "' is not a valid SPIFFE id: it " + why);
  }

  @Test
  void refusesIdLongerThan2048Bytes() {
    String prefix = "spiffe://td/";
    String uri = prefix + "a".repeat(2049 - prefix.length());

    assertThatThrownBy(() -> SpiffeId.parse(uri))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith("is not a valid SPIFFE id: it is longer than 2048 bytes");
  }

  @Test
  void refusesTrustDomainLongerThan255Characters() {
    String uri = "spiffe://" + "a".repeat(256) + "/x";

    assertThatThrownBy(() -> SpiffeId.parse(uri))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith("has a trust domain longer than 255 characters");
    assertThat(SpiffeId.parse("spiffe://" + "a".repeat(255)).trustDomain()).hasSize(255);
  }

  @Test
  void refusesNull() {
    assertThatThrownBy(() -> SpiffeId.parse(nullString()))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("uri");
  }

  @Test
  void exposesIstioNamespaceAndServiceAccount() {
    SpiffeId id = SpiffeId.parse("spiffe://cluster.local/ns/bookinfo/sa/reviews");

    assertThat(id.namespace()).isEqualTo("bookinfo");
    assertThat(id.serviceAccount()).isEqualTo("reviews");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "spiffe://cluster.local",
        "spiffe://cluster.local/ns/a",
        "spiffe://cluster.local/ns/a/sa",
        "spiffe://cluster.local/ns/a/sa/b/extra",
        "spiffe://cluster.local/ns/a/xa/b",
        "spiffe://cluster.local/x/ns/a/sa/b",
        "spiffe://cluster.local/workload/a",
      })
  void nonIstioIdsHaveNoNamespaceOrServiceAccount(String uri) {
    SpiffeId id = SpiffeId.parse(uri);

    assertThat(id.namespace()).isNull();
    assertThat(id.serviceAccount()).isNull();
  }

  @Test
  void principalIsTheIdWithoutScheme() {
    assertThat(SpiffeId.parse("spiffe://cluster.local/ns/a/sa/b").principal())
        .isEqualTo("cluster.local/ns/a/sa/b");
    assertThat(SpiffeId.parse("spiffe://cluster.local").principal()).isEqualTo("cluster.local");
  }

  @Test
  void buildsIstioIds() {
    SpiffeId id = SpiffeId.ofIstio("cluster.local", "bookinfo", "reviews");

    assertThat(id).hasToString("spiffe://cluster.local/ns/bookinfo/sa/reviews");
    assertThat(id.namespace()).isEqualTo("bookinfo");
    assertThat(id.serviceAccount()).isEqualTo("reviews");
  }

  @Test
  void istioIdPartsCannotSmuggleSegments() {
    assertThatThrownBy(() -> SpiffeId.ofIstio("cluster.local", "a/sa/b", "c"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the namespace 'a/sa/b' of a SPIFFE id must not contain '/'");
    assertThatThrownBy(() -> SpiffeId.ofIstio("cluster.local", "a", "b/c"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the service account 'b/c' of a SPIFFE id must not contain '/'");
    assertThatThrownBy(() -> SpiffeId.ofIstio("evil.org/ns/x/sa/y", "a", "b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the trust domain 'evil.org/ns/x/sa/y' of a SPIFFE id must not contain '/'");
  }

  @Test
  void istioIdPartsAreValidated() {
    assertThatThrownBy(() -> SpiffeId.ofIstio("cluster.local", "", "b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith("has an empty path segment");
    assertThatThrownBy(() -> SpiffeId.ofIstio("Cluster.local", "a", "b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has 'C' in its trust domain");
  }

  @Test
  void equalityIsByValue() {
    SpiffeId a = SpiffeId.parse("spiffe://cluster.local/ns/a/sa/b");
    SpiffeId same = SpiffeId.ofIstio("cluster.local", "a", "b");

    assertThat(a).isEqualTo(same).hasSameHashCodeAs(same);
    assertThat(a).isNotEqualTo(SpiffeId.parse("spiffe://cluster.local/ns/a/sa/B"));
    assertThat(a).isNotEqualTo(SpiffeId.parse("spiffe://other.local/ns/a/sa/b"));
    // Trust domain and path are compared separately, not as one concatenated string.
    assertThat(SpiffeId.parse("spiffe://ab/c")).isNotEqualTo(SpiffeId.parse("spiffe://a/bc"));
  }

  private static String nullString() {
    return null;
  }
}
