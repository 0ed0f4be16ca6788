/** TLS handshake benchmarks. */
@NullMarked
package io.meshagent.benchmarks.tls;

import org.jspecify.annotations.NullMarked;
