/**
 * Internal: Envoy's outlier detection as a per-cluster state machine fed by the results the data
 * plane reports ({@link io.meshagent.core.internal.outlier.OutlierDetector}), publishing the
 * ejected endpoints as an immutable snapshot the load balancer reads without locks. Not API; it
 * changes without notice.
 */
@NullMarked
package io.meshagent.core.internal.outlier;

import org.jspecify.annotations.NullMarked;
