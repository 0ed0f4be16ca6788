package io.meshagent.model.route;

/**
 * Envoy's {@code HeaderValueOption}: one header to add.
 *
 * @param name the header name, lower case
 * @param value the value as configured; Envoy's {@code %COMMAND%} substitutions are left for the
 *     code that applies it
 * @param action what to do when the header exists
 * @param keepEmptyValue whether to add the header when {@code value} evaluates to empty
 */
public record HeaderToAdd(String name, String value, AppendAction action, boolean keepEmptyValue) {

  /** Envoy's {@code HeaderValueOption.HeaderAppendAction}. */
  public enum AppendAction {
    /** Append a value when the header exists, otherwise add it (Envoy's default). */
    APPEND_IF_EXISTS_OR_ADD,
    /** Add the header only when it is absent. */
    ADD_IF_ABSENT,
    /** Replace the header's values, or add it. */
    OVERWRITE_IF_EXISTS_OR_ADD,
    /** Replace the header's values only when it exists. */
    OVERWRITE_IF_EXISTS
  }
}
