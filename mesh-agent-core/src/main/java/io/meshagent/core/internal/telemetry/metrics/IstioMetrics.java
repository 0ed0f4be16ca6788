package io.meshagent.core.internal.telemetry.metrics;

import static java.util.Objects.requireNonNull;

import io.meshagent.core.internal.cache.BoundedCache;
import io.meshagent.core.internal.telemetry.prometheus.PrometheusMetricReader;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.ExemplarFilter;
import io.opentelemetry.sdk.metrics.ExplicitBucketHistogramOptions;
import io.opentelemetry.sdk.metrics.InstrumentSelector;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.SdkMeterProviderBuilder;
import io.opentelemetry.sdk.metrics.View;
import java.util.List;

/**
 * Istio's standard metrics, recorded through the OpenTelemetry API into the agent's own meter
 * provider and exposed with Istio's names, labels and buckets ({@link #prometheusText()}).
 *
 * <p>The meter provider is the agent's, not the application's global one: Istio's dashboards read
 * these series by exact name from the agent's Prometheus endpoint, and the application's own
 * exporters would rename them (unit suffixes, scope labels).
 *
 * <p>Recording never blocks: label sets are cached ({@link BoundedCache}) and the SDK's counters
 * and explicit-bucket histograms update striped adders, lock-free with the SDK version the
 * project's BOM pins (1.68; SDKs up to at least 1.55, which Spring Boot 3.5 and Quarkus 3.30 pin,
 * guard each histogram series with a short monitor). Measurements are recorded against the root
 * context: the exposition has no exemplars, so the SDK need not look for a sampled span (a
 * thread-local read) nor sample one per measurement.
 */
public final class IstioMetrics implements AutoCloseable {
  /** The instrumentation scope the instruments are created in. */
  public static final String SCOPE = "io.meshagent.istio";

  /** Series kept per metric by default; more are folded into one overflow series. */
  public static final int DEFAULT_MAX_SERIES = 10_000;

  // Envoy's default histogram buckets. Istio's bootstrap sets none of its own, so all three of its
  // histograms have them, the byte ones included (the 1, 10, ... 10^7 byte buckets some references
  // list were Mixer's, before telemetry v2). Equal bounds matter: histogram_quantile over sidecars
  // and agents together sums their buckets by le.
  static final List<Double> BUCKETS =
      List.of(
          0.5, 1d, 5d, 10d, 25d, 50d, 100d, 250d, 500d, 1000d, 2500d, 5000d, 10000d, 30000d, 60000d,
          300000d, 600000d, 1800000d, 3600000d);

  private static final double NANOS_PER_MILLI = 1_000_000d;

  /** The instruments, shared with each connection's {@link TcpConnectionMetrics}. */
  record Instruments(
      LongCounter requests,
      DoubleHistogram duration,
      DoubleHistogram requestBytes,
      DoubleHistogram responseBytes,
      LongCounter tcpSent,
      LongCounter tcpReceived,
      LongCounter tcpOpened,
      LongCounter tcpClosed) {}

  private final SdkMeterProvider provider;
  private final PrometheusMetricReader reader;
  private final Instruments instruments;
  // Built label sets, so a request whose labels were seen before records without sorting 25
  // labels again.
  private final BoundedCache<RequestLabels, Attributes> requestLabels;
  private final BoundedCache<ConnectionRecord, Attributes> connectionLabels;

  private IstioMetrics(SdkMeterProvider provider, PrometheusMetricReader reader, int maxSeries) {
    this.provider = provider;
    this.reader = reader;
    this.instruments = instruments(provider.get(SCOPE));
    this.requestLabels = new BoundedCache<>(maxSeries);
    this.connectionLabels = new BoundedCache<>(maxSeries);
  }

  /** Metrics keeping up to {@link #DEFAULT_MAX_SERIES} series per metric. */
  public static IstioMetrics create() {
    return create(DEFAULT_MAX_SERIES);
  }

  /**
   * Metrics keeping up to {@code maxSeriesPerMetric} label sets per metric. Past that the SDK folds
   * new label sets into one series labelled {@code otel_metric_overflow="true"}, which bounds
   * memory when a peer sends ever-new metadata.
   */
  public static IstioMetrics create(int maxSeriesPerMetric) {
    if (maxSeriesPerMetric < 1) {
      throw new IllegalArgumentException(
          "maxSeriesPerMetric must be at least 1, was " + maxSeriesPerMetric);
    }
    PrometheusMetricReader reader = new PrometheusMetricReader(IstioLabels.ORDER);
    SdkMeterProviderBuilder builder =
        SdkMeterProvider.builder().registerMetricReader(reader, type -> maxSeriesPerMetric);
    SdkMeterProvider provider = Lean.apply(builder).build();
    return new IstioMetrics(provider, reader, maxSeriesPerMetric);
  }

  /**
   * Prometheus's text format has neither exemplars nor a histogram's min and max; keeping them cost
   * each measurement a filter call and two compare-and-set loops. The options that turn them off
   * came with SDK 1.5x-1.6x, and an app's BOM may pin an older SDK (Spring Boot 3.5 has 1.49):
   * there they are skipped. In a class of its own, so that only it fails to link there.
   */
  private static final class Lean {
    static SdkMeterProviderBuilder apply(SdkMeterProviderBuilder b) {
      try {
        return Options.apply(b);
      } catch (LinkageError e) {
        return b; // an older SDK: the defaults, which record a little more
      }
    }
  }

  private static final class Options {
    static SdkMeterProviderBuilder apply(SdkMeterProviderBuilder b) {
      return b.setExemplarFilter(ExemplarFilter.alwaysOff())
          .registerView(
              InstrumentSelector.builder()
                  .setMeterName(SCOPE)
                  .setType(InstrumentType.HISTOGRAM)
                  .build(),
              View.builder()
                  .setAggregation(
                      Aggregation.explicitBucketHistogram(
                          ExplicitBucketHistogramOptions.builder()
                              .setBucketBoundaries(BUCKETS)
                              .setRecordMinMax(false)
                              .build()))
                  .build());
    }
  }

  private static Instruments instruments(Meter meter) {
    return new Instruments(
        meter.counterBuilder("istio_requests_total").setDescription("Requests handled.").build(),
        meter
            .histogramBuilder("istio_request_duration_milliseconds")
            .setDescription("Request duration in milliseconds.")
            .setUnit("ms")
            .setExplicitBucketBoundariesAdvice(BUCKETS)
            .build(),
        bytes(meter, "istio_request_bytes", "Request size in bytes, headers included."),
        bytes(meter, "istio_response_bytes", "Response size in bytes, headers included."),
        meter
            .counterBuilder("istio_tcp_sent_bytes_total")
            .setDescription("Bytes sent in the response direction of TCP connections.")
            .setUnit("By")
            .build(),
        meter
            .counterBuilder("istio_tcp_received_bytes_total")
            .setDescription("Bytes received in the request direction of TCP connections.")
            .setUnit("By")
            .build(),
        meter
            .counterBuilder("istio_tcp_connections_opened_total")
            .setDescription("TCP connections opened.")
            .build(),
        meter
            .counterBuilder("istio_tcp_connections_closed_total")
            .setDescription("TCP connections closed.")
            .build());
  }

  // Doubles, not longs: Envoy's first bound is 0.5. Sizes stay exact up to 2^53 bytes.
  private static DoubleHistogram bytes(Meter meter, String name, String description) {
    return meter
        .histogramBuilder(name)
        .setDescription(description)
        .setUnit("By")
        .setExplicitBucketBoundariesAdvice(BUCKETS)
        .build();
  }

  /**
   * Records a finished request: {@code istio_requests_total}, {@code
   * istio_request_duration_milliseconds}, {@code istio_request_bytes} and {@code
   * istio_response_bytes}. Safe on any thread; never blocks.
   */
  public void recordRequest(RequestRecord r) {
    Attributes labels =
        requestLabels.get(RequestLabels.of(r), k -> IstioLabels.request(k.record()));
    Context root = Context.root();
    instruments.requests().add(1, labels, root);
    // Fractional milliseconds: Envoy truncates to whole ones, which would put every in-process
    // request into the first bucket with a zero sum.
    instruments.duration().record(r.durationNanos() / NANOS_PER_MILLI, labels, root);
    instruments.requestBytes().record(r.requestBytes(), labels, root);
    instruments.responseBytes().record(r.responseBytes(), labels, root);
  }

  /** The {@code istio_tcp_*} metrics of a connection between these parties. */
  public TcpConnectionMetrics tcpConnection(ConnectionRecord connection) {
    requireNonNull(connection, "connection");
    return new TcpConnectionMetrics(
        instruments, connectionLabels.get(connection, IstioLabels::connection));
  }

  /** Every series in Prometheus text format 0.0.4, Istio's names and label order. */
  public String prometheusText() {
    return reader.scrape();
  }

  /** Stops the meter provider; later recordings are dropped. */
  @Override
  public void close() {
    provider.close();
  }
}
