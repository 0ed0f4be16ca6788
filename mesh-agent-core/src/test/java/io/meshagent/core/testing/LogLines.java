package io.meshagent.core.testing;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * The log lines written while it is open. The tests log through slf4j-simple, which writes to
 * whatever {@link System#err} is at each line, so the lines are teed off stderr (and still shown
 * there). Tests in one JVM run one at a time, so one capture at a time is enough.
 */
public final class LogLines implements AutoCloseable {
  private final PrintStream original;
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

  private LogLines() {
    original = System.err;
    OutputStream tee =
        new OutputStream() {
          @Override
          public void write(int b) {
            original.write(b);
            synchronized (captured) {
              captured.write(b);
            }
          }

          @Override
          public void write(byte[] b, int off, int len) {
            original.write(b, off, len);
            synchronized (captured) {
              captured.write(b, off, len);
            }
          }
        };
    System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
  }

  /** Starts capturing; close to stop. */
  public static LogLines capture() {
    return new LogLines();
  }

  /** The lines so far. */
  public List<String> lines() {
    String text;
    synchronized (captured) {
      text = captured.toString(StandardCharsets.UTF_8);
    }
    return text.lines().toList();
  }

  /** Waits up to 10 s for a line that matches, and returns it. */
  public String awaitLine(Predicate<String> line) {
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> lines().stream().anyMatch(line));
    return lines().stream().filter(line).findFirst().orElseThrow();
  }

  /** Waits for a line holding every one of {@code parts}, and returns it. */
  public String awaitLineWith(String... parts) {
    return awaitLine(l -> List.of(parts).stream().allMatch(l::contains));
  }

  @Override
  public void close() {
    System.setErr(original);
  }
}
