/**
 * Internal: HBONE, the mTLS HTTP/2 CONNECT tunnel of Istio ambient mode, as ztunnel implements it
 * (istio/ztunnel {@code src/proxy/}): the server on port 15008 and the pooled client. Not API;
 * anything here may change without notice.
 */
@NullMarked
package io.meshagent.netty.internal.hbone;

import org.jspecify.annotations.NullMarked;
