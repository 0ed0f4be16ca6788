/** Internal to mesh-agent; not API and may change at any time. */
@NullMarked
package io.meshagent.core.internal.grpc;

import org.jspecify.annotations.NullMarked;
