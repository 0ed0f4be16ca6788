package io.meshagent.netty;

import java.util.Map;

/** Reads samples out of Prometheus text. */
final class Metrics {
  private Metrics() {}

  /**
   * The sum of the samples of {@code name} whose labels include all of {@code labels} (0 when
   * none).
   */
  static double value(String text, String name, Map<String, String> labels) {
    double sum = 0;
    for (String line : text.split("\n")) {
      if (!line.startsWith(name + "{")) {
        continue;
      }
      int close = line.lastIndexOf('}');
      String labelText = line.substring(name.length() + 1, close);
      boolean all = true;
      for (Map.Entry<String, String> e : labels.entrySet()) {
        all &= labelText.contains(e.getKey() + "=\"" + e.getValue() + "\"");
      }
      if (all) {
        sum += Double.parseDouble(line.substring(close + 1).trim());
      }
    }
    return sum;
  }

  /** The number of labels on the first sample of {@code name}. */
  static int labelCount(String text, String name) {
    for (String line : text.split("\n")) {
      if (line.startsWith(name + "{")) {
        return line.substring(name.length() + 1, line.lastIndexOf('}')).split("\",").length;
      }
    }
    return 0;
  }
}
