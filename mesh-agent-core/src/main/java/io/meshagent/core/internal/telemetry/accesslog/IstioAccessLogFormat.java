package io.meshagent.core.internal.telemetry.accesslog;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.jspecify.annotations.Nullable;

/**
 * Istio's default access-log line, Envoy's text format as istiod configures it (istio/istio {@code
 * pilot/pkg/model/telemetry_logging.go} {@code EnvoyTextLogFormat}):
 *
 * <pre>
 * [%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE%
 * %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS%
 * "%UPSTREAM_TRANSPORT_FAILURE_REASON%" %BYTES_RECEIVED% %BYTES_SENT% %DURATION%
 * %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%"
 * "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%" %UPSTREAM_CLUSTER_RAW%
 * %UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS%
 * %REQUESTED_SERVER_NAME% %ROUTE_NAME%
 * </pre>
 *
 * (one line; without the trailing newline, which the logger adds). As in Envoy, a missing value is
 * {@code -}, the start time is UTC with milliseconds, and whitespace in the two details fields
 * becomes {@code _} so that unquoted fields stay one token each.
 */
public final class IstioAccessLogFormat {
  private static final DateTimeFormatter START_TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private IstioAccessLogFormat() {}

  /** The line for {@code e}. */
  public static String format(AccessLogEntry e) {
    StringBuilder b = new StringBuilder(320);
    b.append('[');
    START_TIME.formatTo(e.startTime(), b);
    b.append("] \"");
    field(b, e.method()).append(' ');
    field(b, e.path()).append(' ');
    field(b, e.protocol()).append("\" ");
    b.append(e.responseCode()).append(' ');
    field(b, emptyIsNone(e.responseFlags())).append(' ');
    token(b, e.responseCodeDetails()).append(' ');
    token(b, e.connectionTerminationDetails()).append(" \"");
    field(b, e.upstreamTransportFailureReason()).append("\" ");
    b.append(e.bytesReceived()).append(' ');
    b.append(e.bytesSent()).append(' ');
    number(b, e.durationMillis()).append(' ');
    number(b, e.upstreamServiceTimeMillis()).append(" \"");
    field(b, e.forwardedFor()).append("\" \"");
    field(b, e.userAgent()).append("\" \"");
    field(b, e.requestId()).append("\" \"");
    field(b, e.authority()).append("\" \"");
    field(b, e.upstreamHost()).append("\" ");
    field(b, e.upstreamCluster()).append(' ');
    field(b, e.upstreamLocalAddress()).append(' ');
    field(b, e.downstreamLocalAddress()).append(' ');
    field(b, e.downstreamRemoteAddress()).append(' ');
    field(b, e.requestedServerName()).append(' ');
    field(b, e.routeName());
    return b.toString();
  }

  private static @Nullable String emptyIsNone(@Nullable String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private static StringBuilder number(StringBuilder b, @Nullable Long n) {
    return n == null ? b.append('-') : b.append(n.longValue());
  }

  /**
   * A value, or {@code -}. Control characters become {@code ?}: a header value must not start a
   * second log line (the transport rejects CR and LF in headers, but this is the last line of
   * defence).
   */
  private static StringBuilder field(StringBuilder b, @Nullable String s) {
    if (s == null || s.isEmpty()) {
      return b.append('-');
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return b;
  }

  /** An unquoted value that must stay one token: whitespace becomes {@code _}, as in Envoy. */
  private static StringBuilder token(StringBuilder b, @Nullable String s) {
    if (s == null || s.isEmpty()) {
      return b.append('-');
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(c == ' ' || c == '\t' ? '_' : c < 0x20 || c == 0x7f ? '?' : c);
    }
    return b;
  }
}
