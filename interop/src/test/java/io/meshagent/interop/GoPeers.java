package io.meshagent.interop;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Builds the Go peers in {@code interop/go} (our own Go programs over upstream Istio packages from
 * the Go module proxy) and Go tools pinned by their own modules (such as {@code interop/promtool})
 * with the machine's Go toolchain, once per test JVM. A missing toolchain or a failed build fails
 * the test that needs it, with the command's output: never a skip.
 */
public final class GoPeers {
  private static final Path GO_DIR = Path.of(System.getProperty("interop.go.dir", "go"));
  private static final Path BIN_DIR =
      Path.of(System.getProperty("interop.bin.dir", "target/go-bin"));
  private static final long BUILD_MINUTES = 20;

  private GoPeers() {}

  /** The built binary of {@code ./<name>}, building it if needed. */
  public static synchronized Path binary(String name) throws IOException, InterruptedException {
    return build(GO_DIR, "./" + name, name, "Go peer");
  }

  /**
   * The built binary of {@code pkg}, a {@code tool} of the Go module in {@code moduleDir} (whose
   * {@code go.mod} and {@code go.sum} pin its version), building it as {@code name} if needed.
   */
  public static synchronized Path tool(Path moduleDir, String pkg, String name)
      throws IOException, InterruptedException {
    return build(moduleDir, pkg, name, "Go tool");
  }

  private static Path build(Path dir, String target, String name, String what)
      throws IOException, InterruptedException {
    Path out = BIN_DIR.resolve(name).toAbsolutePath();
    if (Files.isExecutable(out)) {
      return out;
    }
    Files.createDirectories(BIN_DIR);
    Result r = run(dir, BUILD_MINUTES, "go", "build", "-o", out.toString(), target);
    if (r.exit != 0 || !Files.isExecutable(out)) {
      throw new IllegalStateException(
          "building the "
              + what
              + " "
              + name
              + " in "
              + dir.toAbsolutePath()
              + " failed (exit "
              + r.exit
              + "); Go >= 1.26 and the Go module proxy are needed:\n"
              + r.output);
    }
    return out;
  }

  /** A finished command. */
  public record Result(int exit, String output) {}

  /** Runs a command to completion within {@code minutes}, output and errors merged. */
  public static Result run(Path dir, long minutes, String... command)
      throws IOException, InterruptedException {
    return execute(dir, minutes, null, command);
  }

  /**
   * Runs a command to completion within {@code minutes} with {@code input} (UTF-8) as its standard
   * input; output and errors merged.
   */
  public static Result runWithInput(Path dir, long minutes, String input, String... command)
      throws IOException, InterruptedException {
    return execute(dir, minutes, input, command);
  }

  private static Result execute(Path dir, long minutes, @Nullable String input, String... command)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(List.of(command)).directory(dir.toFile());
    pb.redirectErrorStream(true);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot run " + command[0] + " (is it installed and on the PATH?): " + e.getMessage(), e);
    }
    List<String> lines = new ArrayList<>();
    Thread reader =
        new Thread(
            () -> {
              try (var in = p.inputReader(StandardCharsets.UTF_8)) {
                in.lines().forEach(lines::add);
              } catch (IOException e) {
                lines.add("(output unreadable: " + e + ")");
              }
            });
    reader.start();
    if (input != null) {
      // Written while the reader drains the output, so a large input cannot deadlock on pipes.
      try (OutputStream stdin = p.getOutputStream()) {
        stdin.write(input.getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        lines.add("(input not fully written: " + e + ")");
      }
    }
    if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      reader.join(5_000);
      return new Result(-1, "timed out after " + minutes + " min\n" + String.join("\n", lines));
    }
    reader.join(5_000);
    return new Result(p.exitValue(), String.join("\n", lines));
  }
}
