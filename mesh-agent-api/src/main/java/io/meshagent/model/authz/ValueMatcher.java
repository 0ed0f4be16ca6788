package io.meshagent.model.authz;

import static java.util.Objects.requireNonNull;

import io.meshagent.model.StringMatcher;
import java.util.List;

/**
 * The part of Envoy's {@code type.matcher.v3.ValueMatcher} istiod emits for JWT claims: a string, a
 * list containing a match ({@code list_match.one_of}), an {@code or_match}, presence, or a bool.
 */
public sealed interface ValueMatcher {

  /** A string value matching {@code matcher}. */
  record StringValue(StringMatcher matcher) implements ValueMatcher {
    public StringValue {
      requireNonNull(matcher, "matcher");
    }
  }

  /** A list value with an element matching {@code element}. */
  record ListOneOf(ValueMatcher element) implements ValueMatcher {
    public ListOneOf {
      requireNonNull(element, "element");
    }
  }

  /** Any of {@code matchers} matches. */
  record AnyOf(List<ValueMatcher> matchers) implements ValueMatcher {
    public AnyOf {
      matchers = List.copyOf(matchers);
    }
  }

  /** A value is present ({@code present}) or the matcher never matches ({@code !present}). */
  record Present(boolean present) implements ValueMatcher {}

  /** A bool value equal to {@code value}. */
  record BoolValue(boolean value) implements ValueMatcher {}
}
