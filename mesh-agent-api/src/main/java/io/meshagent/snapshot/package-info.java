/** The immutable view of the mesh configuration the agent currently holds. */
@NullMarked
package io.meshagent.snapshot;

import org.jspecify.annotations.NullMarked;
