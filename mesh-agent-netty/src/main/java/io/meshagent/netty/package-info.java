/**
 * The data plane on Netty: {@link io.meshagent.netty.MeshDataPlane} turns a {@link
 * io.meshagent.MeshAgent} into a mesh member that sends and serves traffic.
 */
@NullMarked
package io.meshagent.netty;

import org.jspecify.annotations.NullMarked;
