/**
 * The xDS resource-type SPI: how a resource type is subscribed to and converted, once, from its
 * protobuf form into an immutable domain value.
 */
@NullMarked
package io.meshagent.core.xds;

import org.jspecify.annotations.NullMarked;
