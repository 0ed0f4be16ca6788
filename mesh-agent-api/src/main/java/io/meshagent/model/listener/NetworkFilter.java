package io.meshagent.model.listener;

/** A network filter of a filter chain. */
public sealed interface NetworkFilter
    permits HttpConnectionManager, TcpProxy, NetworkRbac, OpaqueFilter {
  /** The filter's name, for example {@code envoy.filters.network.http_connection_manager}. */
  String name();
}
