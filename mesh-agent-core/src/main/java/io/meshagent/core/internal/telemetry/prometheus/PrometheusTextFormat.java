package io.meshagent.core.internal.telemetry.prometheus;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.PointData;
import io.opentelemetry.sdk.metrics.data.SumData;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Writes OpenTelemetry {@link MetricData} as Prometheus text format 0.0.4. Unlike OpenTelemetry's
 * Prometheus exporter it appends no unit suffix and adds no scope labels or {@code target_info}:
 * the instruments already carry Istio's exact names ({@code istio_request_duration_milliseconds}
 * would otherwise gain a second unit). Monotonic sums are counters (given {@code _total} if their
 * name lacks it), other sums and gauges are gauges, explicit-bucket histograms are histograms;
 * other kinds are skipped. Output is sorted (families by name, series by labels) so that it is
 * stable between scrapes.
 */
final class PrometheusTextFormat {
  private final Map<String, Integer> rank = new HashMap<>();

  PrometheusTextFormat(List<String> labelOrder) {
    for (int i = 0; i < labelOrder.size(); i++) {
      rank.putIfAbsent(labelOrder.get(i), i);
    }
  }

  String write(Collection<MetricData> metrics) {
    // Families by exposed name; two instruments of one name (from different scopes) share one.
    Map<String, List<MetricData>> families = new TreeMap<>();
    for (MetricData m : metrics) {
      String type = type(m);
      if (type != null) {
        families.computeIfAbsent(familyName(m), k -> new ArrayList<>()).add(m);
      }
    }
    StringBuilder out = new StringBuilder(4096);
    families.forEach((name, members) -> writeFamily(out, name, members));
    return out.toString();
  }

  private void writeFamily(StringBuilder out, String name, List<MetricData> members) {
    MetricData first = members.get(0);
    String type = requireNonNull(type(first), "type");
    List<String[]> series = new ArrayList<>(); // {sort key, text}
    for (MetricData m : members) {
      if (!type.equals(type(m))) {
        continue; // one family has one type; a clashing instrument would make the scrape invalid
      }
      for (PointData p : m.getData().getPoints()) {
        String labels = labels(p.getAttributes(), null);
        StringBuilder s = new StringBuilder(256);
        if (p instanceof HistogramPointData h) {
          writeHistogram(s, name, p.getAttributes(), labels, h);
        } else {
          s.append(name).append(labels).append(' ').append(value(p)).append('\n');
        }
        series.add(new String[] {labels, s.toString()});
      }
    }
    if (series.isEmpty()) {
      return;
    }
    series.sort(Comparator.comparing((String[] s) -> s[0]));
    String help = first.getDescription().isEmpty() ? name : first.getDescription();
    out.append("# HELP ").append(name).append(' ').append(escapeHelp(help)).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    for (String[] s : series) {
      out.append(s[1]);
    }
  }

  private void writeHistogram(
      StringBuilder s, String name, Attributes attributes, String labels, HistogramPointData h) {
    List<Double> bounds = h.getBoundaries();
    List<Long> counts = h.getCounts();
    long cumulative = 0;
    for (int i = 0; i < bounds.size(); i++) {
      cumulative += counts.get(i);
      s.append(name)
          .append("_bucket")
          .append(labels(attributes, plain(bounds.get(i))))
          .append(' ')
          .append(cumulative)
          .append('\n');
    }
    s.append(name)
        .append("_bucket")
        .append(labels(attributes, "+Inf"))
        .append(' ')
        .append(h.getCount())
        .append('\n');
    s.append(name).append("_sum").append(labels).append(' ').append(number(h.getSum()));
    s.append('\n');
    s.append(name).append("_count").append(labels).append(' ').append(h.getCount()).append('\n');
  }

  /** {@code {a="x",b="y"}}, labels in the configured order, {@code le} last when given. */
  private String labels(Attributes attributes, @Nullable String le) {
    if (attributes.isEmpty() && le == null) {
      return "";
    }
    List<AttributeKey<?>> keys = new ArrayList<>(attributes.asMap().keySet());
    keys.sort(
        Comparator.comparingInt((AttributeKey<?> k) -> rank.getOrDefault(k.getKey(), rank.size()))
            .thenComparing(AttributeKey::getKey));
    StringBuilder b = new StringBuilder(64 * keys.size() + 16).append('{');
    for (AttributeKey<?> k : keys) {
      if (b.length() > 1) {
        b.append(',');
      }
      b.append(sanitize(k.getKey(), false)).append("=\"");
      escapeLabelValue(b, String.valueOf(attributes.get(k)));
      b.append('"');
    }
    if (le != null) {
      if (b.length() > 1) {
        b.append(',');
      }
      b.append("le=\"").append(le).append('"');
    }
    return b.append('}').toString();
  }

  private static @Nullable String type(MetricData m) {
    switch (m.getType()) {
      case LONG_SUM:
      case DOUBLE_SUM:
        return ((SumData<?>) m.getData()).isMonotonic() ? "counter" : "gauge";
      case LONG_GAUGE:
      case DOUBLE_GAUGE:
        return "gauge";
      case HISTOGRAM:
        return "histogram";
      default:
        return null; // exponential histograms and summaries have no 0.0.4 form here
    }
  }

  private static String familyName(MetricData m) {
    String name = sanitize(m.getName(), true);
    if ("counter".equals(type(m)) && !name.endsWith("_total")) {
      name = name + "_total"; // Prometheus' counter convention, which promtool lints
    }
    return name;
  }

  private static String value(PointData p) {
    if (p instanceof LongPointData l) {
      return Long.toString(l.getValue());
    }
    return number(((DoublePointData) p).getValue());
  }

  /**
   * A sample value: integral values without a fraction, as Envoy writes them, and no exponent where
   * plain digits are short ({@code 20000003.5}, not Java's {@code 2.00000035E7}).
   */
  static String number(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    double abs = Math.abs(v);
    if (v == Math.rint(v) && abs < 1e15) {
      return Long.toString((long) v);
    }
    if (abs >= 1e-3 && abs < 1e15) {
      return new BigDecimal(Double.toString(v)).toPlainString();
    }
    return Double.toString(v);
  }

  /** A bucket bound in plain digits ({@code 3600000}, {@code 0.5}), as Envoy writes {@code le}. */
  static String plain(double bound) {
    if (Double.isInfinite(bound)) {
      return bound > 0 ? "+Inf" : "-Inf";
    }
    return BigDecimal.valueOf(bound).stripTrailingZeros().toPlainString();
  }

  /**
   * A valid metric ({@code [a-zA-Z_:][a-zA-Z0-9_:]*}) or label ({@code [a-zA-Z_][a-zA-Z0-9_]*})
   * name: OpenTelemetry allows {@code .}, {@code -} and {@code /}, Prometheus does not.
   */
  static String sanitize(String name, boolean metric) {
    StringBuilder b = new StringBuilder(name.length() + 1);
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || c == '_'
              || (metric && c == ':')
              || (i > 0 && c >= '0' && c <= '9');
      if (!ok && i == 0 && c >= '0' && c <= '9') {
        b.append('_').append(c);
      } else {
        b.append(ok ? c : '_');
      }
    }
    return b.length() == 0 ? "_" : b.toString();
  }

  private static void escapeLabelValue(StringBuilder b, String v) {
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      switch (c) {
        case '\\' -> b.append("\\\\");
        case '"' -> b.append("\\\"");
        case '\n' -> b.append("\\n");
        default -> b.append(c);
      }
    }
  }

  private static String escapeHelp(String help) {
    return help.replace("\\", "\\\\").replace("\n", "\\n");
  }
}
