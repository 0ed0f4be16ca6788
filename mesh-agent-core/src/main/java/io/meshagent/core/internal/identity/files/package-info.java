/** Internal: the files certificate provider (istio-agent's output layout). */
@NullMarked
package io.meshagent.core.internal.identity.files;

import org.jspecify.annotations.NullMarked;
