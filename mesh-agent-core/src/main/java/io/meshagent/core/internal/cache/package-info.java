/** Small caches the data path shares. */
@NullMarked
package io.meshagent.core.internal.cache;

import org.jspecify.annotations.NullMarked;
