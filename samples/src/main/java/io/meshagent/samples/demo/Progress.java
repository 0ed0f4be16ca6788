package io.meshagent.samples.demo;

import java.io.PrintStream;

/**
 * A progress indicator that reads well in a terminal and in a log: on a terminal a bar redrawn in
 * place; otherwise a character per request ({@code .} ok, {@code x} failed), 50 to a line, each
 * line ending with the count so far.
 */
final class Progress {
  private static final int WIDTH = 40;
  private static final int PER_LINE = 50;

  private final PrintStream out;
  private final int total;
  private final boolean terminal;
  private int done;
  private int failed;

  Progress(PrintStream out, int total, boolean terminal) {
    this.out = out;
    this.total = total;
    this.terminal = terminal;
  }

  /** A terminal when the JVM has a console (not when its output is piped or captured). */
  static boolean onTerminal() {
    return System.console() != null;
  }

  void tick(boolean ok) {
    done++;
    if (!ok) {
      failed++;
    }
    if (terminal) {
      int filled = (int) ((long) WIDTH * done / total);
      out.print(
          "\r  ["
              + "#".repeat(filled)
              + " ".repeat(WIDTH - filled)
              + "] "
              + done
              + "/"
              + total
              + (failed > 0 ? "  " + failed + " failed" : ""));
    } else {
      out.print(ok ? '.' : 'x');
      if (done % PER_LINE == 0) {
        out.println(" " + done + "/" + total);
      }
    }
    out.flush();
  }

  /** Ends the indicator's line. */
  void finish(String why) {
    if (terminal || done % PER_LINE != 0) {
      out.println(terminal ? "" : " " + done + "/" + total);
    }
    if (!why.isEmpty()) {
      out.println("  " + why);
    }
    out.flush();
  }
}
