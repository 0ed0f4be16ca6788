package io.meshagent.traffic;

import io.meshagent.identity.SpiffeId;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.jspecify.annotations.Nullable;

/**
 * A TCP connection through the mesh, as blocking streams: one the app opened ({@link
 * MeshClient#connect}) or one it serves ({@link MeshTcpHandler}). Reading waits for data (the agent
 * reads from the network only as fast as the stream is read); writing returns once the agent has
 * taken the bytes, and waits while several writes' worth are still on their way (the network's
 * back-pressure). Do not call these from an event loop.
 */
public interface MeshSocket extends Closeable {

  /** Bytes from the destination; ends (-1) when the destination half-closed. */
  InputStream input();

  /** Bytes to the destination. Closing it half-closes the connection ({@link #shutdownOutput}). */
  OutputStream output();

  /** Half-closes: the destination reads EOF after the bytes written before; reading goes on. */
  void shutdownOutput() throws IOException;

  /** The other end's SPIFFE identity as verified, or null over plaintext. */
  @Nullable SpiffeId peer();

  /**
   * Names the connection (errors use it): for one the app opened, the cluster and endpoint it went
   * to ({@code cluster / ip:port}); for one it serves, {@code inbound|port|| / caller-ip:port}.
   */
  String upstream();

  /**
   * Closes both directions: reading ends at once, and what was written before is still sent (for up
   * to 10 s when the other end does not read), as a socket's close sends what the kernel holds.
   */
  @Override
  void close();
}
