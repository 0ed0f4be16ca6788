/** xDS ingestion benchmarks: full pushes, single changes, retained heap. */
@NullMarked
package io.meshagent.benchmarks.xds;

import org.jspecify.annotations.NullMarked;
