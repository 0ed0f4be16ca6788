package io.meshagent.core.internal.config;

import com.google.protobuf.Any;

/**
 * A resource as a source delivered it, before conversion.
 *
 * @param name the name the envelope carries (Delta), or empty when only the resource names itself
 * @param version the resource's own version (Delta), or empty
 * @param resource the resource
 */
public record RawResource(String name, String version, Any resource) {}
