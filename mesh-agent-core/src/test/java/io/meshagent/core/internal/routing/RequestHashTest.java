package io.meshagent.core.internal.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshagent.core.internal.lb.XxHash64;
import io.meshagent.model.route.HashPolicy;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Envoy's {@code HashPolicyImpl::generateHash}, one row per behaviour. */
class RequestHashTest {
  private static final RequestHeaders REQUEST =
      RequestHeaders.builder("h", "/p?user=alice")
          .sourceIp("10.0.0.7")
          .add("x-user", "bob")
          .add("x-multi", "b")
          .add("x-multi", "a")
          .add("cookie", "other=1; session=\"s1\"")
          .build();

  private static long xx(String s) {
    return XxHash64.hash(s, 0);
  }

  static Stream<Arguments> rows() {
    return Stream.of(
        Arguments.of(
            "header", List.of(new HashPolicy.Header("x-user", false)), OptionalLong.of(xx("bob"))),
        Arguments.of(
            "header values sorted and chained",
            List.of(new HashPolicy.Header("x-multi", false)),
            OptionalLong.of(XxHash64.hash("b", XxHash64.hash("a", 0)))),
        Arguments.of(
            "cookie, quotes removed",
            List.of(new HashPolicy.Cookie("session", null, "", false)),
            OptionalLong.of(xx("s1"))),
        Arguments.of(
            "source ip", List.of(new HashPolicy.SourceIp(false)), OptionalLong.of(xx("10.0.0.7"))),
        Arguments.of(
            "query parameter",
            List.of(new HashPolicy.QueryParameter("user", false)),
            OptionalLong.of(xx("alice"))),
        Arguments.of(
            "absent values give no hash",
            List.of(new HashPolicy.Header("x-none", false)),
            OptionalLong.empty()),
        Arguments.of(
            "hashes combine as rotl(h, 1) ^ next",
            List.of(new HashPolicy.Header("x-user", false), new HashPolicy.SourceIp(false)),
            OptionalLong.of(Long.rotateLeft(xx("bob"), 1) ^ xx("10.0.0.7"))),
        Arguments.of(
            "terminal stops once a hash exists",
            List.of(new HashPolicy.Header("x-user", true), new HashPolicy.SourceIp(false)),
            OptionalLong.of(xx("bob"))),
        Arguments.of(
            "terminal without a hash goes on",
            List.of(new HashPolicy.Header("x-none", true), new HashPolicy.SourceIp(false)),
            OptionalLong.of(xx("10.0.0.7"))),
        Arguments.of(
            "a later terminal with an earlier hash stops",
            List.of(
                new HashPolicy.Header("x-user", false),
                new HashPolicy.Header("x-none", true),
                new HashPolicy.SourceIp(false)),
            OptionalLong.of(xx("bob"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void hashesAsEnvoyDoes(String description, List<HashPolicy> policies, OptionalLong expected) {
    assertThat(RequestHash.of(policies, REQUEST)).isEqualTo(expected);
  }
}
