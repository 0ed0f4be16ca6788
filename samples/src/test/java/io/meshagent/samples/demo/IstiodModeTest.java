package io.meshagent.samples.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code --istiod}: there is no istiod here, so what is checked is how it fails. */
class IstiodModeTest {

  @Test
  @Timeout(30)
  void anUnreachableIstiodFailsWithTheReason(@TempDir Path tokens) throws Exception {
    for (Workload w : Workload.BOOKINFO) {
      Files.writeString(tokens.resolve(w.serviceAccount()), "not-a-real-token");
    }
    DemoOptions options =
        DemoOptions.parse(
            "--config-dir",
            "demo",
            "--istiod",
            "127.0.0.1:1",
            "--token-dir",
            tokens.toString(),
            "--start-timeout",
            "2s");
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    DemoReport report;
    try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8)) {
      report = Demo.run(options, print, print);
    }

    assertThat(report.exitCode()).isEqualTo(1);
    assertThat(report.failures())
        .singleElement()
        .asString()
        .startsWith("productpage-v1: no configuration from 127.0.0.1:1 within 2 s")
        .contains("Is istiod reachable at 127.0.0.1:1");
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("FAILED: productpage-v1");
  }

  @Test
  void istiodNeedsTheWorkloadsTokens() {
    assertThatThrownBy(() -> DemoOptions.parse("--istiod", "istiod.istio-system.svc:15012"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--token-dir");
  }

  @Test
  void aMissingTokenIsNamed(@TempDir Path tokens) {
    DemoOptions options =
        DemoOptions.parse("--istiod", "127.0.0.1:1", "--token-dir", tokens.toString());
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    DemoReport report;
    try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8)) {
      report = Demo.run(options, print, print);
    }

    assertThat(report.failures())
        .singleElement()
        .asString()
        .contains("no token for service account bookinfo-productpage")
        .contains("kubectl create token bookinfo-productpage");
  }
}
