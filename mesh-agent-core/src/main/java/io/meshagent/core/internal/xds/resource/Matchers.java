package io.meshagent.core.internal.xds.resource;

import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.meshagent.core.internal.proto.security.StringMatch;
import io.meshagent.core.xds.ResourceInvalidException;
import io.meshagent.model.StringMatcher;
import io.meshagent.model.route.HeaderMatcher;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Converts Envoy's and Istio's string matchers into {@link StringMatcher}. */
public final class Matchers {
  /** Istio's {@code presence}: any non-empty value. */
  private static final Pattern NON_EMPTY = Pattern.compile(".+", Pattern.DOTALL);

  private Matchers() {}

  /**
   * Converts {@code envoy.type.matcher.v3.StringMatcher}.
   *
   * @param path the matcher's field path, for error messages
   */
  public static StringMatcher envoy(
      io.envoyproxy.envoy.type.matcher.v3.StringMatcher m, String path)
      throws ResourceInvalidException {
    boolean ignoreCase = m.getIgnoreCase();
    return switch (m.getMatchPatternCase()) {
      case EXACT -> new StringMatcher.Exact(m.getExact(), ignoreCase);
      case PREFIX -> new StringMatcher.Prefix(nonEmpty(m.getPrefix(), path, "prefix"), ignoreCase);
      case SUFFIX -> new StringMatcher.Suffix(nonEmpty(m.getSuffix(), path, "suffix"), ignoreCase);
      case CONTAINS ->
          new StringMatcher.Contains(nonEmpty(m.getContains(), path, "contains"), ignoreCase);
      // Envoy: ignore_case has no effect on safe_regex.
      case SAFE_REGEX ->
          new StringMatcher.Regex(regex(m.getSafeRegex(), Paths.field(path, "safe_regex")));
      case CUSTOM ->
          throw new ResourceInvalidException(
              Paths.at(
                  Paths.field(path, "custom"),
                  "custom matcher '" + m.getCustom().getName() + "' is not supported"));
      case MATCHPATTERN_NOT_SET ->
          throw new ResourceInvalidException(
              Paths.at(
                  path, "no match pattern (exact, prefix, suffix, contains or safe_regex) is set"));
    };
  }

  /**
   * Compiles {@code envoy.type.matcher.v3.RegexMatcher}'s regex.
   *
   * @param path the matcher's field path, for error messages
   */
  public static Pattern regex(RegexMatcher m, String path) throws ResourceInvalidException {
    return compile(m.getRegex(), path);
  }

  /**
   * Compiles a regular expression that must match a whole value.
   *
   * @param path the field path, for error messages
   * @throws ResourceInvalidException if it is empty or does not compile
   */
  public static Pattern compile(String regex, String path) throws ResourceInvalidException {
    if (regex.isEmpty()) {
      throw new ResourceInvalidException(Paths.at(path, "regex must not be empty"));
    }
    try {
      return Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      String where = e.getIndex() >= 0 ? " near index " + e.getIndex() : "";
      throw new ResourceInvalidException(
          Paths.at(path, "invalid regex '" + regex + "': " + e.getDescription() + where), e);
    }
  }

  /**
   * Converts Istio's {@code istio.security.StringMatch}.
   *
   * @param path the matcher's field path, for error messages
   */
  public static StringMatcher istio(StringMatch m, String path) throws ResourceInvalidException {
    return switch (m.getMatchTypeCase()) {
      case EXACT -> new StringMatcher.Exact(m.getExact(), false);
      case PREFIX -> new StringMatcher.Prefix(m.getPrefix(), false);
      case SUFFIX -> new StringMatcher.Suffix(m.getSuffix(), false);
      case PRESENCE -> new StringMatcher.Regex(NON_EMPTY);
      case MATCHTYPE_NOT_SET ->
          throw new ResourceInvalidException(
              Paths.at(path, "no match type (exact, prefix, suffix or presence) is set"));
    };
  }

  private static String nonEmpty(String value, String path, String field)
      throws ResourceInvalidException {
    if (value.isEmpty()) {
      throw new ResourceInvalidException(Paths.at(Paths.field(path, field), "must not be empty"));
    }
    return value;
  }

  /**
   * Envoy's route {@code HeaderMatcher}, as routes and RBAC policies use it. istiod still sends the
   * legacy {@code exact_match} / {@code prefix_match} / ... fields, hence the deprecation.
   */
  @SuppressWarnings("deprecation")
  static HeaderMatcher header(io.envoyproxy.envoy.config.route.v3.HeaderMatcher h, String path)
      throws ResourceInvalidException {
    if (h.getName().isEmpty()) {
      throw new ResourceInvalidException(Paths.at(Paths.field(path, "name"), "must not be empty"));
    }
    String name = h.getName().toLowerCase(Locale.ROOT);
    StringMatcher matcher = null;
    Boolean present = null;
    Long rangeStart = null;
    Long rangeEnd = null;
    switch (h.getHeaderMatchSpecifierCase()) {
      case EXACT_MATCH -> matcher = new StringMatcher.Exact(h.getExactMatch(), false);
      case SAFE_REGEX_MATCH ->
          matcher =
              new StringMatcher.Regex(
                  Matchers.regex(h.getSafeRegexMatch(), Paths.field(path, "safe_regex_match")));
      case RANGE_MATCH -> {
        rangeStart = h.getRangeMatch().getStart();
        rangeEnd = h.getRangeMatch().getEnd();
      }
      case PRESENT_MATCH -> present = h.getPresentMatch();
      case PREFIX_MATCH -> matcher = new StringMatcher.Prefix(h.getPrefixMatch(), false);
      case SUFFIX_MATCH -> matcher = new StringMatcher.Suffix(h.getSuffixMatch(), false);
      case CONTAINS_MATCH -> matcher = new StringMatcher.Contains(h.getContainsMatch(), false);
      case STRING_MATCH ->
          matcher = Matchers.envoy(h.getStringMatch(), Paths.field(path, "string_match"));
      // Envoy matches on presence when no specifier is set.
      case HEADERMATCHSPECIFIER_NOT_SET -> present = true;
    }
    return new HeaderMatcher(
        name,
        matcher,
        present,
        rangeStart,
        rangeEnd,
        h.getInvertMatch(),
        h.getTreatMissingHeaderAsEmpty());
  }
}
