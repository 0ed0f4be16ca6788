package io.meshagent.core.internal.routing;

import static io.meshagent.core.internal.routing.RouteProtos.config;
import static io.meshagent.core.internal.routing.RouteProtos.get;
import static io.meshagent.core.internal.routing.RouteProtos.parse;
import static io.meshagent.core.internal.routing.RouteProtos.vhostTo;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshagent.model.route.RouteConfiguration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Envoy's {@code RouteMatcher::findVirtualHost}, one row per behaviour. */
class VirtualHostSelectionTest {
  /** As istiod lists a sidecar's outbound virtual hosts: with and without the port. */
  private static final RouteConfiguration CONFIG =
      parse(
          config(
              vhostTo(
                  "exact",
                  "reviews.default.svc.cluster.local",
                  "reviews:9080",
                  "reviews",
                  "www.foo.com",
                  "[fd00::1]:80"),
              vhostTo("suffix-long", "*.bar.foo.com"),
              vhostTo("suffix", "*.foo.com"),
              vhostTo("suffix-dash", "*-svc.example"),
              vhostTo("prefix-long", "api.v1.*"),
              vhostTo("prefix", "api.*"),
              vhostTo("default", "*")));

  private static final RouteConfiguration IGNORE_PORT =
      parse(
          config(vhostTo("exact", "reviews", "[fd00::1]"), vhostTo("suffix", "*.foo.com"))
              .setIgnorePortInHostMatching(true));

  private static final RouteConfiguration NO_DEFAULT = parse(config(vhostTo("exact", "reviews")));

  static Stream<Arguments> rows() {
    return Stream.of(
        Arguments.of("exact domain", CONFIG, "reviews", "exact"),
        Arguments.of("exact domain with its listed port", CONFIG, "reviews:9080", "exact"),
        Arguments.of("authority is lower-cased", CONFIG, "ReViEwS:9080", "exact"),
        Arguments.of("an unlisted port is part of the name", CONFIG, "reviews:8080", "default"),
        Arguments.of("bracketed IPv6 with port", CONFIG, "[fd00::1]:80", "exact"),
        Arguments.of("exact beats suffix wildcard", CONFIG, "www.foo.com", "exact"),
        Arguments.of("longest suffix wins", CONFIG, "a.bar.foo.com", "suffix-long"),
        Arguments.of("shorter suffix", CONFIG, "a.foo.com", "suffix"),
        Arguments.of("wildcard needs one char: bar.foo.com", CONFIG, "bar.foo.com", "suffix"),
        Arguments.of("wildcard does not match empty", CONFIG, ".foo.com", "default"),
        Arguments.of("suffix wildcard without a dot", CONFIG, "reviews-svc.example", "suffix-dash"),
        Arguments.of("suffix is checked against the port too", CONFIG, "a.foo.com:80", "default"),
        Arguments.of("longest prefix wins", CONFIG, "api.v1.x", "prefix-long"),
        Arguments.of("shorter prefix", CONFIG, "api.x", "prefix"),
        Arguments.of("prefix wildcard matches the port", CONFIG, "api.x:8080", "prefix"),
        Arguments.of("suffix wildcard beats prefix wildcard", CONFIG, "api.foo.com", "suffix"),
        Arguments.of("* catches the rest", CONFIG, "unknown", "default"),
        Arguments.of("ignore_port: port dropped", IGNORE_PORT, "reviews:1234", "exact"),
        Arguments.of("ignore_port: IPv6 port dropped", IGNORE_PORT, "[fd00::1]:80", "exact"),
        Arguments.of("ignore_port: suffix after dropping", IGNORE_PORT, "a.foo.com:80", "suffix"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void picksTheVirtualHost(
      String description, RouteConfiguration config, String authority, String expected) {
    RouteDecision d = Router.route(config, get(authority, "/"), 0);

    assertThat(d)
        .isInstanceOfSatisfying(
            RouteDecision.Forward.class, f -> assertThat(f.cluster()).isEqualTo(expected));
  }

  @Test
  void noVirtualHostIs404WithNr() {
    RouteDecision d = Router.route(NO_DEFAULT, get("other", "/"), 0);

    assertThat(d)
        .isEqualTo(new RouteDecision.NoRoute(RouteDecision.NoRoute.Reason.NO_VIRTUAL_HOST));
    assertThat(RouteDecision.NoRoute.Reason.NO_VIRTUAL_HOST.status()).isEqualTo(404);
    assertThat(RouteDecision.NoRoute.Reason.NO_VIRTUAL_HOST.responseFlag()).isEqualTo("NR");
  }

  @Test
  void tablesAreCompiledOncePerConfiguration() {
    assertThat(RouteTable.of(CONFIG)).isSameAs(RouteTable.of(CONFIG));
    assertThat(RouteTable.of(CONFIG).config()).isSameAs(CONFIG);
  }
}
