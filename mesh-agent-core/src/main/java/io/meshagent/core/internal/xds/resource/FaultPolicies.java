package io.meshagent.core.internal.xds.resource;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.meshagent.core.xds.ResourceInvalidException;
import io.meshagent.model.route.FaultPolicy;
import io.meshagent.model.route.HeaderMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Converts {@code envoy.extensions.filters.http.fault.v3.HTTPFault} into {@link FaultPolicy}. */
final class FaultPolicies {
  static final String HTTP_FAULT_TYPE =
      "type.googleapis.com/" + HTTPFault.getDescriptor().getFullName();

  private FaultPolicies() {}

  /**
   * A level's fault override in a {@code typed_per_filter_config} map, or null when it has none and
   * the less specific level applies. A disabled {@code FilterConfig} becomes {@link
   * FaultPolicy#NONE}: as the most specific entry it turns faults off for the route, as in Envoy.
   * An {@code HTTPFault} without delay or abort also injects nothing rather than inheriting: Envoy
   * uses the most specific configuration as a whole.
   */
  static @Nullable FaultPolicy perFilter(Map<String, Any> perFilter, String path)
      throws ResourceInvalidException {
    PerFilterConfigs.Entry e =
        PerFilterConfigs.entry(perFilter, PerFilterConfigs.FAULT_FILTER, path);
    if (e == null) {
      return null;
    }
    if (e.disabled()) {
      return FaultPolicy.NONE;
    }
    Any any = e.config();
    if (any == null) {
      return null;
    }
    return convert(any, e.path());
  }

  /** An {@code HTTPFault} packed in {@code any}. */
  static FaultPolicy convert(Any any, String path) throws ResourceInvalidException {
    if (!any.getTypeUrl().equals(HTTP_FAULT_TYPE)) {
      throw new ResourceInvalidException(
          Paths.at(path, any.getTypeUrl() + " is not supported; supported: " + HTTP_FAULT_TYPE));
    }
    return convert(Anys.unpack(any, HTTPFault.class, path), path);
  }

  /** Converts an {@code HTTPFault}; {@code path} prefixes errors. */
  static FaultPolicy convert(HTTPFault f, String p) throws ResourceInvalidException {
    // Conditions the agent does not evaluate would inject faults into requests they exclude.
    if (f.hasResponseRateLimit()) {
      throw RoutePolicies.unsupported(Paths.field(p, "response_rate_limit"));
    }
    FaultPolicy.Delay delay = null;
    if (f.hasDelay()) {
      var d = f.getDelay();
      String dp = Paths.field(p, "delay");
      if (!d.hasFixedDelay()) {
        throw RoutePolicies.unsupported(
            Paths.field(dp, d.hasHeaderDelay() ? "header_delay" : "fixed_delay"));
      }
      delay =
          new FaultPolicy.Delay(
              Durations.of(d.getFixedDelay(), Paths.field(dp, "fixed_delay")),
              RoutePolicies.perMillion(d.getPercentage(), Paths.field(dp, "percentage")));
    }
    FaultPolicy.Abort abort = null;
    if (f.hasAbort()) {
      var a = f.getAbort();
      String ap = Paths.field(p, "abort");
      int percent = RoutePolicies.perMillion(a.getPercentage(), Paths.field(ap, "percentage"));
      abort =
          switch (a.getErrorTypeCase()) {
            case HTTP_STATUS -> {
              if (a.getHttpStatus() < 200 || a.getHttpStatus() >= 600) {
                throw new ResourceInvalidException(
                    Paths.at(
                        Paths.field(ap, "http_status"),
                        a.getHttpStatus() + " is not in [200, 600)"));
              }
              yield new FaultPolicy.Abort(a.getHttpStatus(), -1, percent);
            }
            case GRPC_STATUS -> new FaultPolicy.Abort(0, a.getGrpcStatus(), percent);
            case HEADER_ABORT -> throw RoutePolicies.unsupported(Paths.field(ap, "header_abort"));
            case ERRORTYPE_NOT_SET ->
                throw new ResourceInvalidException(
                    Paths.at(ap, "no error type (http_status or grpc_status) is set"));
          };
    }
    List<HeaderMatcher> headers = new ArrayList<>(f.getHeadersCount());
    for (int i = 0; i < f.getHeadersCount(); i++) {
      var h = f.getHeaders(i);
      headers.add(Matchers.header(h, Paths.element(p, "headers", i, h.getName())));
    }
    for (int i = 0; i < f.getDownstreamNodesCount(); i++) {
      if (f.getDownstreamNodes(i).isEmpty()) {
        throw new ResourceInvalidException(
            Paths.at(Paths.element(p, "downstream_nodes", i), "must not be empty"));
      }
    }
    Long maxActive =
        f.hasMaxActiveFaults() ? Integer.toUnsignedLong(f.getMaxActiveFaults().getValue()) : null;
    return new FaultPolicy(
        delay, abort, headers, f.getUpstreamCluster(), f.getDownstreamNodesList(), maxActive);
  }
}
