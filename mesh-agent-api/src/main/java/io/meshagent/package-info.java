/**
 * mesh-agent's public API: {@link io.meshagent.MeshAgent}, its builder and configuration.
 *
 * <p>Nothing in this module exposes Netty, gRPC or protobuf types.
 */
@NullMarked
package io.meshagent;

import org.jspecify.annotations.NullMarked;
