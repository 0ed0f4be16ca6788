package io.meshagent.core.internal.xds;

import com.google.rpc.Code;
import com.google.rpc.Status;

/** The {@code error_detail} of a NACK. */
final class Nacks {
  /** Envoy truncates its NACK messages too; keeps requests well below gRPC's message limits. */
  private static final int MAX_MESSAGE = 4096;

  private Nacks() {}

  static Status errorDetail(String message) {
    String m = message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) + "…" : message;
    return Status.newBuilder().setCode(Code.INVALID_ARGUMENT_VALUE).setMessage(m).build();
  }
}
