package io.meshagent.netty.internal.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** istio-agent's {@code ISTIO_PROMETHEUS_ANNOTATIONS} and Prometheus's timeout header. */
class AppMetricsTargetTest {
  @Test
  void annotationsGiveThePortAndPath() {
    AppMetricsTarget t =
        AppMetricsTarget.fromIstioAnnotations(
            "{\"scrape\":\"true\",\"path\":\"/q/metrics\",\"port\":\"8080\"}", 15020);

    assertThat(t.address().getAddress().isLoopbackAddress()).isTrue();
    assertThat(t.address().getPort()).isEqualTo(8080);
    assertThat(t.path()).isEqualTo("/q/metrics");
  }

  @Test
  void pathAndPortDefaultAsIstioAgents() {
    AppMetricsTarget t = AppMetricsTarget.fromIstioAnnotations("{\"scrape\":\"true\"}", 15020);

    assertThat(t.address().getPort()).isEqualTo(80);
    assertThat(t.path()).isEqualTo("/metrics");
  }

  @Test
  void noTargetWhenUnsetOrScrapeIsFalse() {
    assertThat(AppMetricsTarget.fromIstioAnnotations(null, 15020)).isNull();
    assertThat(AppMetricsTarget.fromIstioAnnotations("{\"scrape\":\"false\"}", 15020)).isNull();
  }

  @Test
  void theStatusPortItselfIsRefused() {
    assertThatThrownBy(() -> AppMetricsTarget.fromIstioAnnotations("{\"port\":\"15020\"}", 15020))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("15020")
        .hasMessageContaining("loop");
    assertThatThrownBy(() -> AppMetricsTarget.fromIstioAnnotations("{\"port\":\"x\"}", 15020))
        .hasMessageContaining("ISTIO_PROMETHEUS_ANNOTATIONS");
  }

  @Test
  void prometheusTimeoutHeaderBoundsTheScrape() {
    Duration fallback = Duration.ofSeconds(10);
    assertThat(AppMetricsScraper.timeout("9.5", fallback)).isEqualTo(Duration.ofMillis(9500));
    assertThat(AppMetricsScraper.timeout(null, fallback)).isEqualTo(fallback);
    assertThat(AppMetricsScraper.timeout("soon", fallback)).isEqualTo(fallback);
    assertThat(AppMetricsScraper.timeout("-1", fallback)).isEqualTo(fallback);
  }
}
