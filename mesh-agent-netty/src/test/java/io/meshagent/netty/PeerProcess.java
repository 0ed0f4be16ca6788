package io.meshagent.netty;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.meshagent.MeshAgent;
import io.meshagent.traffic.MeshHttpResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A ratings server agent in a JVM of its own, so that a test can kill it as a crash would: with
 * SIGKILL, no close_notify, no GOAWAY, the kernel resetting its connections. It serves HTTP on
 * service port 9080 ({@code /hang} never answers, and prints {@code HANG} when it arrives), an echo
 * app behind TCP port 9000, and HBONE; it prints {@code READY <http> <tcp> <hbone>} once all are
 * up, and exits by itself when its parent closes its standard input, so a crashed test leaves no
 * process behind.
 */
final class PeerProcess implements AutoCloseable {
  private final Process process;
  private final java.util.concurrent.BlockingQueue<String> lines;
  private final int http;
  private final int tcp;
  private final int hbone;

  private PeerProcess(
      Process process,
      java.util.concurrent.BlockingQueue<String> lines,
      int http,
      int tcp,
      int hbone) {
    this.process = process;
    this.lines = lines;
    this.http = http;
    this.tcp = tcp;
    this.hbone = hbone;
  }

  /** Starts the peer on {@code ip}, its CA (the dev CA's root) and files in {@code dir}. */
  static PeerProcess start(Path dir, String ip) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                java,
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                PeerProcess.class.getName(),
                dir.toString(),
                ip)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    java.util.concurrent.BlockingQueue<String> lines =
        new java.util.concurrent.LinkedBlockingQueue<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                  lines.add(line);
                }
              } catch (IOException e) {
                // the process is gone
              }
            },
            "peer-process-stdout");
    reader.setDaemon(true);
    reader.start();
    try {
      PeerProcess peer = new PeerProcess(p, lines, 0, 0, 0);
      String[] ports = peer.awaitLine("READY ", Duration.ofSeconds(60)).split(" ");
      return new PeerProcess(
          p,
          lines,
          Integer.parseInt(ports[1]),
          Integer.parseInt(ports[2]),
          Integer.parseInt(ports[3]));
    } catch (Exception e) {
      p.destroyForcibly();
      throw new IOException("the peer process did not come up", e);
    }
  }

  /** The next line the peer prints that starts with {@code prefix}, waiting up to {@code wait}. */
  String awaitLine(String prefix, Duration wait) throws InterruptedException {
    long end = System.nanoTime() + wait.toNanos();
    for (long left; (left = end - System.nanoTime()) > 0; ) {
      String line = lines.poll(left, TimeUnit.NANOSECONDS);
      if (line != null && line.startsWith(prefix)) {
        return line;
      }
    }
    throw new IllegalStateException("the peer printed no line starting with " + prefix);
  }

  int httpPort() {
    return http;
  }

  int tcpPort() {
    return tcp;
  }

  int hbonePort() {
    return hbone;
  }

  /** SIGKILL, and waits until the process is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the peer process outlived SIGKILL for 30 s");
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }

  /** The peer itself: {@code <dir> <ip>}. */
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    String ip = args[1];
    Path yaml = dir.resolve("peer.json");
    Files.writeString(yaml, new MeshYaml().render());
    EchoServer echo = new EchoServer();
    MeshAgent agent =
        DataPlaneResilienceTest.agent(
            yaml, "ratings-v1", "ratings", dir.resolve("ca"), Duration.ofHours(1));
    MeshDataPlane plane =
        MeshDataPlane.start(agent, DataPlaneOptions.defaults().withEventLoopThreads(1));
    InetSocketAddress http =
        plane.serveHttp(
            new InetSocketAddress(ip, 0),
            9080,
            (request, context) -> {
              if (request.path().equals("/hang")) {
                System.out.println("HANG " + request.protocol());
                System.out.flush();
                return new CompletableFuture<>();
              }
              return CompletableFuture.completedFuture(
                  new MeshHttpResponse(200, List.of(), request.body()));
            });
    InetSocketAddress tcp = plane.forward(new InetSocketAddress(ip, 0), 9000, echo.address());
    InetSocketAddress hbone = plane.startHbone(new InetSocketAddress(ip, 0));
    System.out.println("READY " + http.getPort() + " " + tcp.getPort() + " " + hbone.getPort());
    System.out.flush();
    // Until the parent goes: its end of the pipe closes when it exits, however it exits.
    while (System.in.read() >= 0) {
      // nothing is sent
    }
    System.exit(0);
  }
}
