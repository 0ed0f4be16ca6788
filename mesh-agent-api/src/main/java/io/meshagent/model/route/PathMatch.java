package io.meshagent.model.route;

import java.util.regex.Pattern;

/** How a route matches the request path. */
public sealed interface PathMatch {
  /** Path starts with {@code prefix}. */
  record Prefix(String prefix) implements PathMatch {}

  /** Path equals {@code path}. */
  record Exact(String path) implements PathMatch {}

  /** The whole path matches {@code pattern}. */
  record Regex(Pattern pattern) implements PathMatch {}

  /** Path equals {@code prefix} or starts with {@code prefix + "/"}. */
  record PathSeparatedPrefix(String prefix) implements PathMatch {}
}
