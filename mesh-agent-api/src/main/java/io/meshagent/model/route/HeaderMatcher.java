package io.meshagent.model.route;

import io.meshagent.model.StringMatcher;
import org.jspecify.annotations.Nullable;

/**
 * Envoy's {@code HeaderMatcher}.
 *
 * @param name the header name, lower case
 * @param matcher the value matcher, or null for presence/range matches
 * @param present for a presence match: whether the header must be present; null otherwise
 * @param rangeStart inclusive start of a range match, or null
 * @param rangeEnd exclusive end of a range match, or null
 * @param invert whether the result is inverted
 * @param treatMissingAsEmpty whether a missing header is matched as an empty value
 */
public record HeaderMatcher(
    String name,
    @Nullable StringMatcher matcher,
    @Nullable Boolean present,
    @Nullable Long rangeStart,
    @Nullable Long rangeEnd,
    boolean invert,
    boolean treatMissingAsEmpty) {}
