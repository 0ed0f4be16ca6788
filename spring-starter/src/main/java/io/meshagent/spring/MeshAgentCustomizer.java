package io.meshagent.spring;

import io.meshagent.MeshAgentBuilder;

/**
 * Adjusts the builder after properties are applied; beans of this type run in {@link
 * org.springframework.core.Ordered} order.
 */
@FunctionalInterface
public interface MeshAgentCustomizer {
  void customize(MeshAgentBuilder builder);
}
