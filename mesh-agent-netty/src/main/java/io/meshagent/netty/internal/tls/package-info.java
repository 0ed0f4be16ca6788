/** Internal: TLS contexts from the workload identity, and the verified peer identity. */
@NullMarked
package io.meshagent.netty.internal.tls;

import org.jspecify.annotations.NullMarked;
