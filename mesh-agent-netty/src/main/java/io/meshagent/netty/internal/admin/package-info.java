/**
 * The admin endpoints of an Envoy sidecar, served by the agent: {@code /config_dump} ({@code
 * envoy.admin.v3.ConfigDump} JSON from the protos the control plane sent), {@code /clusters},
 * {@code /certs}, {@code /ready} and {@code /stats/prometheus} on the admin port (Envoy's 15000,
 * loopback by default); and istio-agent's status port (15020) with the merged agent-plus-app
 * Prometheus metrics and {@code /healthz/ready}.
 *
 * <p>Event loops only decode requests and write responses; every response is built on a worker
 * executor from immutable snapshots (the agent's published {@code RawSnapshot}, the identity
 * manager's certificate, the outlier detectors' status), so a 10,000-cluster dump never stalls a
 * loop.
 */
@NullMarked
package io.meshagent.netty.internal.admin;

import org.jspecify.annotations.NullMarked;
