package io.meshagent.core.internal.traffic;

import static io.meshagent.model.route.HeaderToAdd.AppendAction.ADD_IF_ABSENT;
import static io.meshagent.model.route.HeaderToAdd.AppendAction.APPEND_IF_EXISTS_OR_ADD;
import static io.meshagent.model.route.HeaderToAdd.AppendAction.OVERWRITE_IF_EXISTS;
import static io.meshagent.model.route.HeaderToAdd.AppendAction.OVERWRITE_IF_EXISTS_OR_ADD;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.meshagent.core.internal.routing.RequestHeaders;
import io.meshagent.core.internal.routing.RouteDecision;
import io.meshagent.core.internal.routing.RouteTable;
import io.meshagent.core.internal.routing.Router;
import io.meshagent.model.route.HeaderOps;
import io.meshagent.model.route.HeaderToAdd;
import io.meshagent.model.route.HeaderToAdd.AppendAction;
import io.meshagent.traffic.HttpHeader;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Header additions and removals as Envoy's {@code HeaderParser} applies them: each append action,
 * removal before addition within a level, levels in the decision's order (weighted cluster, route,
 * virtual host, route configuration: the least specific wins a conflict), and {@code
 * keep_empty_value}.
 */
class HeaderEditsTest {

  /** {@code "a:1", "x:2"} → headers. */
  private static List<HttpHeader> h(String... nameColonValue) {
    List<HttpHeader> out = new ArrayList<>();
    for (String s : nameColonValue) {
      int i = s.indexOf(':');
      out.add(new HttpHeader(s.substring(0, i), s.substring(i + 1)));
    }
    return out;
  }

  private static HeaderToAdd add(String name, String value, AppendAction action) {
    return new HeaderToAdd(name, value, action, false);
  }

  private static HeaderOps requestOps(List<String> remove, HeaderToAdd... add) {
    return new HeaderOps(List.of(add), remove, List.of(), List.of());
  }

  private static HeaderOps responseOps(List<String> remove, HeaderToAdd... add) {
    return new HeaderOps(List.of(), List.of(), List.of(add), remove);
  }

  static Stream<Arguments> actions() {
    return Stream.of(
        Arguments.of(
            APPEND_IF_EXISTS_OR_ADD, h("a:1", "x:old", "b:1"), h("a:1", "x:old", "b:1", "x:new")),
        Arguments.of(APPEND_IF_EXISTS_OR_ADD, h("a:1", "b:1"), h("a:1", "b:1", "x:new")),
        Arguments.of(ADD_IF_ABSENT, h("a:1", "x:old", "b:1"), h("a:1", "x:old", "b:1")),
        Arguments.of(ADD_IF_ABSENT, h("a:1", "b:1"), h("a:1", "b:1", "x:new")),
        Arguments.of(
            OVERWRITE_IF_EXISTS_OR_ADD,
            h("a:1", "x:old", "b:1", "x:old2"),
            h("a:1", "b:1", "x:new")),
        Arguments.of(OVERWRITE_IF_EXISTS_OR_ADD, h("a:1", "b:1"), h("a:1", "b:1", "x:new")),
        Arguments.of(
            OVERWRITE_IF_EXISTS, h("a:1", "x:old", "b:1", "x:old2"), h("a:1", "b:1", "x:new")),
        Arguments.of(OVERWRITE_IF_EXISTS, h("a:1", "b:1"), h("a:1", "b:1")));
  }

  @ParameterizedTest(name = "{0}: {1} -> {2}")
  @MethodSource("actions")
  void appendActions(AppendAction action, List<HttpHeader> before, List<HttpHeader> after) {
    List<HeaderOps> ops = List.of(requestOps(List.of(), add("x", "new", action)));

    assertThat(HeaderEdits.request(before, ops)).containsExactlyElementsOf(after);
  }

  @ParameterizedTest(name = "{0}: {1} -> {2}")
  @MethodSource("actions")
  void appendActionsOnResponses(
      AppendAction action, List<HttpHeader> before, List<HttpHeader> after) {
    List<HeaderOps> ops = List.of(responseOps(List.of(), add("x", "new", action)));

    assertThat(HeaderEdits.response(before, ops)).containsExactlyElementsOf(after);
  }

  static Stream<Arguments> removalsFirst() {
    return Stream.of(
        Arguments.of(
            "a removed header is added back, once",
            APPEND_IF_EXISTS_OR_ADD,
            h("x:old", "a:1"),
            h("a:1", "x:new")),
        Arguments.of(
            "add-if-absent sees the header removed",
            ADD_IF_ABSENT,
            h("x:old", "a:1"),
            h("a:1", "x:new")),
        Arguments.of(
            "overwrite-if-exists finds nothing left to overwrite",
            OVERWRITE_IF_EXISTS,
            h("x:old", "a:1"),
            h("a:1")),
        Arguments.of(
            "overwrite-or-add adds",
            OVERWRITE_IF_EXISTS_OR_ADD,
            h("x:old", "a:1"),
            h("a:1", "x:new")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("removalsFirst")
  void removalComesBeforeAdditionWithinALevel(
      String rule, AppendAction action, List<HttpHeader> before, List<HttpHeader> after) {
    List<HeaderOps> ops = List.of(requestOps(List.of("x"), add("x", "new", action)));

    assertThat(HeaderEdits.request(before, ops)).containsExactlyElementsOf(after);
  }

  @Test
  void removalTakesEveryValueAndLeavesOthers() {
    List<HeaderOps> ops = List.of(requestOps(List.of("x", "absent")));

    assertThat(HeaderEdits.request(h("x:1", "a:1", "x:2", "b:1"), ops))
        .containsExactlyElementsOf(h("a:1", "b:1"));
  }

  @Test
  void namesAreMatchedLowerCase() {
    List<HeaderOps> ops =
        List.of(requestOps(List.of("x-removed"), add("X-Added", "v", APPEND_IF_EXISTS_OR_ADD)));

    assertThat(HeaderEdits.request(h("X-Removed:1", "X-Added:0"), ops))
        .containsExactlyElementsOf(h("x-added:0", "x-added:v"));
  }

  static Stream<Arguments> emptyValues() {
    return Stream.of(
        Arguments.of(APPEND_IF_EXISTS_OR_ADD, false, h("x:1")),
        Arguments.of(APPEND_IF_EXISTS_OR_ADD, true, h("x:1", "x:")),
        Arguments.of(OVERWRITE_IF_EXISTS_OR_ADD, false, h("x:1")),
        Arguments.of(OVERWRITE_IF_EXISTS_OR_ADD, true, h("x:")),
        Arguments.of(OVERWRITE_IF_EXISTS, false, h("x:1")),
        Arguments.of(OVERWRITE_IF_EXISTS, true, h("x:")),
        Arguments.of(ADD_IF_ABSENT, true, h("x:1")));
  }

  /** An empty value is skipped, action and all, unless {@code keep_empty_value}. */
  @ParameterizedTest(name = "{0}, keep_empty_value={1}: {2}")
  @MethodSource("emptyValues")
  void keepEmptyValue(AppendAction action, boolean keep, List<HttpHeader> after) {
    List<HeaderOps> ops = List.of(requestOps(List.of(), new HeaderToAdd("x", "", action, keep)));

    assertThat(HeaderEdits.request(h("x:1"), ops)).containsExactlyElementsOf(after);
  }

  @Test
  void emptyValueWithKeepIsAddedWhenAbsent() {
    List<HeaderOps> ops =
        List.of(requestOps(List.of(), new HeaderToAdd("x", "", ADD_IF_ABSENT, true)));

    assertThat(HeaderEdits.request(h("a:1"), ops)).containsExactlyElementsOf(h("a:1", "x:"));
  }

  @Test
  void noOperationsReturnTheHeadersUnchanged() {
    List<HttpHeader> before = h("a:1", "b:2");

    assertThat(HeaderEdits.request(before, List.of(HeaderOps.NONE, HeaderOps.NONE)))
        .containsExactlyElementsOf(before);
    assertThat(HeaderEdits.response(before, List.of())).containsExactlyElementsOf(before);
  }

  @Test
  void requestAndResponseOperationsStayApart() {
    HeaderOps ops =
        new HeaderOps(
            List.of(add("req", "1", APPEND_IF_EXISTS_OR_ADD)),
            List.of("gone-from-request"),
            List.of(add("resp", "1", APPEND_IF_EXISTS_OR_ADD)),
            List.of("gone-from-response"));
    List<HttpHeader> before = h("gone-from-request:1", "gone-from-response:1");

    assertThat(HeaderEdits.request(before, List.of(ops)))
        .containsExactlyElementsOf(h("gone-from-response:1", "req:1"));
    assertThat(HeaderEdits.response(before, List.of(ops)))
        .containsExactlyElementsOf(h("gone-from-request:1", "resp:1"));
  }

  // --- Levels, end to end: route protos through the RDS parser and the router. ---

  private static HeaderValueOption option(String name, String value, boolean append) {
    return HeaderValueOption.newBuilder()
        .setHeader(HeaderValue.newBuilder().setKey(name).setValue(value))
        .setAppendAction(
            append
                ? HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD
                : HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD)
        .build();
  }

  /**
   * One route configuration setting {@code x-level} (overwrite), {@code x-all} (append) on the
   * request and the response at each of the four levels; the weighted cluster also adds {@code
   * x-from-cluster}, which the route configuration removes.
   */
  private static RouteDecision.Forward routeThroughAllLevels() {
    RouteConfiguration config =
        RouteConfiguration.newBuilder()
            .setName("levels")
            .addRequestHeadersToAdd(option("x-level", "config", false))
            .addRequestHeadersToAdd(option("x-all", "config", true))
            .addRequestHeadersToRemove("x-from-cluster")
            .addResponseHeadersToAdd(option("x-level", "config", false))
            .addResponseHeadersToAdd(option("x-all", "config", true))
            .addResponseHeadersToRemove("x-from-cluster")
            .addVirtualHosts(
                VirtualHost.newBuilder()
                    .setName("vh")
                    .addDomains("*")
                    .addRequestHeadersToAdd(option("x-level", "vhost", false))
                    .addRequestHeadersToAdd(option("x-all", "vhost", true))
                    .addResponseHeadersToAdd(option("x-level", "vhost", false))
                    .addResponseHeadersToAdd(option("x-all", "vhost", true))
                    .addRoutes(
                        Route.newBuilder()
                            .setName("r")
                            .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                            .addRequestHeadersToAdd(option("x-level", "route", false))
                            .addRequestHeadersToAdd(option("x-all", "route", true))
                            .addResponseHeadersToAdd(option("x-level", "route", false))
                            .addResponseHeadersToAdd(option("x-all", "route", true))
                            .setRoute(
                                RouteAction.newBuilder()
                                    .setWeightedClusters(
                                        WeightedCluster.newBuilder()
                                            .addClusters(
                                                WeightedCluster.ClusterWeight.newBuilder()
                                                    .setName("only")
                                                    .setWeight(UInt32Value.of(100))
                                                    .addRequestHeadersToAdd(
                                                        option("x-level", "cluster", false))
                                                    .addRequestHeadersToAdd(
                                                        option("x-all", "cluster", true))
                                                    .addRequestHeadersToAdd(
                                                        option("x-from-cluster", "1", true))
                                                    .addResponseHeadersToAdd(
                                                        option("x-level", "cluster", false))
                                                    .addResponseHeadersToAdd(
                                                        option("x-all", "cluster", true))
                                                    .addResponseHeadersToAdd(
                                                        option("x-from-cluster", "1", true)))))))
            .build();
    RouteDecision d =
        Router.route(
            RouteTable.of(Xds.routes(config)), RequestHeaders.builder("svc", "/").build(), 0);
    assertThat(d).isInstanceOf(RouteDecision.Forward.class);
    return (RouteDecision.Forward) d;
  }

  @Test
  void levelsApplyWeightedClusterRouteVirtualHostThenRouteConfiguration() {
    RouteDecision.Forward f = routeThroughAllLevels();

    List<HttpHeader> out = HeaderEdits.request(h("x-level:app", "x-all:app"), f.headerOps());

    assertThat(out)
        .filteredOn(x -> x.name().equals("x-all"))
        .extracting(HttpHeader::value)
        .containsExactly("app", "cluster", "route", "vhost", "config");
  }

  @Test
  void leastSpecificLevelWinsAConflict() {
    RouteDecision.Forward f = routeThroughAllLevels();

    assertThat(HeaderEdits.request(h("x-level:app"), f.headerOps()))
        .filteredOn(x -> x.name().equals("x-level"))
        .extracting(HttpHeader::value)
        .containsExactly("config");
    assertThat(HeaderEdits.response(h("x-level:app"), f.headerOps()))
        .filteredOn(x -> x.name().equals("x-level"))
        .extracting(HttpHeader::value)
        .containsExactly("config");
  }

  @Test
  void aLessSpecificLevelRemovesWhatAMoreSpecificOneAdded() {
    RouteDecision.Forward f = routeThroughAllLevels();

    assertThat(HeaderEdits.request(h(), f.headerOps()))
        .extracting(HttpHeader::name)
        .doesNotContain("x-from-cluster");
    assertThat(HeaderEdits.response(h(), f.headerOps()))
        .extracting(HttpHeader::name)
        .doesNotContain("x-from-cluster");
  }

  @Test
  void responseLevelsFollowTheSameOrder() {
    RouteDecision.Forward f = routeThroughAllLevels();

    assertThat(HeaderEdits.response(h(), f.headerOps()))
        .filteredOn(x -> x.name().equals("x-all"))
        .extracting(HttpHeader::value)
        .containsExactly("cluster", "route", "vhost", "config");
  }

  // --- Within one level, as Envoy's HeaderParser::evaluateHeaders. ---

  static Stream<Arguments> sameLevel() {
    return Stream.of(
        Arguments.of(
            "add-if-absent is judged on the headers before the level's additions",
            h(),
            List.of(add("x", "a", APPEND_IF_EXISTS_OR_ADD), add("x", "b", ADD_IF_ABSENT)),
            h("x:a", "x:b")),
        Arguments.of(
            "overwrite-if-exists is judged on the headers before the level's additions",
            h(),
            List.of(add("x", "a", OVERWRITE_IF_EXISTS_OR_ADD), add("x", "b", OVERWRITE_IF_EXISTS)),
            h("x:a")),
        Arguments.of(
            "overwrites are applied before appends",
            h("x:old"),
            List.of(
                add("x", "a", APPEND_IF_EXISTS_OR_ADD), add("x", "b", OVERWRITE_IF_EXISTS_OR_ADD)),
            h("x:b", "x:a")));
  }

  /**
   * Envoy collects a level's overwrites and appends first, judging {@code ADD_IF_ABSENT} and {@code
   * OVERWRITE_IF_EXISTS} on the headers as they were after the level's removals, then applies all
   * overwrites, then all appends ({@code source/common/router/header_parser.cc}).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("sameLevel")
  void additionsOfOneLevelAsEnvoyAppliesThem(
      String rule, List<HttpHeader> before, List<HeaderToAdd> adds, List<HttpHeader> after) {
    List<HeaderOps> ops = List.of(new HeaderOps(adds, List.of(), List.of(), List.of()));

    assertThat(HeaderEdits.request(before, ops)).containsExactlyElementsOf(after);
  }
}
