package io.meshagent;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What the agent knows about its control-plane connection, for health checks and diagnostics.
 *
 * @param source the configured source, for example {@code istiod.istio-system.svc:15012} or {@code
 *     file:/etc/mesh/config.yaml}
 * @param connected whether a stream is open and has received at least one response
 * @param lastConnected when a stream last received its first response, or null if never
 * @param lastError the last stream failure or rejected update, or null if none
 * @param lastErrorAt when {@code lastError} happened
 * @param rejectedUpdates how many responses were NACKed since start
 */
public record ControlPlaneStatus(
    String source,
    boolean connected,
    @Nullable Instant lastConnected,
    @Nullable String lastError,
    @Nullable Instant lastErrorAt,
    long rejectedUpdates) {}
