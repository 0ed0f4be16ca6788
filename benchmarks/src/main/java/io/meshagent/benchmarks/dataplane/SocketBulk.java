package io.meshagent.benchmarks.dataplane;

import io.meshagent.traffic.MeshClient;
import io.meshagent.traffic.MeshSocket;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The agent's bulk transfer: one connection through the mesh to the sink, the 8-byte length, {@code
 * bytes} in the app's writes of {@code chunk}, then the sink's 8-byte answer. A watchdog closes the
 * socket at the deadline, so a stall ends the run with an error instead of hanging it.
 */
final class SocketBulk implements BulkRounds.Transfer {
  private final MeshClient client;
  private final String host;
  private final byte[] chunk;
  private final ScheduledExecutorService watchdog;
  private final Duration timeout;

  SocketBulk(
      MeshClient client,
      String host,
      byte[] chunk,
      ScheduledExecutorService watchdog,
      Duration timeout) {
    this.client = client;
    this.host = host;
    this.chunk = chunk;
    this.watchdog = watchdog;
    this.timeout = timeout;
  }

  @Override
  public long run(long bytes) throws Exception {
    MeshSocket s = client.connect(host, TwoAgents.port(host)).get(20, TimeUnit.SECONDS);
    ScheduledFuture<?> kill =
        watchdog.schedule(s::close, timeout.toMillis(), TimeUnit.MILLISECONDS);
    try {
      long start = System.nanoTime();
      OutputStream out = s.output();
      out.write(ByteBuffer.allocate(Long.BYTES).putLong(bytes).array());
      for (long sent = 0; sent < bytes; ) {
        int n = (int) Math.min(chunk.length, bytes - sent);
        out.write(chunk, 0, n);
        sent += n;
      }
      byte[] answer = new byte[Long.BYTES];
      InputStream in = s.input();
      for (int got = 0; got < answer.length; ) {
        int n = in.read(answer, got, answer.length - got);
        if (n < 0) {
          throw new EOFException(host + ": the sink closed before answering");
        }
        got += n;
      }
      long nanos = System.nanoTime() - start;
      long received = ByteBuffer.wrap(answer).getLong();
      if (received != bytes) {
        throw new IOException(host + ": the sink received " + received + " of " + bytes + " bytes");
      }
      return nanos;
    } finally {
      kill.cancel(false);
      s.close();
    }
  }
}
