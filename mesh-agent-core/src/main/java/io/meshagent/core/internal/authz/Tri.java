package io.meshagent.core.internal.authz;

/**
 * Kleene's three-valued logic: a matcher that needs what the request lacks (HTTP attributes of a
 * TCP connection, an address that is not an IP literal) is {@link #UNKNOWN}, and an unknown that
 * could decide denies.
 */
enum Tri {
  TRUE,
  FALSE,
  UNKNOWN;

  static Tri of(boolean b) {
    return b ? TRUE : FALSE;
  }

  Tri not() {
    return switch (this) {
      case TRUE -> FALSE;
      case FALSE -> TRUE;
      case UNKNOWN -> UNKNOWN;
    };
  }
}
