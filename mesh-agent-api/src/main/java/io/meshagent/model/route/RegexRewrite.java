package io.meshagent.model.route;

import java.util.regex.Pattern;

/**
 * Envoy's {@code RouteAction.regex_rewrite}: every match of {@code pattern} in the path (without
 * the query) is replaced by {@code substitution}.
 *
 * @param pattern the pattern
 * @param substitution the replacement in Envoy's (RE2's) syntax: {@code \1} … {@code \9} refer to
 *     groups, {@code \\} is a backslash
 */
public record RegexRewrite(Pattern pattern, String substitution) {}
