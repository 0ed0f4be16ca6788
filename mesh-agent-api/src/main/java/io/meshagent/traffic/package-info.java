/**
 * Traffic through the mesh: the outbound {@link io.meshagent.traffic.MeshClient} (HTTP requests and
 * TCP connections that the agent routes, balances and secures as istiod's configuration says) and
 * the inbound {@link io.meshagent.traffic.MeshHttpHandler} an app serves mesh requests with. The
 * data plane (mesh-agent-netty) implements them.
 */
@NullMarked
package io.meshagent.traffic;

import org.jspecify.annotations.NullMarked;
