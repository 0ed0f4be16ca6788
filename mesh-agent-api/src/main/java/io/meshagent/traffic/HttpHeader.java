package io.meshagent.traffic;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * One HTTP header field. Names are kept lower case, as HTTP/2 requires and Envoy presents them.
 *
 * @param name the field name, lower case
 * @param value the field value
 */
public record HttpHeader(String name, String value) {
  public HttpHeader {
    name = requireNonNull(name, "name").toLowerCase(Locale.ROOT);
    requireNonNull(value, "value");
  }
}
