package io.meshagent.netty.internal.admin;

import static java.util.Objects.requireNonNull;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Where the app serves its own Prometheus metrics, scraped and appended to the agent's on the
 * merged metrics port, as pilot-agent does with the pod's {@code prometheus.io/port} and {@code
 * prometheus.io/path} annotations.
 *
 * @param address the app's metrics port, on loopback
 * @param path the metrics path, for example {@code /metrics}
 * @param timeout how long one scrape may take when Prometheus does not say ({@code
 *     X-Prometheus-Scrape-Timeout-Seconds})
 */
public record AppMetricsTarget(InetSocketAddress address, String path, Duration timeout) {
  /** Prometheus's default scrape timeout. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  public AppMetricsTarget {
    requireNonNull(address, "address");
    requireNonNull(path, "path");
    requireNonNull(timeout, "timeout");
    if (address.isUnresolved()) {
      // Resolving would block an event loop at every scrape.
      throw new IllegalArgumentException("the app metrics address must be resolved: " + address);
    }
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("the app metrics path must start with '/': " + path);
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("the app metrics timeout must be positive: " + timeout);
    }
  }

  /** The app's port on the loopback address, with the default timeout. */
  public static AppMetricsTarget loopback(int port, String path) {
    return new AppMetricsTarget(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), port), path, DEFAULT_TIMEOUT);
  }

  /**
   * The target istio-agent reads from {@code ISTIO_PROMETHEUS_ANNOTATIONS} (the injector's JSON of
   * the pod's annotations, {@code {"scrape":"true","path":"/metrics","port":"8080"}}): none when
   * the variable is unset or {@code scrape} is {@code "false"}; path {@code /metrics} and port 80
   * by default.
   *
   * @param json the variable's value, or null when unset
   * @param statusPort the merged metrics port itself, which the app's port must not be (a scrape
   *     loop)
   * @throws IllegalArgumentException naming the variable and what is wrong
   */
  public static @Nullable AppMetricsTarget fromIstioAnnotations(
      @Nullable String json, int statusPort) {
    if (json == null) {
      return null;
    }
    JsonObject o;
    try {
      JsonElement e = JsonParser.parseString(json);
      if (!e.isJsonObject()) {
        throw new IllegalArgumentException(
            "ISTIO_PROMETHEUS_ANNOTATIONS must be a JSON object: " + json);
      }
      o = e.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new IllegalArgumentException(
          "ISTIO_PROMETHEUS_ANNOTATIONS is not valid JSON: " + json, e);
    }
    if ("false".equals(string(o, "scrape"))) {
      return null;
    }
    String path = string(o, "path");
    String port = string(o, "port");
    int p;
    try {
      p = port == null || port.isEmpty() ? 80 : Integer.parseInt(port);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "ISTIO_PROMETHEUS_ANNOTATIONS port is not a number: " + port, e);
    }
    if (p < 1 || p > 65535) {
      throw new IllegalArgumentException("ISTIO_PROMETHEUS_ANNOTATIONS port out of range: " + p);
    }
    if (p == statusPort) {
      throw new IllegalArgumentException(
          "ISTIO_PROMETHEUS_ANNOTATIONS port "
              + p
              + " is the merged metrics port itself: scraping it would loop");
    }
    return loopback(p, path == null || path.isEmpty() ? "/metrics" : path);
  }

  private static @Nullable String string(JsonObject o, String key) {
    JsonElement e = o.get(key);
    return e == null || e.isJsonNull() ? null : e.getAsString();
  }
}
