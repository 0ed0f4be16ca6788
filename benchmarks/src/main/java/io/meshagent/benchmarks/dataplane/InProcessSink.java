package io.meshagent.benchmarks.dataplane;

import io.meshagent.traffic.InboundContext;
import io.meshagent.traffic.MeshSocket;
import io.meshagent.traffic.MeshTcpHandler;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * {@link Sink}'s protocol served in process ({@code MeshDataPlane.serveTcp}): reads an 8-byte
 * length {@code n}, then reads and discards {@code n} bytes through the socket's stream, and
 * answers with the count received. Reads what the app would read, into its own array.
 */
final class InProcessSink implements MeshTcpHandler {
  @Override
  public void handle(MeshSocket socket, InboundContext context) throws IOException {
    InputStream in = socket.input();
    byte[] buf = new byte[64 * 1024];
    if (!readFully(in, buf, Long.BYTES)) {
      return; // a connection that only checked the route
    }
    long expected = ByteBuffer.wrap(buf, 0, Long.BYTES).getLong();
    long received = 0;
    while (received < expected) {
      int n = in.read(buf, 0, (int) Math.min(buf.length, expected - received));
      if (n < 0) {
        break; // the client gave up: answer what came
      }
      received += n;
    }
    socket.output().write(ByteBuffer.allocate(Long.BYTES).putLong(received).array());
  }

  /** Reads {@code length} bytes; false if the stream ended before the first. */
  private static boolean readFully(InputStream in, byte[] buf, int length) throws IOException {
    for (int got = 0; got < length; ) {
      int n = in.read(buf, got, length - got);
      if (n < 0 && got == 0) {
        return false;
      }
      if (n < 0) {
        throw new EOFException("the client closed in the middle of the length");
      }
      got += n;
    }
    return true;
  }
}
