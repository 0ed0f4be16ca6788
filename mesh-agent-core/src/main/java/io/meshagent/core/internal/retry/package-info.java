/** Internal: how failed connections and requests are retried. */
@NullMarked
package io.meshagent.core.internal.retry;

import org.jspecify.annotations.NullMarked;
