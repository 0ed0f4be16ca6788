package io.meshagent.traffic;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Lookups over header lists; shared by requests and responses. */
final class Headers {
  private Headers() {}

  // Names are stored lower case (HttpHeader), so comparing ignoring case finds them without
  // lowercasing the name asked for: propagators ask for "X-B3-TraceId" on every request.
  static @Nullable String first(List<HttpHeader> headers, String name) {
    for (HttpHeader h : headers) {
      if (h.name().equalsIgnoreCase(name)) {
        return h.value();
      }
    }
    return null;
  }

  static List<String> all(List<HttpHeader> headers, String name) {
    List<String> values = new ArrayList<>(1);
    for (HttpHeader h : headers) {
      if (h.name().equalsIgnoreCase(name)) {
        values.add(h.value());
      }
    }
    return values;
  }
}
