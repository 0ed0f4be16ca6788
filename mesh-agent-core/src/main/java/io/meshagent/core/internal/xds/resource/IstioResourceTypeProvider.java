package io.meshagent.core.internal.xds.resource;

import io.meshagent.core.xds.XdsResourceType;
import io.meshagent.core.xds.XdsResourceTypeProvider;
import java.util.List;

/** Registers Istio's ambient types: {@code istio.workload.Address} and authorizations. */
public final class IstioResourceTypeProvider implements XdsResourceTypeProvider {
  /** For {@link java.util.ServiceLoader}. */
  public IstioResourceTypeProvider() {}

  @Override
  public List<XdsResourceType<?>> resourceTypes() {
    return List.of(WorkloadAddressType.INSTANCE, AuthorizationType.INSTANCE);
  }
}
