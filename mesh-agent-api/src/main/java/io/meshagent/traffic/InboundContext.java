package io.meshagent.traffic;

import io.meshagent.identity.SpiffeId;
import org.jspecify.annotations.Nullable;

/**
 * What the agent knows about a request it accepted from the mesh.
 *
 * @param peer the caller's SPIFFE identity from its verified certificate, or null over plaintext
 * @param sourceAddress the caller's {@code ip:port}
 * @param transport how it arrived: {@code mtls}, {@code hbone} or {@code plaintext}
 */
public record InboundContext(@Nullable SpiffeId peer, String sourceAddress, String transport) {}
