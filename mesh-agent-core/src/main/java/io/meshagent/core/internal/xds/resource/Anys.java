package io.meshagent.core.internal.xds.resource;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.meshagent.core.xds.ResourceInvalidException;

/** Unpacks {@link Any} with an error that names the field. */
final class Anys {
  private Anys() {}

  static <T extends Message> T unpack(Any any, Class<T> type, String path)
      throws ResourceInvalidException {
    try {
      return any.unpack(type);
    } catch (InvalidProtocolBufferException e) {
      throw new ResourceInvalidException(
          Paths.at(path, "cannot unpack " + any.getTypeUrl() + ": " + e.getMessage()), e);
    }
  }
}
