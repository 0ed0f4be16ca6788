package io.meshagent.model.ambient;

/**
 * A waypoint or network gateway: by host name ({@code namespace/hostname}) or by address.
 *
 * @param hostname {@code <namespace>/<hostname>}, or empty
 * @param address {@code <network>/<ip>}, or empty
 * @param hboneMtlsPort the gateway's HBONE port (15008)
 */
public record GatewayRef(String hostname, String address, int hboneMtlsPort) {}
