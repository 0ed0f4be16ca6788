package io.meshagent.model.ambient;

/**
 * A service port and the workload port it maps to.
 *
 * @param servicePort the port clients dial
 * @param targetPort the workload's port; 0 means the service port
 */
public record PortMapping(int servicePort, int targetPort) {}
