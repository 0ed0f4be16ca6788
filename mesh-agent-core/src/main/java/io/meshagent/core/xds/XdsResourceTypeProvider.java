package io.meshagent.core.xds;

import java.util.List;

/**
 * Registers extra resource types; found through {@link java.util.ServiceLoader}. A type is
 * subscribed only when the agent's configuration names its type URL (see README, {@code
 * xds.extraTypes}), so a control plane that does not serve it is never asked.
 */
public interface XdsResourceTypeProvider {
  /** The types this provider contributes. */
  List<XdsResourceType<?>> resourceTypes();
}
