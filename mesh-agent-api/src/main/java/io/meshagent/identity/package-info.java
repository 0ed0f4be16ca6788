/** Workload identity: SPIFFE ids and the state of the agent's certificate. */
@NullMarked
package io.meshagent.identity;

import org.jspecify.annotations.NullMarked;
