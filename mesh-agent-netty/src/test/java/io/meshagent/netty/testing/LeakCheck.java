package io.meshagent.netty.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.reflect.Field;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Turns Netty's leak reports (paranoid in tests) into test failures: a listener on the byte-buffer
 * leak detector records every leak, and {@link #leaks()} collects garbage first so that buffers
 * dropped without a release are reported.
 */
public final class LeakCheck {
  private static final List<String> leaks = new CopyOnWriteArrayList<>();
  private static boolean installed;

  private LeakCheck() {}

  public static synchronized void install() throws ReflectiveOperationException {
    if (installed) {
      return;
    }
    installed = true;
    Field f = Class.forName("io.netty.buffer.AbstractByteBuf").getDeclaredField("leakDetector");
    f.setAccessible(true);
    ResourceLeakDetector<?> detector = (ResourceLeakDetector<?>) f.get(null);
    detector.setLeakListener((type, records) -> leaks.add(type + ": " + records));
  }

  /**
   * Leaks reported since the last call, after a few rounds of GC and allocation (which trigger
   * reporting).
   */
  public static List<String> leaks() {
    for (int i = 0; i < 3; i++) {
      System.gc();
      for (int j = 0; j < 100; j++) {
        ByteBuf b = ByteBufAllocator.DEFAULT.buffer(16);
        b.release();
      }
    }
    List<String> found = List.copyOf(leaks);
    leaks.removeAll(found); // each leak fails one test: the one it surfaced in
    return found;
  }
}
