package io.meshagent.snapshot;

import java.time.Instant;

/**
 * One accepted resource with the version the control plane gave it and when it was accepted.
 *
 * @param <T> the domain type
 * @param name the resource name
 * @param version the resource version (Delta) or the response's version_info (SotW)
 * @param lastUpdated when this value was accepted
 * @param value the parsed resource
 */
public record ResourceEntry<T>(String name, String version, Instant lastUpdated, T value) {}
