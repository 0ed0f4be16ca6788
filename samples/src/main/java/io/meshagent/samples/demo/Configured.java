package io.meshagent.samples.demo;

import io.meshagent.model.route.FaultPolicy;
import io.meshagent.model.route.RetryPolicy;
import io.meshagent.model.route.Route;
import io.meshagent.model.route.RouteAction;
import io.meshagent.model.route.RouteConfiguration;
import io.meshagent.model.route.VirtualHost;
import io.meshagent.model.route.WeightedCluster;
import io.meshagent.snapshot.MeshSnapshot;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What the agents were told to do, read back from the configuration they accepted (so the report
 * compares the traffic with the configuration in force, whether it came from the files or istiod).
 *
 * @param split the reviews workloads productpage's route splits traffic over, with their weights in
 *     percent; empty when the route does not split
 * @param faultPerMillion the share of reviews' calls to ratings the route aborts, or 0
 * @param faultStatus the status of those aborts, or 0
 * @param ratingsRetry the retry policy of reviews' route to ratings, or null
 */
record Configured(
    Map<Workload, Double> split,
    int faultPerMillion,
    int faultStatus,
    @Nullable RetryPolicy ratingsRetry) {

  static Configured read(@Nullable MeshSnapshot productpage, @Nullable MeshSnapshot reviews) {
    Map<Workload, Double> split = new LinkedHashMap<>();
    Route toReviews = productpage == null ? null : route(productpage, "reviews");
    if (toReviews != null && toReviews.action() instanceof RouteAction.Forward f) {
      long total = f.weightedClusters().stream().mapToLong(WeightedCluster::weight).sum();
      for (WeightedCluster c : f.weightedClusters()) {
        Workload w = reviewsSubset(c.name());
        if (w != null && total > 0) {
          split.put(w, 100.0 * c.weight() / total);
        }
      }
    }
    Route toRatings = reviews == null ? null : route(reviews, "ratings");
    FaultPolicy fault = toRatings == null ? null : toRatings.fault();
    FaultPolicy.Abort abort = fault == null ? null : fault.abort();
    RetryPolicy retry =
        toRatings != null && toRatings.action() instanceof RouteAction.Forward f
            ? f.retryPolicy()
            : null;
    return new Configured(
        split,
        abort == null ? 0 : abort.perMillion(),
        abort == null ? 0 : abort.httpStatus(),
        retry);
  }

  /**
   * The route a request to {@code service:9080} takes: the first route of the virtual host for it
   * (the demo's routes match every path).
   */
  private static @Nullable Route route(MeshSnapshot s, String service) {
    for (RouteConfiguration rc : s.routeConfigurations().values()) {
      for (VirtualHost vh : rc.virtualHosts()) {
        if (vh.domains().contains(service + ":" + Workload.SERVICE_PORT)
            && !vh.routes().isEmpty()) {
          return vh.routes().get(0);
        }
      }
    }
    return null;
  }

  /** {@code outbound|9080|v2|reviews.default.svc.cluster.local} → reviews-v2. */
  private static @Nullable Workload reviewsSubset(String cluster) {
    String[] parts = cluster.split("\\|", -1);
    if (parts.length != 4 || !parts[3].startsWith("reviews.")) {
      return null;
    }
    for (Workload w : Workload.BOOKINFO) {
      if (w.app().equals("reviews") && w.version().equals(parts[2])) {
        return w;
      }
    }
    return null;
  }
}
