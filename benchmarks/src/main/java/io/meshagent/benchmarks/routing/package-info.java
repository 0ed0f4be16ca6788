/** JMH benchmarks of route decisions and endpoint picks. */
@NullMarked
package io.meshagent.benchmarks.routing;

import org.jspecify.annotations.NullMarked;
