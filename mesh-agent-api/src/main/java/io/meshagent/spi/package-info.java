/** Service-provider interfaces that implementations of the API register. */
@NullMarked
package io.meshagent.spi;

import org.jspecify.annotations.NullMarked;
