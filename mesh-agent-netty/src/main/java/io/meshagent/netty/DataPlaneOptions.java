package io.meshagent.netty;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.api.OpenTelemetry;

/**
 * How the data plane runs. Immutable; start from {@link #defaults()}.
 *
 * @param eventLoopThreads Netty event loop threads
 * @param inboundFallback the mTLS mode for a served port that no inbound listener from the control
 *     plane covers: {@code STRICT} (default: fail closed), {@code PERMISSIVE} or {@code DISABLE}
 * @param hbonePort the port HBONE tunnels go to on an endpoint (15008 in Istio)
 * @param maxBodyBytes the largest request or response body held in memory
 * @param jdkTls use the JDK's TLS instead of BoringSSL
 * @param accessLog write an access log line per request (logger {@code io.meshagent.accesslog});
 *     off by default, as in Istio's default profile
 * @param telemetry record Istio's metrics, exchange peer metadata and start spans
 * @param openTelemetry where client and server spans go; a no-op unless the app installs an SDK
 */
public record DataPlaneOptions(
    int eventLoopThreads,
    String inboundFallback,
    int hbonePort,
    int maxBodyBytes,
    boolean jdkTls,
    boolean accessLog,
    boolean telemetry,
    OpenTelemetry openTelemetry) {
  public DataPlaneOptions {
    if (eventLoopThreads < 1) {
      throw new IllegalArgumentException(
          "eventLoopThreads must be at least 1: " + eventLoopThreads);
    }
    requireNonNull(inboundFallback, "inboundFallback");
    if (!inboundFallback.equals("STRICT")
        && !inboundFallback.equals("PERMISSIVE")
        && !inboundFallback.equals("DISABLE")) {
      throw new IllegalArgumentException(
          "inboundFallback must be STRICT, PERMISSIVE or DISABLE: " + inboundFallback);
    }
    if (hbonePort < 1 || hbonePort > 65535) {
      throw new IllegalArgumentException("hbonePort out of range: " + hbonePort);
    }
    if (maxBodyBytes < 1) {
      throw new IllegalArgumentException("maxBodyBytes must be positive: " + maxBodyBytes);
    }
    requireNonNull(openTelemetry, "openTelemetry");
  }

  /**
   * Event loops per core, STRICT fallback, HBONE on 15008, bodies up to 128 MiB, BoringSSL, access
   * log off, telemetry on, no tracing SDK.
   */
  public static DataPlaneOptions defaults() {
    return new DataPlaneOptions(
        Runtime.getRuntime().availableProcessors(),
        "STRICT",
        15008,
        128 << 20,
        false,
        false,
        true,
        OpenTelemetry.noop());
  }

  public DataPlaneOptions withInboundFallback(String mode) {
    return new DataPlaneOptions(
        eventLoopThreads,
        mode,
        hbonePort,
        maxBodyBytes,
        jdkTls,
        accessLog,
        telemetry,
        openTelemetry);
  }

  public DataPlaneOptions withHbonePort(int port) {
    return new DataPlaneOptions(
        eventLoopThreads,
        inboundFallback,
        port,
        maxBodyBytes,
        jdkTls,
        accessLog,
        telemetry,
        openTelemetry);
  }

  public DataPlaneOptions withEventLoopThreads(int threads) {
    return new DataPlaneOptions(
        threads,
        inboundFallback,
        hbonePort,
        maxBodyBytes,
        jdkTls,
        accessLog,
        telemetry,
        openTelemetry);
  }

  public DataPlaneOptions withMaxBodyBytes(int bytes) {
    return new DataPlaneOptions(
        eventLoopThreads,
        inboundFallback,
        hbonePort,
        bytes,
        jdkTls,
        accessLog,
        telemetry,
        openTelemetry);
  }

  public DataPlaneOptions withJdkTls(boolean jdk) {
    return new DataPlaneOptions(
        eventLoopThreads,
        inboundFallback,
        hbonePort,
        maxBodyBytes,
        jdk,
        accessLog,
        telemetry,
        openTelemetry);
  }

  public DataPlaneOptions withAccessLog(boolean on) {
    return new DataPlaneOptions(
        eventLoopThreads,
        inboundFallback,
        hbonePort,
        maxBodyBytes,
        jdkTls,
        on,
        telemetry,
        openTelemetry);
  }

  /**
   * Turns Istio's metrics, peer metadata exchange and spans on or off (the access log has its own
   * switch); off, requests and connections are carried without any telemetry work.
   */
  public DataPlaneOptions withTelemetry(boolean on) {
    return new DataPlaneOptions(
        eventLoopThreads,
        inboundFallback,
        hbonePort,
        maxBodyBytes,
        jdkTls,
        accessLog,
        on,
        openTelemetry);
  }

  public DataPlaneOptions withOpenTelemetry(OpenTelemetry otel) {
    return new DataPlaneOptions(
        eventLoopThreads,
        inboundFallback,
        hbonePort,
        maxBodyBytes,
        jdkTls,
        accessLog,
        telemetry,
        otel);
  }
}
