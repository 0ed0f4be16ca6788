/**
 * The data plane's telemetry: Istio's standard metrics for both reporters, peer metadata exchange,
 * access log lines and trace spans, for each request and TCP connection the data plane carries.
 */
@NullMarked
package io.meshagent.netty.internal.observe;

import org.jspecify.annotations.NullMarked;
