package io.meshagent.core.internal.xds.resource;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshagent.core.xds.XdsResourceType;
import io.meshagent.core.xds.XdsResourceTypeProvider;
import io.meshagent.snapshot.ResourceTypes;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class IstioResourceTypeProviderTest {

  @Test
  void isFoundByServiceLoaderAndRegistersTheAmbientTypes() {
    List<XdsResourceType<?>> types =
        ServiceLoader.load(XdsResourceTypeProvider.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(IstioResourceTypeProvider.class::isInstance)
            .findFirst()
            .orElseThrow()
            .resourceTypes();

    assertThat(types)
        .extracting(XdsResourceType::typeUrl)
        .containsExactly(ResourceTypes.WORKLOAD_ADDRESS, ResourceTypes.AUTHORIZATION);
    assertThat(types).allMatch(XdsResourceType::wildcard);
  }
}
