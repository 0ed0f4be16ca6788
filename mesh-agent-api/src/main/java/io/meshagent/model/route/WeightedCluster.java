package io.meshagent.model.route;

/**
 * One cluster of a weighted split.
 *
 * @param name the cluster
 * @param weight its weight
 */
public record WeightedCluster(String name, int weight) {}
