/** Internal: istiod's CA client. */
@NullMarked
package io.meshagent.core.internal.identity.istiod;

import org.jspecify.annotations.NullMarked;
