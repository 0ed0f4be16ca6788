package io.meshagent.core.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;

/**
 * A kind of xDS resource the agent subscribes to. The four Envoy types are built in; more are
 * registered through {@link java.util.ServiceLoader} (the project registers Istio's {@code
 * istio.workload.Address} and {@code istio.security.Authorization}).
 *
 * <p>Implementations are stateless and thread-safe; {@link #parse} runs on the control executor and
 * must not block.
 *
 * @param <T> the immutable domain value
 */
public interface XdsResourceType<T> {

  /** The type URL, for example {@code type.googleapis.com/istio.workload.Address}. */
  String typeUrl();

  /** The protobuf message the type URL names, so file sources can read it from JSON or YAML. */
  Descriptor descriptor();

  /**
   * Whether the type is subscribed as a wildcard (everything the server has for the node, as LDS
   * and CDS) rather than by name (as RDS and EDS, whose names follow the snapshot).
   */
  boolean wildcard();

  /** The domain class of parsed values. */
  Class<T> valueClass();

  /**
   * Converts one resource.
   *
   * @param resource the resource as received; its type URL equals {@link #typeUrl()}
   * @return the resource's name and its immutable value
   * @throws ResourceInvalidException naming the field and the reason if the resource is not
   *     acceptable
   */
  Parsed<T> parse(Any resource) throws ResourceInvalidException;

  /**
   * A converted resource.
   *
   * @param name the resource name (as SotW responses carry no names outside the resource)
   * @param value the domain value
   */
  record Parsed<T>(String name, T value) {}
}
