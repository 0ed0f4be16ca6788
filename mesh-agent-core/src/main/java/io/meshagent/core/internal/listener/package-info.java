/**
 * Internal: which listener and filter chain handle a connection, by Envoy's matching rules, as pure
 * functions of the snapshot and the connection's original destination.
 */
@NullMarked
package io.meshagent.core.internal.listener;

import org.jspecify.annotations.NullMarked;
