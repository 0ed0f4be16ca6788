package io.meshagent.core.internal.xds.resource;

/**
 * Builds the field paths that error messages name, in the proto's field names, for example {@code
 * virtual_hosts[0](name=reviews).routes[2](name=r1).match.safe_regex}.
 */
final class Paths {
  private Paths() {}

  /** {@code parent.field}, or {@code field} at the root. */
  static String field(String parent, String field) {
    return parent.isEmpty() ? field : parent + "." + field;
  }

  /** {@code parent.field[index]}. */
  static String element(String parent, String field, int index) {
    return field(parent, field) + "[" + index + "]";
  }

  /** {@code parent.field[index](name=name)}, leaving out an empty name. */
  static String element(String parent, String field, int index, String name) {
    String path = element(parent, field, index);
    return name.isEmpty() ? path : path + "(name=" + name + ")";
  }

  /** {@code path: reason}. */
  static String at(String path, String reason) {
    return path.isEmpty() ? reason : path + ": " + reason;
  }
}
