package io.meshagent.samples.demo;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** Checks, before anything starts, that every address the demo binds is free. */
final class Ports {
  private Ports() {}

  /**
   * @throws DemoException naming each address that cannot be bound, and what to do about it
   */
  static void checkFree(List<Workload> workloads, List<Integer> ports) throws DemoException {
    List<String> problems = new ArrayList<>();
    for (Workload w : workloads) {
      for (int port : ports) {
        String problem = tryBind(w.ip(), port);
        if (problem != null) {
          problems.add(w.name() + ": " + problem);
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new DemoException(
          "the demo binds fixed loopback addresses, and these are not available:\n  "
              + String.join("\n  ", problems));
    }
  }

  private static @org.jspecify.annotations.Nullable String tryBind(String ip, int port) {
    try (ServerSocket s = new ServerSocket()) {
      // As the JDK and Netty bind servers: connections in TIME_WAIT do not block a restart.
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getByName(ip), port));
      return null;
    } catch (BindException e) {
      String why = String.valueOf(e.getMessage());
      if (why.contains("in use")) {
        return ip
            + ":"
            + port
            + " is in use (another demo still running? `ss -ltnp 'sport = :"
            + port
            + "'` shows who has it)";
      }
      return "cannot bind "
          + ip
          + ":"
          + port
          + " ("
          + why
          + "); Linux routes all of 127.0.0.0/8 to loopback, macOS only 127.0.0.1 unless told:"
          + " sudo ifconfig lo0 alias "
          + ip
          + " up";
    } catch (IOException e) {
      return "cannot bind " + ip + ":" + port + ": " + e.getMessage();
    }
  }
}
