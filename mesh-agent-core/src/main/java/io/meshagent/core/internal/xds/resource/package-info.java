/** Internal: converts xDS protobuf resources into the immutable domain records, once. */
@NullMarked
package io.meshagent.core.internal.xds.resource;

import org.jspecify.annotations.NullMarked;
