package io.meshagent.core.internal.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import org.jspecify.annotations.Nullable;

/**
 * What identifies one version of a file without reading it: modification time, size and file key
 * (inode) of the file the path resolves to, so an atomic {@code ..data} symlink swap is a change
 * even when time and size happen to match.
 *
 * @param modified modification time, or null when missing
 * @param size size in bytes, or -1 when missing
 * @param fileKey the file system's identity of the file, or null
 */
public record FileStamp(@Nullable FileTime modified, long size, @Nullable Object fileKey) {
  /** A file that could not be read. */
  public static final FileStamp MISSING = new FileStamp(null, -1, null);

  /** The stamp of the file {@code file} resolves to. */
  public static FileStamp of(Path file) throws IOException {
    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
    return new FileStamp(a.lastModifiedTime(), a.size(), a.fileKey());
  }
}
