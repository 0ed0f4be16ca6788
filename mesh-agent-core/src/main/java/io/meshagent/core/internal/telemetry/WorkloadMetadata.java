package io.meshagent.core.internal.telemetry;

import static java.util.Objects.requireNonNull;

import io.meshagent.identity.SpiffeId;
import org.jspecify.annotations.Nullable;

/**
 * Who one side of a request or connection is, as Istio's telemetry knows a workload (istio/proxy
 * {@code WorkloadMetadataObject}). Immutable; an empty string means "not known", which metrics
 * report as {@code unknown}.
 *
 * @param name the instance (pod) name
 * @param namespace the workload's namespace
 * @param workload the workload name (the deployment, for a pod of one)
 * @param workloadType the kind of controller {@link #workload} is
 * @param canonicalService {@code service.istio.io/canonical-name}
 * @param canonicalRevision {@code service.istio.io/canonical-revision}
 * @param app the app label ({@code app.kubernetes.io/name}, else {@code app})
 * @param version the version label ({@code app.kubernetes.io/version}, else {@code version})
 * @param cluster the cluster id ({@code CLUSTER_ID})
 * @param principal the SPIFFE id as a URI, {@code spiffe://<td>/ns/<ns>/sa/<sa>}: the form Istio's
 *     {@code source_principal} / {@code destination_principal} labels carry
 * @param region the locality region
 * @param zone the locality zone
 */
public record WorkloadMetadata(
    String name,
    String namespace,
    String workload,
    WorkloadType workloadType,
    String canonicalService,
    String canonicalRevision,
    String app,
    String version,
    String cluster,
    String principal,
    String region,
    String zone) {

  /** Nothing known: what a request without peer metadata is labelled from. */
  public static final WorkloadMetadata UNKNOWN = builder().build();

  public WorkloadMetadata {
    requireNonNull(name, "name");
    requireNonNull(namespace, "namespace");
    requireNonNull(workload, "workload");
    requireNonNull(workloadType, "workloadType");
    requireNonNull(canonicalService, "canonicalService");
    requireNonNull(canonicalRevision, "canonicalRevision");
    requireNonNull(app, "app");
    requireNonNull(version, "version");
    requireNonNull(cluster, "cluster");
    requireNonNull(principal, "principal");
    requireNonNull(region, "region");
    requireNonNull(zone, "zone");
  }

  /**
   * This workload with the identity its verified certificate proves. The certificate outranks what
   * a peer claims in headers, so its namespace replaces the claimed one, as Istio's stats filter
   * prefers the namespace in the peer's SAN.
   */
  public WorkloadMetadata withPrincipal(SpiffeId id) {
    requireNonNull(id, "id");
    @Nullable String ns = id.namespace();
    return toBuilder().principal(id.toString()).namespace(ns != null ? ns : namespace).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder()
        .name(name)
        .namespace(namespace)
        .workload(workload)
        .workloadType(workloadType)
        .canonicalService(canonicalService)
        .canonicalRevision(canonicalRevision)
        .app(app)
        .version(version)
        .cluster(cluster)
        .principal(principal)
        .region(region)
        .zone(zone);
  }

  /** Builds a {@link WorkloadMetadata}; every field defaults to empty (not known). */
  public static final class Builder {
    private String name = "";
    private String namespace = "";
    private String workload = "";
    private WorkloadType workloadType = WorkloadType.UNKNOWN;
    private String canonicalService = "";
    private String canonicalRevision = "";
    private String app = "";
    private String version = "";
    private String cluster = "";
    private String principal = "";
    private String region = "";
    private String zone = "";

    Builder() {}

    public Builder name(String name) {
      this.name = requireNonNull(name, "name");
      return this;
    }

    public Builder namespace(String namespace) {
      this.namespace = requireNonNull(namespace, "namespace");
      return this;
    }

    public Builder workload(String workload) {
      this.workload = requireNonNull(workload, "workload");
      return this;
    }

    public Builder workloadType(WorkloadType workloadType) {
      this.workloadType = requireNonNull(workloadType, "workloadType");
      return this;
    }

    public Builder canonicalService(String canonicalService) {
      this.canonicalService = requireNonNull(canonicalService, "canonicalService");
      return this;
    }

    public Builder canonicalRevision(String canonicalRevision) {
      this.canonicalRevision = requireNonNull(canonicalRevision, "canonicalRevision");
      return this;
    }

    public Builder app(String app) {
      this.app = requireNonNull(app, "app");
      return this;
    }

    public Builder version(String version) {
      this.version = requireNonNull(version, "version");
      return this;
    }

    public Builder cluster(String cluster) {
      this.cluster = requireNonNull(cluster, "cluster");
      return this;
    }

    public Builder principal(String principal) {
      this.principal = requireNonNull(principal, "principal");
      return this;
    }

    public Builder region(String region) {
      this.region = requireNonNull(region, "region");
      return this;
    }

    public Builder zone(String zone) {
      this.zone = requireNonNull(zone, "zone");
      return this;
    }

    public WorkloadMetadata build() {
      return new WorkloadMetadata(
          name,
          namespace,
          workload,
          workloadType,
          canonicalService,
          canonicalRevision,
          app,
          version,
          cluster,
          principal,
          region,
          zone);
    }
  }
}
