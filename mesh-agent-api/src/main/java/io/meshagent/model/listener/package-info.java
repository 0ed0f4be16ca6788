/** Listeners: where traffic is accepted and which filter chain handles it. */
@NullMarked
@ExperimentalApi("the domain models grow with routing and data-plane features")
package io.meshagent.model.listener;

import io.meshagent.ExperimentalApi;
import org.jspecify.annotations.NullMarked;
