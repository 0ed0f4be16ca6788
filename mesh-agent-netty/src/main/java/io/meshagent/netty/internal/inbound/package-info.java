/**
 * The inbound data plane: a listener per service port that inspects each connection as Envoy's TLS
 * and HTTP inspectors do, picks the filter chain of the inbound listener istiod sent (so
 * PeerAuthentication's STRICT / PERMISSIVE / DISABLE is whatever chains exist), terminates mTLS,
 * applies network and HTTP RBAC, and hands requests to the app: an in-process handler, or its port
 * on loopback. HBONE streams for a served port enter the same chain.
 */
@NullMarked
package io.meshagent.netty.internal.inbound;

import org.jspecify.annotations.NullMarked;
