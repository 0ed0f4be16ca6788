package io.meshagent.model.route;

import io.meshagent.model.StringMatcher;
import org.jspecify.annotations.Nullable;

/**
 * Envoy's {@code QueryParameterMatcher}.
 *
 * @param name the parameter
 * @param matcher its value matcher, or null for a presence match
 */
public record QueryParameterMatcher(String name, @Nullable StringMatcher matcher) {}
