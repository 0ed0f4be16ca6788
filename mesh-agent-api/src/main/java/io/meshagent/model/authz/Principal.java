package io.meshagent.model.authz;

import static java.util.Objects.requireNonNull;

import io.meshagent.model.StringMatcher;
import io.meshagent.model.listener.CidrRange;
import io.meshagent.model.route.HeaderMatcher;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Envoy's {@code config.rbac.v3.Principal}: who sends a request. The kinds are those istiod emits;
 * anything else is refused when the configuration is parsed.
 *
 * <p>{@link Header}, {@link UrlPath} and {@link Metadata} need an HTTP request.
 */
public sealed interface Principal {

  /** All of {@code ids} match ({@code and_ids}). */
  record And(List<Principal> ids) implements Principal {
    public And {
      ids = List.copyOf(ids);
    }
  }

  /** Any of {@code ids} matches ({@code or_ids}). */
  record Or(List<Principal> ids) implements Principal {
    public Or {
      ids = List.copyOf(ids);
    }
  }

  /** {@code id} does not match ({@code not_id}). */
  record Not(Principal id) implements Principal {
    public Not {
      requireNonNull(id, "id");
    }
  }

  /** Always matches ({@code any: true}). */
  record Any() implements Principal {}

  /**
   * The peer is authenticated by mTLS and, when {@code principalName} is set, its URI SAN (for
   * Istio {@code spiffe://<td>/ns/<ns>/sa/<sa>}) matches it ({@code authenticated}). istiod emits
   * {@code source.principals} as exact / prefix / suffix forms with {@code spiffe://} prepended,
   * {@code *} as the regex {@code .+}, and {@code source.namespaces} as the regex {@code .*}{@code
   * /ns/<ns>/.*}. A connection without a peer identity never matches, so a {@link Not} of it does.
   *
   * @param principalName the matcher, or null for any authenticated peer
   */
  record Authenticated(@Nullable StringMatcher principalName) implements Principal {}

  /** The connection's peer address is in {@code range} ({@code direct_remote_ip}). */
  record DirectRemoteIp(CidrRange range) implements Principal {
    public DirectRemoteIp {
      requireNonNull(range, "range");
    }
  }

  /**
   * The client address (from {@code x-forwarded-for} or PROXY protocol when trusted, else the
   * peer's) is in {@code range} ({@code remote_ip}).
   */
  record RemoteIp(CidrRange range) implements Principal {
    public RemoteIp {
      requireNonNull(range, "range");
    }
  }

  /** The deprecated {@code source_ip}: Envoy reads it as {@code direct_remote_ip}. */
  record SourceIp(CidrRange range) implements Principal {
    public SourceIp {
      requireNonNull(range, "range");
    }
  }

  /** A request header matches ({@code header}). */
  record Header(HeaderMatcher matcher) implements Principal {
    public Header {
      requireNonNull(matcher, "matcher");
    }
  }

  /** The request path without query and fragment matches ({@code url_path}). */
  record UrlPath(StringMatcher matcher) implements Principal {
    public UrlPath {
      requireNonNull(matcher, "matcher");
    }
  }

  /** Dynamic metadata (the verified JWT payload) matches ({@code metadata}). */
  record Metadata(MetadataMatcher matcher) implements Principal {
    public Metadata {
      requireNonNull(matcher, "matcher");
    }
  }
}
