/** Internal: the SPIFFE Workload API (SPIRE) certificate source. */
@NullMarked
package io.meshagent.core.internal.identity.spire;

import org.jspecify.annotations.NullMarked;
