package io.meshagent.traffic;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** Lookups over header lists; shared by requests and responses. */
final class Headers {
  private Headers() {}

  static @Nullable String first(List<HttpHeader> headers, String name) {
    String n = name.toLowerCase(Locale.ROOT);
    for (HttpHeader h : headers) {
      if (h.name().equals(n)) {
        return h.value();
      }
    }
    return null;
  }

  static List<String> all(List<HttpHeader> headers, String name) {
    String n = name.toLowerCase(Locale.ROOT);
    List<String> values = new ArrayList<>(1);
    for (HttpHeader h : headers) {
      if (h.name().equals(n)) {
        values.add(h.value());
      }
    }
    return values;
  }
}
