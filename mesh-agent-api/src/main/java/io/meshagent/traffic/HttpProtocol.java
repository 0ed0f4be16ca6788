package io.meshagent.traffic;

/** The HTTP version a request is sent with to the next hop. */
public enum HttpProtocol {
  /** HTTP/1.1, one request at a time per pooled connection. */
  HTTP_1_1,
  /** HTTP/2, requests multiplexed on one connection per endpoint. */
  HTTP_2
}
