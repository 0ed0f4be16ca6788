/** Data-plane load: plain Netty HTTP/2 over TLS vs the agent over Istio mTLS and over HBONE. */
@NullMarked
package io.meshagent.benchmarks.dataplane;

import org.jspecify.annotations.NullMarked;
