package io.meshagent.samples.demo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Samples of one metric in Prometheus text, with their labels. */
final class MetricLines {
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  /**
   * One sample.
   *
   * @param labels its labels, in the order written
   * @param value its value
   */
  record Sample(Map<String, String> labels, double value) {
    String label(String name) {
      return labels.getOrDefault(name, "");
    }

    /** The sample with only {@code names} of its labels, as Prometheus writes it. */
    String abridged(String metric, List<String> names) {
      StringBuilder b = new StringBuilder(metric).append('{');
      for (String n : names) {
        if (labels.containsKey(n)) {
          b.append(b.charAt(b.length() - 1) == '{' ? "" : ",")
              .append(n)
              .append("=\"")
              .append(labels.get(n))
              .append('"');
        }
      }
      return b.append("} ").append(format(value)).toString();
    }
  }

  private MetricLines() {}

  /** The samples of {@code metric} in {@code text}. */
  static List<Sample> of(String text, String metric) {
    List<Sample> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (!line.startsWith(metric + "{")) {
        continue;
      }
      int close = line.lastIndexOf('}');
      Map<String, String> labels = new LinkedHashMap<>();
      Matcher m = LABEL.matcher(line.substring(metric.length() + 1, close));
      while (m.find()) {
        labels.put(m.group(1), m.group(2));
      }
      out.add(new Sample(labels, Double.parseDouble(line.substring(close + 1).trim())));
    }
    return out;
  }

  private static String format(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }
}
