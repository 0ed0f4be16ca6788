/**
 * The outbound data plane: connections to the endpoints the core picks, over the transport each
 * needs (plaintext, Istio mTLS with {@code istio.alpn}'s ALPN, HBONE), HTTP/1.1 and HTTP/2
 * exchanges pooled per endpoint, and the execution of route decisions (timeouts, retries, faults,
 * mirrors, header operations) behind the public {@link io.meshagent.traffic.MeshClient}.
 */
@NullMarked
package io.meshagent.netty.internal.outbound;

import org.jspecify.annotations.NullMarked;
