package io.meshagent.core.internal.agent;

import io.meshagent.MeshAgentConfigException;
import io.meshagent.core.internal.xds.resource.ClusterLoadAssignmentType;
import io.meshagent.core.internal.xds.resource.ClusterType;
import io.meshagent.core.internal.xds.resource.ListenerType;
import io.meshagent.core.internal.xds.resource.RouteConfigurationType;
import io.meshagent.core.xds.XdsResourceType;
import io.meshagent.core.xds.XdsResourceTypeProvider;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/** The resource types an agent understands: Envoy's four, plus those providers register. */
final class ResourceTypeRegistry {
  private ResourceTypeRegistry() {}

  /** Every known type by type URL; the built-in types cannot be replaced. */
  static Map<String, XdsResourceType<?>> load(ClassLoader loader) {
    Map<String, XdsResourceType<?>> types = new LinkedHashMap<>();
    for (XdsResourceType<?> t :
        List.of(
            ListenerType.INSTANCE,
            RouteConfigurationType.INSTANCE,
            ClusterType.INSTANCE,
            ClusterLoadAssignmentType.INSTANCE)) {
      types.put(t.typeUrl(), t);
    }
    for (XdsResourceTypeProvider provider :
        ServiceLoader.load(XdsResourceTypeProvider.class, loader)) {
      for (XdsResourceType<?> t : provider.resourceTypes()) {
        types.putIfAbsent(t.typeUrl(), t);
      }
    }
    return types;
  }

  /** Checks that every extra type has a registered implementation. */
  static void requireRegistered(List<String> extraTypes, Map<String, XdsResourceType<?>> types) {
    for (String typeUrl : extraTypes) {
      if (!types.containsKey(typeUrl)) {
        throw new MeshAgentConfigException(
            "xds.extraTypes",
            "no resource type is registered for "
                + typeUrl
                + "; registered: "
                + String.join(", ", types.keySet()));
      }
    }
  }
}
