package io.meshagent.core.internal.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.meshagent.core.internal.xds.resource.ClusterLoadAssignmentType;
import io.meshagent.core.internal.xds.resource.ClusterType;
import io.meshagent.core.testing.EnvoyResources;
import io.meshagent.snapshot.MeshSnapshot;
import io.meshagent.snapshot.ResourceTypes;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The resources' bytes kept beside the entries, for the admin config dump. */
class ResourceStoreRawTest {
  final ResourceStore store =
      new ResourceStore(
          Map.of(
              ResourceTypes.CLUSTER,
              ClusterType.INSTANCE,
              ResourceTypes.CLUSTER_LOAD_ASSIGNMENT,
              ClusterLoadAssignmentType.INSTANCE),
          Clock.systemUTC());

  private static RawResource raw(com.google.protobuf.Message m) {
    return new RawResource("", "", Any.pack(m));
  }

  @Test
  void theReceivedBytesArePairedWithThePublishedSnapshotUncopied() throws Exception {
    RawResource a = raw(EnvoyResources.edsCluster("a"));
    RawResource b = raw(EnvoyResources.edsCluster("b"));
    store.replaceAll(
        ResourceTypes.CLUSTER, store.convert(ResourceTypes.CLUSTER, List.of(a, b), "3"));

    MeshSnapshot snapshot = store.snapshot(1, true);
    RawSnapshot raw = store.rawSnapshot();

    assertThat(raw.snapshot()).isSameAs(snapshot);
    assertThat(raw.raw(ResourceTypes.CLUSTER, "a")).isSameAs(a.resource().getValue());
    assertThat(Cluster.parseFrom(raw.raw(ResourceTypes.CLUSTER, "b")))
        .isEqualTo(EnvoyResources.edsCluster("b"));
    assertThat(raw.versionInfo(ResourceTypes.CLUSTER)).isEqualTo("3");
    assertThat(raw.raw(ResourceTypes.CLUSTER, "c")).isNull();
  }

  @Test
  void removedAndUnreferencedResourcesLoseTheirBytes() throws Exception {
    String type = ResourceTypes.CLUSTER_LOAD_ASSIGNMENT;
    store.merge(
        type,
        store.convert(
            type,
            List.of(
                raw(EnvoyResources.endpoints("x", 80, "10.0.0.1")),
                raw(EnvoyResources.endpoints("y", 80, "10.0.0.2")),
                raw(EnvoyResources.endpoints("z", 80, "10.0.0.3"))),
            "1"),
        List.of(),
        true);
    store.merge(type, store.convert(type, List.of(), "2"), List.of("x"), true);
    store.retain(type, Set.of("z"));
    store.snapshot(1, true);

    RawSnapshot raw = store.rawSnapshot();
    assertThat(raw.raw(type, "x")).isNull();
    assertThat(raw.raw(type, "y")).isNull();
    assertThat(raw.raw(type, "z")).isNotNull();
    assertThat(raw.versionInfo(type)).isEqualTo("2");
  }

  @Test
  void anUpdateTheModelCannotSeeStillUpdatesTheBytes() throws Exception {
    Cluster first = EnvoyResources.edsCluster("a");
    Cluster renamedStats = first.toBuilder().setAltStatName("alt").build();
    store.replaceAll(
        ResourceTypes.CLUSTER, store.convert(ResourceTypes.CLUSTER, List.of(raw(first)), "1"));
    store.snapshot(1, true);
    var entry = store.rawSnapshot().snapshot().entries(ResourceTypes.CLUSTER).get("a");

    store.replaceAll(
        ResourceTypes.CLUSTER,
        store.convert(ResourceTypes.CLUSTER, List.of(raw(renamedStats)), "1"));
    store.snapshot(2, true);

    RawSnapshot raw = store.rawSnapshot();
    assertThat(raw.snapshot().entries(ResourceTypes.CLUSTER).get("a")).isSameAs(entry);
    assertThat(Cluster.parseFrom(raw.raw(ResourceTypes.CLUSTER, "a"))).isEqualTo(renamedStats);
  }
}
