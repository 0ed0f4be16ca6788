package io.meshagent.model.listener;

/**
 * A network filter the agent keeps by name only (for example Istio's metadata exchange), whose
 * behaviour is implemented natively.
 *
 * @param name the filter name
 * @param typeUrl the type URL of its typed config, or empty
 */
public record OpaqueFilter(String name, String typeUrl) implements NetworkFilter {}
