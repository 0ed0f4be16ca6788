package io.meshagent.core.internal.config;

import com.google.protobuf.ByteString;
import io.meshagent.snapshot.MeshSnapshot;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A published {@link MeshSnapshot} with the accepted resources as the control plane sent them, for
 * the admin config dump. Immutable; the byte strings are the received ones, shared with nobody that
 * could change them, and the per-type maps are shared between successive snapshots like the
 * snapshot's own.
 */
public final class RawSnapshot {
  static final RawSnapshot EMPTY = new RawSnapshot(MeshSnapshot.empty(), Map.of(), Map.of());

  private final MeshSnapshot snapshot;
  private final Map<String, Map<String, ByteString>> raw;
  private final Map<String, String> typeVersions;

  RawSnapshot(
      MeshSnapshot snapshot,
      Map<String, Map<String, ByteString>> raw,
      Map<String, String> typeVersions) {
    this.snapshot = snapshot;
    this.raw = Map.copyOf(raw);
    this.typeVersions = Map.copyOf(typeVersions);
  }

  /** The snapshot these resources became. */
  public MeshSnapshot snapshot() {
    return snapshot;
  }

  /**
   * The serialized resource (the value of the {@code Any} of type {@code typeUrl}) as received, or
   * null when it is not held.
   */
  public @Nullable ByteString raw(String typeUrl, String name) {
    Map<String, ByteString> byName = raw.get(typeUrl);
    return byName == null ? null : byName.get(name);
  }

  /** The version of the last accepted update of {@code typeUrl}, or empty. */
  public String versionInfo(String typeUrl) {
    return typeVersions.getOrDefault(typeUrl, "");
  }
}
