package io.meshagent.core.internal.xds.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.meshagent.core.internal.proto.security.Action;
import io.meshagent.core.internal.proto.security.Address;
import io.meshagent.core.internal.proto.security.Authorization;
import io.meshagent.core.internal.proto.security.Clause;
import io.meshagent.core.internal.proto.security.Match;
import io.meshagent.core.internal.proto.security.Rule;
import io.meshagent.core.internal.proto.security.Scope;
import io.meshagent.core.internal.proto.security.ServiceAccountMatch;
import io.meshagent.core.internal.proto.security.StringMatch;
import io.meshagent.core.xds.ResourceInvalidException;
import io.meshagent.core.xds.XdsResourceType.Parsed;
import io.meshagent.model.StringMatcher;
import io.meshagent.model.ambient.AuthorizationMatch;
import io.meshagent.model.ambient.AuthorizationPolicy;
import io.meshagent.snapshot.ResourceTypes;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AuthorizationTypeTest {

  private static Address cidr(int length, int... bytes) {
    byte[] out = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      out[i] = (byte) bytes[i];
    }
    return Address.newBuilder().setAddress(ByteString.copyFrom(out)).setLength(length).build();
  }

  private static Authorization.Builder policy(Match.Builder... matches) {
    Clause.Builder clause = Clause.newBuilder();
    for (Match.Builder m : matches) {
      clause.addMatches(m);
    }
    return Authorization.newBuilder()
        .setName("allow-productpage")
        .setNamespace("default")
        .addRules(Rule.newBuilder().addClauses(clause));
  }

  @Test
  void describesTheType() {
    assertThat(AuthorizationType.INSTANCE.typeUrl()).isEqualTo(ResourceTypes.AUTHORIZATION);
    assertThat(AuthorizationType.INSTANCE.wildcard()).isTrue();
    assertThat(AuthorizationType.INSTANCE.valueClass()).isEqualTo(AuthorizationPolicy.class);
  }

  @Test
  void convertsAPolicyNamedByNamespaceAndName() throws Exception {
    var match =
        Match.newBuilder()
            .addNamespaces(StringMatch.newBuilder().setExact("default"))
            .addNotNamespaces(StringMatch.newBuilder().setPrefix("kube-"))
            .addServiceAccounts(
                ServiceAccountMatch.newBuilder().setNamespace("default").setServiceAccount("pp"))
            .addNotServiceAccounts(
                ServiceAccountMatch.newBuilder().setNamespace("default").setServiceAccount("bad"))
            .addPrincipals(StringMatch.newBuilder().setSuffix("/sa/productpage"))
            .addNotPrincipals(StringMatch.newBuilder().setExact("cluster.local/ns/x/sa/y"))
            .addSourceIps(cidr(8, 10, 0, 0, 0))
            .addNotSourceIps(cidr(32, 10, 0, 0, 9))
            .addDestinationIps(cidr(64, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
            .addNotDestinationIps(cidr(24, 192, 168, 1, 0))
            .addDestinationPorts(9080)
            .addNotDestinationPorts(15020);
    var proto =
        policy(match, Match.newBuilder().addDestinationPorts(80))
            .setScope(Scope.WORKLOAD_SELECTOR)
            .setAction(Action.DENY)
            .setDryRun(true);

    Parsed<AuthorizationPolicy> parsed = AuthorizationType.INSTANCE.parse(Any.pack(proto.build()));

    assertThat(parsed.name()).isEqualTo("default/allow-productpage");
    AuthorizationMatch first =
        new AuthorizationMatch(
            List.of(new StringMatcher.Exact("default", false)),
            List.of(new StringMatcher.Prefix("kube-", false)),
            List.of("default/pp"),
            List.of("default/bad"),
            List.of(new StringMatcher.Suffix("/sa/productpage", false)),
            List.of(new StringMatcher.Exact("cluster.local/ns/x/sa/y", false)),
            List.of("10.0.0.0/8"),
            List.of("10.0.0.9/32"),
            List.of("fd00::/64"),
            List.of("192.168.1.0/24"),
            List.of(9080),
            List.of(15020));
    AuthorizationMatch second =
        new AuthorizationMatch(
            List.of(),
            List.of(),
            List.of(),
            List.of(),
            List.of(),
            List.of(),
            List.of(),
            List.of(),
            List.of(),
            List.of(),
            List.of(80),
            List.of());
    assertThat(parsed.value())
        .isEqualTo(
            new AuthorizationPolicy(
                "allow-productpage",
                "default",
                AuthorizationPolicy.Scope.WORKLOAD_SELECTOR,
                AuthorizationPolicy.Action.DENY,
                true,
                List.of(List.of(List.of(first, second)))));
  }

  @Test
  void defaultsToAGlobalAllowPolicy() throws Exception {
    AuthorizationPolicy p =
        AuthorizationType.INSTANCE
            .parse(Any.pack(Authorization.newBuilder().setName("p").build()))
            .value();

    assertThat(p.scope()).isEqualTo(AuthorizationPolicy.Scope.GLOBAL);
    assertThat(p.action()).isEqualTo(AuthorizationPolicy.Action.ALLOW);
    assertThat(p.dryRun()).isFalse();
    assertThat(p.rules()).isEmpty();
  }

  static Stream<Arguments> invalidPolicies() {
    return Stream.of(
        Arguments.of(
            "source IP of 2 bytes",
            policy(Match.newBuilder().addSourceIps(cidr(8, 10, 0))),
            "rules[0].clauses[0].matches[0].source_ips[0].address: IP address must be 4 or 16"
                + " bytes, got 2"),
        Arguments.of(
            "prefix length too long",
            policy(Match.newBuilder(), Match.newBuilder().addDestinationIps(cidr(33, 10, 0, 0, 1))),
            "rules[0].clauses[0].matches[1].destination_ips[0].length: 33 is more than 32"),
        Arguments.of(
            "string match without type",
            policy(Match.newBuilder().addPrincipals(StringMatch.getDefaultInstance())),
            "rules[0].clauses[0].matches[0].principals[0]: no match type (exact, prefix, suffix or"
                + " presence) is set"),
        Arguments.of(
            "unknown action",
            policy().setActionValue(5),
            "action: 5 is not supported; supported: ALLOW, DENY"),
        Arguments.of("no name", Authorization.newBuilder(), "name: must not be empty"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidPolicies")
  void rejectsInvalidPoliciesNamingTheField(
      String description, Authorization.Builder proto, String message) {
    assertThatThrownBy(() -> AuthorizationType.INSTANCE.parse(Any.pack(proto.build())))
        .isInstanceOf(ResourceInvalidException.class)
        .hasMessage(message);
  }
}
