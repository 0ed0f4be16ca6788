package io.meshagent.core.internal.routing;

import io.meshagent.model.route.HeaderMatcher;
import org.jspecify.annotations.Nullable;

/** Envoy's {@code HeaderUtility::HeaderData::matchesHeaders}, shared by route matching and RBAC. */
public final class HeaderMatching {
  private HeaderMatching() {}

  /**
   * Whether a header matches.
   *
   * @param value the header's values joined with {@code ,}, or null when absent
   */
  public static boolean matches(HeaderMatcher m, @Nullable String value) {
    if (value == null) {
      if (!m.treatMissingAsEmpty()) {
        // A missing header matches only "present: false", or an inverted "present: true".
        boolean presentMatch = m.present() != null;
        return m.invert() ? presentMatch && m.present() : presentMatch && !m.present();
      }
      value = "";
    }
    boolean match;
    if (m.present() != null) {
      match = m.present();
    } else if (m.rangeStart() != null && m.rangeEnd() != null) {
      match = inRange(value, m.rangeStart(), m.rangeEnd());
    } else if (m.matcher() != null) {
      match = m.matcher().matches(value);
    } else {
      match = true;
    }
    return match != m.invert();
  }

  /** absl::SimpleAtoi (surrounding whitespace and a sign allowed), then start ≤ v < end. */
  private static boolean inRange(String value, long start, long end) {
    String v = value.strip();
    if (v.isEmpty()) {
      return false;
    }
    long n;
    try {
      n = Long.parseLong(v);
    } catch (NumberFormatException e) {
      return false;
    }
    return n >= start && n < end;
  }
}
