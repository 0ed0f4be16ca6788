package io.meshagent.model.endpoint;

/**
 * Region, zone and sub-zone.
 *
 * @param region the region, or empty
 * @param zone the zone, or empty
 * @param subZone the sub-zone, or empty
 */
public record Locality(String region, String zone, String subZone) {
  /** No locality. */
  public static final Locality NONE = new Locality("", "", "");
}
