package io.meshagent.samples.demo;

import static java.util.Objects.requireNonNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import org.jspecify.annotations.Nullable;

/**
 * The demo's command line, parsed once. Immutable.
 *
 * @param configDir the directory of the Envoy resource files ({@code samples/demo})
 * @param requests how many productpage requests the load generator sends at most
 * @param maxDuration how long it sends them at most
 * @param seed the seed of the ratings app's failures
 * @param keepRunning keep serving after the report, until Ctrl-C
 * @param accessLog write Istio's access log lines (logger {@code io.meshagent.accesslog})
 * @param istiod istiod's address instead of the files, or null
 * @param istiodSan the name istiod's certificate carries (when dialling a port-forward)
 * @param tokenDir with {@code istiod}: a token per service account, {@code <dir>/<account>}
 * @param rootCert with {@code istiod}: the mesh root certificate, or null for the default
 * @param startTimeout how long each agent may take to get its configuration and identity
 * @param help print the usage and stop
 */
public record DemoOptions(
    Path configDir,
    int requests,
    Duration maxDuration,
    long seed,
    boolean keepRunning,
    boolean accessLog,
    @Nullable String istiod,
    String istiodSan,
    @Nullable Path tokenDir,
    @Nullable Path rootCert,
    Duration startTimeout,
    boolean help) {

  /** The system property the samples' exec configuration sets to {@code samples/demo}. */
  static final String CONFIG_DIR_PROPERTY = "meshagent.demo.dir";

  static final String USAGE =
      """
      usage: Demo [options]
        --requests N        productpage requests to send (default 200)
        --duration D        stop sending after D even if fewer were sent (default 60s; 500ms, 2m)
        --seed N            seed of the ratings app's 503s (default 42)
        --keep-running      keep the services up after the report, until Ctrl-C
        --access-log        log Istio's access log line for every request (SLF4J logger
                            io.meshagent.accesslog; Maven's -q hides it, java does not)
        --config-dir DIR    the Envoy resource files (default samples/demo)
        --istiod HOST:PORT  take configuration and certificates from istiod instead of the files
        --istiod-san NAME   the name in istiod's certificate (default istiod.istio-system.svc)
        --token-dir DIR     with --istiod: DIR/<service-account> holds that account's token
        --root-cert FILE    with --istiod: the mesh root certificate (istio-ca-root-cert)
        --start-timeout D   how long an agent may take to get config and identity
                            (default 10s with the files, 30s with istiod)
      """;

  public DemoOptions {
    requireNonNull(configDir, "configDir");
    requireNonNull(maxDuration, "maxDuration");
    requireNonNull(istiodSan, "istiodSan");
    requireNonNull(startTimeout, "startTimeout");
  }

  /** The defaults: the files in {@code configDir}, 200 requests within 60 s. */
  public static DemoOptions defaults(Path configDir) {
    return new DemoOptions(
        configDir,
        200,
        Duration.ofSeconds(60),
        42,
        false,
        false,
        null,
        "istiod.istio-system.svc",
        null,
        null,
        Duration.ofSeconds(10),
        false);
  }

  /** These options with at most {@code n} requests. */
  public DemoOptions withRequests(int n) {
    return new DemoOptions(
        configDir,
        n,
        maxDuration,
        seed,
        keepRunning,
        accessLog,
        istiod,
        istiodSan,
        tokenDir,
        rootCert,
        startTimeout,
        help);
  }

  /**
   * Parses the command line.
   *
   * @throws IllegalArgumentException naming the option and what it accepts
   */
  public static DemoOptions parse(String... args) {
    String dir = System.getProperty(CONFIG_DIR_PROPERTY);
    Path configDir =
        dir != null
            ? Path.of(dir)
            : Files.isDirectory(Path.of("samples/demo"))
                ? Path.of("samples/demo")
                : Path.of("demo");
    DemoOptions o = defaults(configDir);
    Path config = o.configDir;
    int requests = o.requests;
    Duration duration = o.maxDuration;
    long seed = o.seed;
    boolean keepRunning = false;
    boolean accessLog = false;
    String istiod = null;
    String san = o.istiodSan;
    Path tokenDir = null;
    Path rootCert = null;
    Duration startTimeout = null;
    boolean help = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--requests" -> requests = positive(a, value(args, ++i, a));
        case "--duration" -> duration = duration(a, value(args, ++i, a));
        case "--seed" -> seed = number(a, value(args, ++i, a));
        case "--keep-running" -> keepRunning = true;
        case "--access-log" -> accessLog = true;
        case "--config-dir" -> config = Path.of(value(args, ++i, a));
        case "--istiod" -> istiod = value(args, ++i, a);
        case "--istiod-san" -> san = value(args, ++i, a);
        case "--token-dir" -> tokenDir = Path.of(value(args, ++i, a));
        case "--root-cert" -> rootCert = Path.of(value(args, ++i, a));
        case "--start-timeout" -> startTimeout = duration(a, value(args, ++i, a));
        case "-h", "--help" -> help = true;
        default -> throw new IllegalArgumentException("unknown option '" + a + "'");
      }
    }
    if (istiod == null && (tokenDir != null || rootCert != null)) {
      throw new IllegalArgumentException("--token-dir and --root-cert go with --istiod");
    }
    if (istiod != null && tokenDir == null) {
      throw new IllegalArgumentException(
          "--istiod needs --token-dir: istiod authenticates each workload by its service account"
              + " token (kubectl create token <account> --audience istio-ca)");
    }
    if (startTimeout == null) {
      startTimeout = Duration.ofSeconds(istiod == null ? 10 : 30);
    }
    return new DemoOptions(
        config,
        requests,
        duration,
        seed,
        keepRunning,
        accessLog,
        istiod,
        san,
        tokenDir,
        rootCert,
        startTimeout,
        help);
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  private static long number(String option, String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " takes a number, not '" + value + "'");
    }
  }

  private static int positive(String option, String value) {
    long n = number(option, value);
    if (n < 1 || n > 1_000_000) {
      throw new IllegalArgumentException(option + " takes 1 to 1000000, not " + value);
    }
    return (int) n;
  }

  /** {@code 500ms}, {@code 30s}, {@code 2m} or ISO-8601 ({@code PT30S}). */
  static Duration duration(String option, String value) {
    try {
      Duration d;
      if (value.endsWith("ms")) {
        d = Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
      } else if (value.endsWith("s")) {
        d = Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1)));
      } else if (value.endsWith("m")) {
        d = Duration.ofMinutes(Long.parseLong(value.substring(0, value.length() - 1)));
      } else {
        d = Duration.parse(value);
      }
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(option + " must be positive, not " + value);
      }
      return d;
    } catch (NumberFormatException | DateTimeParseException e) {
      throw new IllegalArgumentException(
          option + " takes a duration like 500ms, 30s, 2m or PT30S, not '" + value + "'");
    }
  }
}
