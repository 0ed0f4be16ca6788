package io.meshagent.core.internal.grpc;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.Status;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * Sends {@code authorization: Bearer <token>} read from a file, re-read whenever its modification
 * time or size changes, because Kubernetes rotates projected service-account tokens in place. The
 * file is read on a thread of its own: the call's executor is the control context, which must not
 * do I/O.
 */
public final class TokenFileCallCredentials extends CallCredentials {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final Path file;
  private final Executor reader;
  private @Nullable Cached cached;

  /**
   * @param file the token file
   * @param reader where the file is read; an executor that may block
   */
  public TokenFileCallCredentials(Path file, Executor reader) {
    this.file = file;
    this.reader = reader;
  }

  @Override
  public void applyRequestMetadata(
      RequestInfo info, Executor appExecutor, MetadataApplier applier) {
    reader.execute(
        () -> {
          try {
            Metadata headers = new Metadata();
            headers.put(AUTHORIZATION, "Bearer " + token());
            applier.apply(headers);
          } catch (IOException | RuntimeException e) {
            applier.fail(
                Status.UNAUTHENTICATED
                    .withDescription("cannot read the xDS token file " + file + ": " + e)
                    .withCause(e));
          }
        });
  }

  /** The current token, re-read when the file changed. */
  synchronized String token() throws IOException {
    FileTime modified = Files.getLastModifiedTime(file);
    long size = Files.size(file);
    Cached c = cached;
    if (c == null || !c.modified.equals(modified) || c.size != size) {
      String token = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII).trim();
      if (token.isEmpty()) {
        throw new IOException("the token file is empty");
      }
      c = new Cached(modified, size, token);
      cached = c;
    }
    return c.token;
  }

  private record Cached(FileTime modified, long size, String token) {}
}
