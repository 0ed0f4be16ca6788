package io.meshagent.core.internal.telemetry.prometheus;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import java.util.Collection;
import java.util.List;

/**
 * A pull {@link MetricReader}: each {@link #scrape()} collects the meter provider's metrics and
 * renders them as Prometheus text. Cumulative temporality, as Prometheus expects.
 */
public final class PrometheusMetricReader implements MetricReader {
  private final PrometheusTextFormat format;
  private volatile CollectionRegistration registration = CollectionRegistration.noop();

  /**
   * A reader that writes the labels named in {@code labelOrder} first, in that order, and any
   * others after them by name.
   */
  public PrometheusMetricReader(List<String> labelOrder) {
    this.format = new PrometheusTextFormat(requireNonNull(labelOrder, "labelOrder"));
  }

  @Override
  public void register(CollectionRegistration registration) {
    this.registration = requireNonNull(registration, "registration");
  }

  @Override
  public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
    return AggregationTemporality.CUMULATIVE;
  }

  /** The current metrics. */
  public Collection<MetricData> collect() {
    return registration.collectAllMetrics();
  }

  /** The current metrics in Prometheus text format 0.0.4. */
  public String scrape() {
    return format.write(collect());
  }

  @Override
  public CompletableResultCode forceFlush() {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    registration = CollectionRegistration.noop();
    return CompletableResultCode.ofSuccess();
  }
}
