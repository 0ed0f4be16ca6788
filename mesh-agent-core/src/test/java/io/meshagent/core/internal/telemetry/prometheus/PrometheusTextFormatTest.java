package io.meshagent.core.internal.telemetry.prometheus;

import static io.opentelemetry.api.common.AttributeKey.stringKey;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The text format itself: types, naming, escaping, ordering, numbers. */
class PrometheusTextFormatTest {
  private final PrometheusMetricReader reader = new PrometheusMetricReader(List.of("b", "a"));
  private final SdkMeterProvider provider =
      SdkMeterProvider.builder().registerMetricReader(reader).build();
  private final Meter meter = provider.get("test");

  @AfterEach
  void close() {
    provider.close();
  }

  @Test
  void labelsFollowTheGivenOrderThenTheirNames() {
    meter
        .counterBuilder("ordered_total")
        .setDescription("d")
        .build()
        .add(1, Attributes.of(stringKey("z"), "1", stringKey("a"), "2", stringKey("b"), "3"));
    assertThat(reader.scrape())
        .isEqualTo(
            "# HELP ordered_total d\n"
                + "# TYPE ordered_total counter\n"
                + "ordered_total{b=\"3\",a=\"2\",z=\"1\"} 1\n");
  }

  @Test
  void namesAreMadeValidAndCountersEndInTotal() {
    meter
        .counterBuilder("http.server.requests")
        .build()
        .add(2, Attributes.of(stringKey("k.x-y"), "v"));
    assertThat(reader.scrape())
        .isEqualTo(
            "# HELP http_server_requests_total http_server_requests_total\n"
                + "# TYPE http_server_requests_total counter\n"
                + "http_server_requests_total{k_x_y=\"v\"} 2\n");
  }

  @Test
  void labelValuesAndHelpAreEscaped() {
    meter
        .upDownCounterBuilder("queue_depth")
        .setDescription("back\\slash\nnewline")
        .build()
        .add(-3, Attributes.of(stringKey("a"), "q\"uote\\back\nline"));
    assertThat(reader.scrape())
        .isEqualTo(
            "# HELP queue_depth back\\\\slash\\nnewline\n"
                + "# TYPE queue_depth gauge\n"
                + "queue_depth{a=\"q\\\"uote\\\\back\\nline\"} -3\n");
  }

  @Test
  void seriesAreSortedAndFamiliesByName() {
    var c = meter.counterBuilder("b_total").setDescription("b").build();
    c.add(1, Attributes.of(stringKey("a"), "y"));
    c.add(1, Attributes.of(stringKey("a"), "x"));
    meter.gaugeBuilder("a_gauge").setDescription("a").build().set(0.25);
    assertThat(reader.scrape())
        .isEqualTo(
            "# HELP a_gauge a\n"
                + "# TYPE a_gauge gauge\n"
                + "a_gauge 0.25\n"
                + "# HELP b_total b\n"
                + "# TYPE b_total counter\n"
                + "b_total{a=\"x\"} 1\n"
                + "b_total{a=\"y\"} 1\n");
  }

  @Test
  void histogramsHaveCumulativeBucketsSumAndCount() {
    var h =
        meter
            .histogramBuilder("latency_milliseconds")
            .setDescription("h")
            .setExplicitBucketBoundariesAdvice(List.of(0.5, 10d, 1e7))
            .build();
    h.record(0.5);
    h.record(3);
    h.record(2e7);
    assertThat(reader.scrape())
        .isEqualTo(
            "# HELP latency_milliseconds h\n"
                + "# TYPE latency_milliseconds histogram\n"
                + "latency_milliseconds_bucket{le=\"0.5\"} 1\n"
                + "latency_milliseconds_bucket{le=\"10\"} 2\n"
                + "latency_milliseconds_bucket{le=\"10000000\"} 2\n"
                + "latency_milliseconds_bucket{le=\"+Inf\"} 3\n"
                + "latency_milliseconds_sum 20000003.5\n"
                + "latency_milliseconds_count 3\n");
  }

  @Test
  void nothingRecordedIsAnEmptyScrape() {
    meter.counterBuilder("unused_total").build();
    assertThat(reader.scrape()).isEmpty();
  }

  @Test
  void numbersAreWrittenAsPrometheusReadsThem() {
    assertThat(PrometheusTextFormat.number(42)).isEqualTo("42");
    assertThat(PrometheusTextFormat.number(-0.125)).isEqualTo("-0.125");
    assertThat(PrometheusTextFormat.number(1e20)).isEqualTo("1.0E20");
    assertThat(PrometheusTextFormat.number(Double.NaN)).isEqualTo("NaN");
    assertThat(PrometheusTextFormat.number(Double.NEGATIVE_INFINITY)).isEqualTo("-Inf");
    assertThat(PrometheusTextFormat.plain(3600000)).isEqualTo("3600000");
    assertThat(PrometheusTextFormat.plain(0.5)).isEqualTo("0.5");
    assertThat(PrometheusTextFormat.sanitize("9lives", true)).isEqualTo("_9lives");
    assertThat(PrometheusTextFormat.sanitize("ns:sub", true)).isEqualTo("ns:sub");
    assertThat(PrometheusTextFormat.sanitize("ns:sub", false)).isEqualTo("ns_sub");
  }
}
