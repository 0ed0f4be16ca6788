/** Internal: the dev CA, a local CA in a directory shared by the agents of one machine. */
@NullMarked
package io.meshagent.core.internal.identity.dev;

import org.jspecify.annotations.NullMarked;
