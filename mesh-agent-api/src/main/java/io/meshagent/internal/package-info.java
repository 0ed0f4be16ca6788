/** Internals of the API module; not API, may change at any time. */
@NullMarked
package io.meshagent.internal;

import org.jspecify.annotations.NullMarked;
