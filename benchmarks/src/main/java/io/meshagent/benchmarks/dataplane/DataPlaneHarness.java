package io.meshagent.benchmarks.dataplane;

import io.meshagent.traffic.HttpProtocol;
import io.meshagent.traffic.MeshClient;
import io.meshagent.traffic.MeshHttpRequest;
import io.meshagent.traffic.MeshHttpResponse;
import io.meshagent.traffic.MeshSocket;
import io.netty.handler.ssl.OpenSsl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The side-by-side data-plane load benchmark (issue 5), in one run and one process, every
 * configuration on BoringSSL with the same workload certificates (the dev CA's, ECDSA P-256):
 *
 * <ol>
 *   <li><b>plain TLS</b>: a minimal Netty HTTP/2 client and server over TLS 1.3, no mesh logic
 *       ({@link PlainTls}), their connections tuned as the agent's are; for bulk, a Netty TLS
 *       connection to a sink;
 *   <li><b>agent mTLS</b>: client {@code MeshDataPlane} → server {@code MeshDataPlane.serveHttp},
 *       routed through the outbound listener, route and cluster to a {@code tlsMode: istio}
 *       endpoint; for bulk, {@code MeshClient.connect} → the server's inbound TCP chain → the sink
 *       in process ({@code MeshDataPlane.serveTcp}), the baseline's peer; and once more to the same
 *       sink as a Netty app on loopback ({@code MeshDataPlane.forward}), a sidecar's path;
 *   <li><b>agent HBONE</b>: the same through {@code tunnel: http} endpoints and the server's HBONE
 *       listener.
 * </ol>
 *
 * <p>Measures, in this order: P50/P99 of 1 KiB POSTs echoed back (HTTP/2) at a fixed rate, open
 * loop, latency from each request's <em>intended</em> send time (no coordinated omission);
 * saturation requests/s with a fixed number of outstanding requests (closed loop), and the peak
 * over a sweep of 16, 64 and 256 outstanding (the fixed number can leave a configuration waiting on
 * round trips with CPU to spare); single-stream bulk Gbit/s (one connection, 64 KiB writes, timed
 * to the sink's answer after the last byte, the median of rotating rounds: {@link BulkRounds});
 * process CPU time (client + server + load generator) per request and per GiB; and telemetry's
 * cost, the mTLS path with it on and off in alternating pairs of rounds ({@link
 * TelemetryOverhead}). Then the targets, each met or not. Every server binds to loopback
 * ({@code 127.0.0.x}); every loop is bounded in count and time. The machine is shared and small:
 * read the ratios, not the digits.
 *
 * <p>Run (about three minutes; the reactor builds the modules it needs and installs nothing):
 *
 * <pre>{@code
 * ./mvnw -q -B -pl benchmarks -am -DskipTests -Dexec.skip -Dexec.executable=java \
 *     package exec:exec@dataplane
 * }</pre>
 *
 * <p>The two {@code exec.*} properties make the exec goal a no-op in the other reactor modules; the
 * {@code dataplane} execution sets its own. After {@code ./mvnw -q -B install -DskipTests}, {@code
 * ./mvnw -q -B -pl benchmarks exec:exec@dataplane} is enough. Arguments, through {@code
 * -Ddataplane.args="..."}: {@code [seconds at the fixed rate] [bulk MiB] [rate] [concurrency]},
 * defaults {@code 10 1024 1000 64}. For profiling, run the class with {@code java} and {@code
 * -Ddataplane.only="agent HBONE"} (names separated by {@code ;}) to measure only those
 * configurations; the comparison tables then are not printed.
 */
public final class DataPlaneHarness {
  private static final int BODY = 1024;
  private static final int CHUNK = 64 * 1024;
  private static final int THREADS = 2;
  private static final Duration WARM_UP = Duration.ofSeconds(3);
  private static final int SATURATION_ROUNDS = 5;
  private static final int FIXED_RATE_ROUNDS = 10;
  private static final Duration SATURATION_ROUND = Duration.ofSeconds(1);
  private static final List<Integer> SWEEP = List.of(16, 64, 256);
  private static final int SWEEP_ROUNDS = 3;
  private static final Duration BULK_TIMEOUT = Duration.ofSeconds(30);
  private static final long MIB = 1 << 20;

  private DataPlaneHarness() {}

  /**
   * A configuration; {@code forwarded} is the agent's bulk to the sink as a separate app on
   * loopback (a sidecar's path), or null.
   */
  private record Config(
      String name,
      Supplier<CompletableFuture<Integer>> request,
      BulkRounds.Transfer bulk,
      BulkRounds.@Nullable Transfer forwarded) {}

  /** What one configuration measured. */
  private static final class Result {
    Load.Latency latency =
        new Load.Latency(
            0, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    Load.Saturation saturation = Load.Saturation.NONE;
    // Peak: the best rate over the sweep of outstanding requests, and where it was reached.
    double peakPerSecond;
    int peakOutstanding;
    double peakCpuMicros = Double.NaN;
    double gbits = Double.NaN;
    double cpuMillisPerGib = Double.NaN;
    double forwardedGbits = Double.NaN;
    double forwardedCpuMillisPerGib = Double.NaN;
    String bulkError = "";
  }

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    long bulkBytes = (args.length > 1 ? Long.parseLong(args[1]) : 1024) * MIB;
    int rate = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
    int concurrency = args.length > 3 ? Integer.parseInt(args[3]) : 64;
    if (!OpenSsl.isAvailable()) {
      throw new IllegalStateException("BoringSSL (netty-tcnative) is not available here");
    }
    long wall0 = System.nanoTime();
    Path dir = Files.createTempDirectory("mesh-agent-bench-dataplane");
    byte[] payload = random(BODY, 1);
    byte[] chunk = random(CHUNK, 2);
    ScheduledExecutorService watchdog =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "bulk-watchdog");
              t.setDaemon(true);
              return t;
            });
    try (TwoAgents agents = new TwoAgents(dir, THREADS);
        TwoAgents quiet = new TwoAgents(dir.resolve("quiet"), THREADS, "127.0.0.3", false);
        PlainTls plain =
            new PlainTls(
                agents.serverCertificate(),
                agents.clientCertificate(),
                TwoAgents.SERVER_IP,
                THREADS)) {
      MeshClient client = agents.client();
      List<Config> all =
          List.of(
              new Config(
                  "plain TLS",
                  () -> plain.send(payload),
                  bytes -> plain.bulk(bytes, chunk, BULK_TIMEOUT),
                  null),
              new Config(
                  "agent mTLS",
                  agentRequest(client, TwoAgents.ECHO, payload),
                  new SocketBulk(client, TwoAgents.SINK, chunk, watchdog, BULK_TIMEOUT),
                  new SocketBulk(client, TwoAgents.SINK_FORWARD, chunk, watchdog, BULK_TIMEOUT)),
              new Config(
                  "agent HBONE",
                  agentRequest(client, TwoAgents.ECHO_HBONE, payload),
                  new SocketBulk(client, TwoAgents.SINK_HBONE, chunk, watchdog, BULK_TIMEOUT),
                  new SocketBulk(
                      client, TwoAgents.SINK_FORWARD_HBONE, chunk, watchdog, BULK_TIMEOUT)),
              new Config(
                  "agent mTLS, telemetry off",
                  agentRequest(quiet.client(), TwoAgents.ECHO, payload),
                  new SocketBulk(quiet.client(), TwoAgents.SINK, chunk, watchdog, BULK_TIMEOUT),
                  null));
      // -Ddataplane.only=<name>[;<name>...]: only these configurations (for profiling).
      List<String> only = List.of(System.getProperty("dataplane.only", "").split(";"));
      List<Config> configs =
          all.stream().filter(c -> only.equals(List.of("")) || only.contains(c.name())).toList();
      check(client, payload);
      check(quiet.client(), payload);

      System.out.printf(
          "warm-up: %s closed loop and %d MiB bulk per configuration%n",
          WARM_UP, bulkBytes / 8 / MIB);
      for (Config c : configs) {
        Load.closedLoop(c.request(), concurrency, WARM_UP, Long.MAX_VALUE);
        Load.fixedRate(c.request(), rate, Duration.ofSeconds(2));
        c.bulk().run(bulkBytes / 8);
        if (c.forwarded() != null) {
          c.forwarded().run(bulkBytes / 8);
        }
      }

      long idle0 = Load.cpuNanos();
      Thread.sleep(1000);
      double idleMillis = (Load.cpuNanos() - idle0) / 1e6;

      List<Result> results = new ArrayList<>();
      List<List<Load.Round>> rounds = new ArrayList<>();
      for (int i = 0; i < configs.size(); i++) {
        results.add(new Result());
        rounds.add(new ArrayList<>());
      }
      // Interleaved rounds, each starting with another configuration, so that the shared
      // machine's noise and the JIT's late work fall on all three alike.
      Duration round = Duration.ofMillis(seconds * 1000L / FIXED_RATE_ROUNDS);
      System.out.printf(
          "fixed rate: %,d req/s, %d rounds of %s per configuration%n",
          rate, FIXED_RATE_ROUNDS, round);
      for (int r = 0; r < FIXED_RATE_ROUNDS; r++) {
        for (int k = 0; k < configs.size(); k++) {
          int i = (r + k) % configs.size();
          System.gc();
          rounds.get(i).add(Load.fixedRate(configs.get(i).request(), rate, round));
        }
      }
      for (int i = 0; i < configs.size(); i++) {
        results.get(i).latency = Load.Latency.of(rounds.get(i));
      }
      System.out.printf(
          "saturation: %d outstanding, %d rounds of %s per configuration%n",
          concurrency, SATURATION_ROUNDS, SATURATION_ROUND);
      for (int r = 0; r < SATURATION_ROUNDS; r++) {
        for (int k = 0; k < configs.size(); k++) {
          int i = (r + k) % configs.size();
          System.gc();
          Result res = results.get(i);
          res.saturation =
              res.saturation.plus(
                  Load.closedLoop(
                      configs.get(i).request(), concurrency, SATURATION_ROUND, 10_000_000));
        }
      }
      // Saturation proper: one fixed concurrency can leave a configuration waiting on round trips
      // with CPU to spare (64 outstanding left the baseline at two thirds of two cores), so each
      // configuration's peak over a sweep of concurrencies is reported too.
      System.out.printf(
          "peak: %s outstanding, %d rounds of %s per level and configuration%n",
          SWEEP, SWEEP_ROUNDS, SATURATION_ROUND);
      for (int level : SWEEP) {
        List<Load.Saturation> atLevel = new ArrayList<>();
        for (int i = 0; i < configs.size(); i++) {
          atLevel.add(Load.Saturation.NONE);
        }
        for (int r = 0; r < SWEEP_ROUNDS; r++) {
          for (int k = 0; k < configs.size(); k++) {
            int i = (r + k) % configs.size();
            System.gc();
            atLevel.set(
                i,
                atLevel
                    .get(i)
                    .plus(
                        Load.closedLoop(
                            configs.get(i).request(), level, SATURATION_ROUND, 10_000_000)));
          }
        }
        for (int i = 0; i < configs.size(); i++) {
          Result res = results.get(i);
          Load.Saturation sat = atLevel.get(i);
          if (sat.errors() == 0 && sat.perSecond() > res.peakPerSecond) {
            res.peakPerSecond = sat.perSecond();
            res.peakOutstanding = level;
            res.peakCpuMicros = sat.cpuMicrosPerRequest();
          }
        }
      }
      TelemetryOverhead.Result telemetry = null;
      Config on = named(configs, "agent mTLS");
      Config off = named(configs, "agent mTLS, telemetry off");
      if (on != null && off != null) {
        System.out.printf(
            "telemetry: %d pairs of %s rounds on and off, %d outstanding%n",
            TelemetryOverhead.PAIRS, SATURATION_ROUND, TelemetryOverhead.OUTSTANDING);
        telemetry = TelemetryOverhead.measure(on.request(), off.request());
      }
      List<String> names = new ArrayList<>();
      List<BulkRounds.Transfer> transfers = new ArrayList<>();
      for (Config c : configs) {
        names.add(c.name());
        transfers.add(c.bulk());
        if (c.forwarded() != null) {
          names.add(c.name() + ", forward");
          transfers.add(c.forwarded());
        }
      }
      List<BulkRounds.Measure> bulk = BulkRounds.measure(names, transfers, bulkBytes);
      for (int i = 0, t = 0; i < configs.size(); i++) {
        Result r = results.get(i);
        BulkRounds.Measure m = bulk.get(t++);
        r.gbits = m.gbits();
        r.cpuMillisPerGib = m.cpuMillisPerGib();
        r.bulkError = m.error();
        if (configs.get(i).forwarded() != null) {
          BulkRounds.Measure f = bulk.get(t++);
          r.forwardedGbits = f.gbits();
          r.forwardedCpuMillisPerGib = f.cpuMillisPerGib();
          if (r.bulkError.isEmpty()) {
            r.bulkError = f.error();
          }
        }
      }
      print(configs, results, rate, seconds, concurrency, bulkBytes, idleMillis);
      if (telemetry != null) {
        printTelemetry(
            telemetry, results.get(configs.indexOf(on)), results.get(configs.indexOf(off)), rate);
      }
    } finally {
      watchdog.shutdownNow();
      delete(dir);
    }
    System.out.printf("whole run: %.0f s%n", (System.nanoTime() - wall0) / 1e9);
  }

  private static @Nullable Config named(List<Config> configs, String name) {
    return configs.stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
  }

  /** Issue 7: telemetry's cost, the same mTLS path with it on and off, in this run. */
  private static void printTelemetry(TelemetryOverhead.Result t, Result on, Result off, int rate) {
    System.out.println();
    System.out.printf(
        "| target (issue 7): telemetry overhead ≤ 5 %% | on vs off, median of %d pairs |%n",
        TelemetryOverhead.PAIRS);
    System.out.println("|---|---|");
    System.out.printf(
        "| CPU per request added, %d outstanding | %s |%n",
        TelemetryOverhead.OUTSTANDING,
        verdict(t.cpuPerRequest().median() <= 1.05, t.cpuPerRequest().asPercent()));
    System.out.printf(
        "| CPU µs per request, all pairs: on / off | %.2f / %.2f |%n",
        t.onCpuMicros(), t.offCpuMicros());
    System.out.printf(
        "| req/s lost to telemetry, %d outstanding | %s |%n",
        TelemetryOverhead.OUTSTANDING,
        verdict(t.perSecond().median() >= 0.95, t.perSecond().asLoss()));
    System.out.printf(
        "| P99 at %,d req/s, median round | %+.0f µs |%n",
        rate, on.latency.p99MedianMicros() - off.latency.p99MedianMicros());
  }

  private static Supplier<CompletableFuture<Integer>> agentRequest(
      MeshClient client, String host, byte[] payload) {
    MeshHttpRequest request =
        MeshHttpRequest.builder("POST", host + ":" + TwoAgents.HTTP_PORT, "/echo")
            .protocol(HttpProtocol.HTTP_2)
            .body(payload)
            .build();
    return () -> client.send(request).thenApply(MeshHttpResponse::status);
  }

  /** One request and one small transfer per agent path, checked, before anything is measured. */
  private static void check(MeshClient client, byte[] payload) throws Exception {
    for (String host : List.of(TwoAgents.ECHO, TwoAgents.ECHO_HBONE)) {
      MeshHttpResponse r =
          client
              .send(
                  MeshHttpRequest.builder("POST", host + ":" + TwoAgents.HTTP_PORT, "/echo")
                      .protocol(HttpProtocol.HTTP_2)
                      .body(payload)
                      .build())
              .get(20, TimeUnit.SECONDS);
      if (r.status() != 200 || !Arrays.equals(r.body(), payload)) {
        throw new IllegalStateException(host + ": " + r + " " + r.bodyText());
      }
      System.out.printf(
          "check: %s -> %s %s, peer %s%n", host, r.upstreamCluster(), r.upstreamHost(), r.peer());
    }
    for (String host :
        List.of(
            TwoAgents.SINK,
            TwoAgents.SINK_HBONE,
            TwoAgents.SINK_FORWARD,
            TwoAgents.SINK_FORWARD_HBONE)) {
      try (MeshSocket s = client.connect(host, TwoAgents.port(host)).get(20, TimeUnit.SECONDS)) {
        System.out.printf("check: %s -> %s, peer %s%n", host, s.upstream(), s.peer());
      }
    }
  }

  private static void print(
      List<Config> configs,
      List<Result> results,
      int rate,
      int seconds,
      int concurrency,
      long bulkBytes,
      double idleMillis) {
    Result base = results.get(0);
    System.out.println();
    System.out.printf(
        "BoringSSL, TLS 1.3, ECDSA P-256; %d event-loop threads per side; %d cores; the idle"
            + " process used %.0f ms of CPU per second%n",
        THREADS, Runtime.getRuntime().availableProcessors(), idleMillis);
    StringBuilder head = new StringBuilder("| measure | " + configs.get(0).name() + " |");
    StringBuilder rule = new StringBuilder("|---|---:|");
    for (int i = 1; i < configs.size(); i++) {
      head.append(' ').append(configs.get(i).name()).append(" | × plain |");
      rule.append("---:|---:|");
    }
    System.out.println(head);
    System.out.println(rule);
    row(
        String.format(Locale.ROOT, "P50 µs, 1 KiB at %,d req/s, %d s", rate, seconds),
        results,
        r -> r.latency.p50Micros(),
        "%.0f");
    row(
        String.format(Locale.ROOT, "P99 µs, 1 KiB at %,d req/s", rate),
        results,
        r -> r.latency.p99Micros(),
        "%.0f");
    StringBuilder spread = new StringBuilder("| P99 µs per round: best / median / worst |");
    for (int i = 0; i < results.size(); i++) {
      Load.Latency l = results.get(i).latency;
      spread.append(
          String.format(
              Locale.ROOT,
              " %.0f / %.0f / %.0f |",
              l.p99LowMicros(),
              l.p99MedianMicros(),
              l.p99HighMicros()));
      if (i > 0) {
        spread.append(" |");
      }
    }
    System.out.println(spread);
    row("CPU µs per request at that rate", results, r -> r.latency.cpuMicrosPerRequest(), "%.1f");
    row(
        String.format(
            Locale.ROOT,
            "saturation req/s, %d outstanding, %d s",
            concurrency,
            SATURATION_ROUNDS * SATURATION_ROUND.toSeconds()),
        results,
        r -> r.saturation.perSecond(),
        "%,.0f");
    row(
        "CPU µs per request at saturation",
        results,
        r -> r.saturation.cpuMicrosPerRequest(),
        "%.1f");
    row(
        String.format(Locale.ROOT, "peak req/s over %s outstanding", SWEEP),
        results,
        r -> r.peakPerSecond,
        "%,.0f");
    StringBuilder at = new StringBuilder("| outstanding at the peak; CPU µs per request there |");
    for (int i = 0; i < results.size(); i++) {
      Result r = results.get(i);
      at.append(String.format(Locale.ROOT, " %d; %.1f |", r.peakOutstanding, r.peakCpuMicros));
      if (i > 0) {
        at.append(" |");
      }
    }
    System.out.println(at);
    row(
        String.format(Locale.ROOT, "single-stream bulk Gbit/s, %,d MiB", bulkBytes / MIB),
        results,
        r -> r.gbits,
        "%.2f");
    row("CPU ms per GiB of bulk", results, r -> r.cpuMillisPerGib, "%.0f");
    if (results.stream().anyMatch(r -> !Double.isNaN(r.forwardedGbits))) {
      forwardedRow(
          "the same bulk to the sink as an app on loopback (forward), Gbit/s",
          results,
          r -> r.forwardedGbits,
          r -> r.gbits,
          "%.2f");
      forwardedRow(
          "its CPU ms per GiB",
          results,
          r -> r.forwardedCpuMillisPerGib,
          r -> r.cpuMillisPerGib,
          "%.0f");
    }
    for (int i = 0; i < configs.size(); i++) {
      Result r = results.get(i);
      if (r.latency.errors() > 0 || r.saturation.errors() > 0 || !r.bulkError.isEmpty()) {
        System.out.printf(
            "errors, %s: %d at the fixed rate, %d at saturation%s%n",
            configs.get(i).name(),
            r.latency.errors(),
            r.saturation.errors(),
            r.bulkError.isEmpty() ? "" : "; bulk: " + r.bulkError);
      }
    }

    if (results.size() < 4) {
      return; // a -Ddataplane.only run: no comparison with the baseline
    }
    System.out.println();
    System.out.println("| target (issue 5) | agent mTLS | agent HBONE |");
    System.out.println("|---|---|---|");
    Result mtls = results.get(1);
    Result hbone = results.get(2);
    System.out.printf(
        "| ≤ 50 µs added P99 over plain TLS at %,d req/s, all requests | %s | %s |%n",
        rate,
        added(mtls, base, r -> r.latency.p99Micros()),
        added(hbone, base, r -> r.latency.p99Micros()));
    System.out.printf(
        "| the same, median round (robust to a few noisy rounds) | %s | %s |%n",
        added(mtls, base, r -> r.latency.p99MedianMicros()),
        added(hbone, base, r -> r.latency.p99MedianMicros()));
    System.out.printf(
        "| ≥ 0.9× plain TLS throughput: saturation req/s | %s | %s |%n",
        ratioVerdict(mtls.saturation.perSecond(), base.saturation.perSecond()),
        ratioVerdict(hbone.saturation.perSecond(), base.saturation.perSecond()));
    System.out.printf(
        "| ≥ 0.9× plain TLS throughput: peak req/s over %s outstanding | %s | %s |%n",
        SWEEP,
        ratioVerdict(mtls.peakPerSecond, base.peakPerSecond),
        ratioVerdict(hbone.peakPerSecond, base.peakPerSecond));
    System.out.printf(
        "| ≥ 0.9× plain TLS throughput: single-stream bulk | %s | %s |%n",
        ratioVerdict(mtls.gbits, base.gbits), ratioVerdict(hbone.gbits, base.gbits));
    System.out.printf(
        "| ≥ 5 Gbit/s single-stream HBONE | — | %s |%n",
        verdict(hbone.gbits >= 5, String.format(Locale.ROOT, "%.2f Gbit/s", hbone.gbits)));
  }

  private interface Measure {
    double of(Result r);
  }

  /**
   * A row of the forwarded bulk, each agent's value with its ratio to the baseline's {@code base}
   * (its in-process sink).
   */
  private static void forwardedRow(
      String name, List<Result> results, Measure m, Measure base, String format) {
    StringBuilder line = new StringBuilder("| " + name + " | — |");
    for (int i = 1; i < results.size(); i++) {
      double v = m.of(results.get(i));
      if (Double.isNaN(v)) {
        line.append(" — | |");
      } else {
        double ratio = v / base.of(results.get(0));
        line.append(' ')
            .append(fmt(format, v))
            .append(" | ")
            .append(fmt("%.2f×", ratio))
            .append(" |");
      }
    }
    System.out.println(line);
  }

  private static void row(String name, List<Result> results, Measure m, String format) {
    double base = m.of(results.get(0));
    StringBuilder line = new StringBuilder("| " + name + " | " + fmt(format, base) + " |");
    for (int i = 1; i < results.size(); i++) {
      double v = m.of(results.get(i));
      line.append(' ')
          .append(fmt(format, v))
          .append(" | ")
          .append(String.format(Locale.ROOT, "%.2f×", v / base))
          .append(" |");
    }
    System.out.println(line);
  }

  private static String fmt(String format, double v) {
    return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, format, v);
  }

  private static String added(Result r, Result base, Measure m) {
    double added = m.of(r) - m.of(base);
    return verdict(added <= 50, String.format(Locale.ROOT, "%+.0f µs", added));
  }

  private static String ratioVerdict(double v, double base) {
    return verdict(v >= 0.9 * base, String.format(Locale.ROOT, "%.2f×", v / base));
  }

  private static String verdict(boolean met, String value) {
    return value + (met ? " met" : " **not met**");
  }

  /** Deletes the run's directory (configuration files, the dev CA's key). */
  private static void delete(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }
}
