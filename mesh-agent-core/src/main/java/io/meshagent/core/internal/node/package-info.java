/**
 * Internal: the xDS node the agent presents to istiod, built the way istio-agent builds it. Not
 * API; may change at any time.
 */
@NullMarked
package io.meshagent.core.internal.node;

import org.jspecify.annotations.NullMarked;
