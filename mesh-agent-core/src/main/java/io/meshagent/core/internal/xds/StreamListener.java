package io.meshagent.core.internal.xds;

import io.grpc.Status;

/** Events of one {@link AdsStream}, delivered on the control context. */
interface StreamListener {
  /** A response arrived. */
  void onResponse(AdsStream stream, ResponseEvent response);

  /** The stream ended, cleanly or not. */
  void onClosed(AdsStream stream, Status status);
}
