package io.meshagent.core.internal.lb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Reference vectors of XXH64 (the xxHash project's and python-xxhash's). */
class XxHash64Test {
  static Stream<Arguments> vectors() {
    return Stream.of(
        Arguments.of("", 0L, 0xEF46DB3751D8E999L),
        Arguments.of("a", 0L, 0xD24EC4F1A98C6E5BL),
        Arguments.of("abc", 0L, 0x44BC2CF5AD770999L),
        Arguments.of("Nobody inspects the spammish repetition", 0L, 0xFBCEA83C8A378BF1L));
  }

  @ParameterizedTest(name = "\"{0}\" seed {1}")
  @MethodSource("vectors")
  void matchesReferenceVectors(String input, long seed, long expected) {
    assertThat(XxHash64.hash(input, seed)).isEqualTo(expected);
  }
}
