package io.meshagent.core.internal.xds;

import io.meshagent.core.internal.config.RawResource;
import java.util.List;

/**
 * A discovery response of either protocol, reduced to what the client acts on.
 *
 * @param typeUrl the response's type
 * @param version SotW {@code version_info}, or Delta {@code system_version_info}
 * @param nonce the nonce to echo
 * @param resources the resources
 * @param removed names removed (Delta only)
 * @param stateOfTheWorld whether the response carries the complete set (SotW)
 */
record ResponseEvent(
    String typeUrl,
    String version,
    String nonce,
    List<RawResource> resources,
    List<String> removed,
    boolean stateOfTheWorld) {}
