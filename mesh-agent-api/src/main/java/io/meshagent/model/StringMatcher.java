package io.meshagent.model;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Envoy's {@code StringMatcher}: exact, prefix, suffix, contains or regex, optionally case-blind.
 */
public sealed interface StringMatcher {

  /** Whether {@code value} matches. */
  boolean matches(String value);

  /** Equal to {@code value}. */
  record Exact(String value, boolean ignoreCase) implements StringMatcher {
    public Exact {
      requireNonNull(value, "value");
    }

    @Override
    public boolean matches(String v) {
      return ignoreCase ? v.equalsIgnoreCase(value) : v.equals(value);
    }
  }

  /** Starts with {@code prefix}. */
  record Prefix(String prefix, boolean ignoreCase) implements StringMatcher {
    public Prefix {
      requireNonNull(prefix, "prefix");
    }

    @Override
    public boolean matches(String v) {
      return v.regionMatches(ignoreCase, 0, prefix, 0, prefix.length());
    }
  }

  /** Ends with {@code suffix}. */
  record Suffix(String suffix, boolean ignoreCase) implements StringMatcher {
    public Suffix {
      requireNonNull(suffix, "suffix");
    }

    @Override
    public boolean matches(String v) {
      int off = v.length() - suffix.length();
      return off >= 0 && v.regionMatches(ignoreCase, off, suffix, 0, suffix.length());
    }
  }

  /** Contains {@code substring}. */
  record Contains(String substring, boolean ignoreCase) implements StringMatcher {
    public Contains {
      requireNonNull(substring, "substring");
    }

    @Override
    public boolean matches(String v) {
      return ignoreCase
          ? v.toLowerCase(Locale.ROOT).contains(substring.toLowerCase(Locale.ROOT))
          : v.contains(substring);
    }
  }

  /** The whole value matches {@code pattern} (Envoy's RE2 semantics where Java agrees). */
  record Regex(Pattern pattern) implements StringMatcher {
    public Regex {
      requireNonNull(pattern, "pattern");
    }

    @Override
    public boolean matches(String v) {
      return pattern.matcher(v).matches();
    }
  }
}
