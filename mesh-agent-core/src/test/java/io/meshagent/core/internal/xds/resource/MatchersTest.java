package io.meshagent.core.internal.xds.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.xds.core.v3.TypedExtensionConfig;
import com.google.protobuf.Empty;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.meshagent.core.internal.proto.security.StringMatch;
import io.meshagent.core.xds.ResourceInvalidException;
import io.meshagent.model.StringMatcher;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MatchersTest {

  private static io.envoyproxy.envoy.type.matcher.v3.StringMatcher.Builder envoy() {
    return io.envoyproxy.envoy.type.matcher.v3.StringMatcher.newBuilder();
  }

  static Stream<Arguments> envoyMatchers() {
    return Stream.of(
        Arguments.of(envoy().setExact("a").build(), new StringMatcher.Exact("a", false)),
        Arguments.of(
            envoy().setPrefix("/a").setIgnoreCase(true).build(),
            new StringMatcher.Prefix("/a", true)),
        Arguments.of(envoy().setSuffix(".com").build(), new StringMatcher.Suffix(".com", false)),
        Arguments.of(
            envoy().setContains("mid").setIgnoreCase(true).build(),
            new StringMatcher.Contains("mid", true)));
  }

  @ParameterizedTest
  @MethodSource("envoyMatchers")
  void convertsEnvoyStringMatchers(
      io.envoyproxy.envoy.type.matcher.v3.StringMatcher proto, StringMatcher expected)
      throws Exception {
    assertThat(Matchers.envoy(proto, "m")).isEqualTo(expected);
  }

  @Test
  void safeRegexMatchesTheWholeValueAndIgnoresIgnoreCase() throws Exception {
    StringMatcher m =
        Matchers.envoy(
            envoy()
                .setSafeRegex(RegexMatcher.newBuilder().setRegex("v[0-9]+"))
                .setIgnoreCase(true)
                .build(),
            "m");

    assertThat(m).isInstanceOf(StringMatcher.Regex.class);
    assertThat(m.matches("v12")).isTrue();
    assertThat(m.matches("v12x")).isFalse();
    assertThat(m.matches("V12")).isFalse();
  }

  static Stream<Arguments> invalidEnvoyMatchers() {
    return Stream.of(
        Arguments.of(
            envoy().setSafeRegex(RegexMatcher.newBuilder().setRegex("a(b")).build(),
            "m.safe_regex: invalid regex 'a(b': Unclosed group near index 3"),
        Arguments.of(
            envoy().setSafeRegex(RegexMatcher.newBuilder()).build(),
            "m.safe_regex: regex must not be empty"),
        Arguments.of(envoy().setPrefix("").build(), "m.prefix: must not be empty"),
        Arguments.of(
            envoy().setCustom(TypedExtensionConfig.newBuilder().setName("my.matcher")).build(),
            "m.custom: custom matcher 'my.matcher' is not supported"),
        Arguments.of(
            envoy().build(),
            "m: no match pattern (exact, prefix, suffix, contains or safe_regex) is set"));
  }

  @ParameterizedTest
  @MethodSource("invalidEnvoyMatchers")
  void rejectsInvalidEnvoyMatchers(
      io.envoyproxy.envoy.type.matcher.v3.StringMatcher proto, String message) {
    assertThatThrownBy(() -> Matchers.envoy(proto, "m"))
        .isInstanceOf(ResourceInvalidException.class)
        .hasMessage(message);
  }

  @Test
  void convertsIstioStringMatches() throws Exception {
    assertThat(Matchers.istio(StringMatch.newBuilder().setExact("ns").build(), "m"))
        .isEqualTo(new StringMatcher.Exact("ns", false));
    assertThat(Matchers.istio(StringMatch.newBuilder().setPrefix("td/").build(), "m"))
        .isEqualTo(new StringMatcher.Prefix("td/", false));
    assertThat(Matchers.istio(StringMatch.newBuilder().setSuffix("/sa/x").build(), "m"))
        .isEqualTo(new StringMatcher.Suffix("/sa/x", false));

    StringMatcher presence =
        Matchers.istio(
            StringMatch.newBuilder().setPresence(Empty.getDefaultInstance()).build(), "m");
    assertThat(presence.matches("anything")).isTrue();
    assertThat(presence.matches("")).isFalse();
  }

  @Test
  void rejectsIstioStringMatchWithoutType() {
    assertThatThrownBy(() -> Matchers.istio(StringMatch.getDefaultInstance(), "rules[0]"))
        .isInstanceOf(ResourceInvalidException.class)
        .hasMessage("rules[0]: no match type (exact, prefix, suffix or presence) is set");
  }
}
