/** Internal to mesh-agent; not API and may change at any time. */
@NullMarked
package io.meshagent.core.internal.identity;

import org.jspecify.annotations.NullMarked;
