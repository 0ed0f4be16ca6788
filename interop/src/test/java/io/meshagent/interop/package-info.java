/** Interop tests against real peers that are not Java. */
@NullMarked
package io.meshagent.interop;

import org.jspecify.annotations.NullMarked;
