package io.meshagent.traffic;

import io.meshagent.identity.SpiffeId;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.jspecify.annotations.Nullable;

/**
 * A TCP connection through the mesh, as blocking streams. Reading waits for data (the agent reads
 * from the network only as fast as the stream is read); writing waits until the bytes are handed to
 * the network. Do not call these from an event loop.
 */
public interface MeshSocket extends Closeable {

  /** Bytes from the destination; ends (-1) when the destination half-closed. */
  InputStream input();

  /** Bytes to the destination. Closing it half-closes the connection ({@link #shutdownOutput}). */
  OutputStream output();

  /** Half-closes: the destination reads EOF after the bytes written before; reading goes on. */
  void shutdownOutput() throws IOException;

  /** The destination's SPIFFE identity as verified, or null over plaintext. */
  @Nullable SpiffeId peer();

  /** The cluster and endpoint ({@code cluster / ip:port}) this connection went to. */
  String upstream();

  /** Closes both directions at once. */
  @Override
  void close();
}
