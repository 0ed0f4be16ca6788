package io.meshagent.netty.internal.outbound;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;

/**
 * The DATA frames of one HTTP/2 message, gathered up to a limit without copying until the end. One
 * stream's handler owns it; whoever ends the stream early calls {@link #release}.
 */
public final class BodyBuffer {
  private static final byte[] EMPTY = new byte[0];

  private static final int MAX_PIECES = 1024;

  private final int max;
  private ByteBuf body = Unpooled.EMPTY_BUFFER;
  private int length;

  public BodyBuffer(int max) {
    this.max = max;
  }

  /**
   * Adds a frame's content (retained here; the caller still releases its frame).
   *
   * @return false, keeping nothing more, when the body would exceed the limit
   */
  public boolean add(ByteBuf content) {
    int n = content.readableBytes();
    if (n == 0) {
      return true;
    }
    if ((long) length + n > max) {
      return false;
    }
    length += n;
    if (body == Unpooled.EMPTY_BUFFER) {
      body = content.retainedSlice();
    } else if (body instanceof CompositeByteBuf c) {
      c.addComponent(true, content.retainedSlice());
    } else {
      // As many pieces as Netty's aggregator allowed: fewer made the composite copy itself
      // together again every few frames of a large body.
      CompositeByteBuf c = content.alloc().compositeBuffer(MAX_PIECES);
      c.addComponent(true, body);
      c.addComponent(true, content.retainedSlice());
      body = c;
    }
    return true;
  }

  /** The body, copied out; the buffers are released. */
  public byte[] take() {
    byte[] bytes = length == 0 ? EMPTY : ByteBufUtil.getBytes(body);
    release();
    return bytes;
  }

  /** Releases what was gathered; idempotent. */
  public void release() {
    if (body != Unpooled.EMPTY_BUFFER) {
      body.release();
      body = Unpooled.EMPTY_BUFFER;
    }
    length = 0;
  }
}
