package io.meshagent.core.internal.file;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.listener.http_inspector.v3.HttpInspector;
import io.envoyproxy.envoy.extensions.filters.listener.original_dst.v3.OriginalDst;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads a file of Envoy resources in YAML or JSON into typed resources. Accepted shapes: a
 * discovery-response-like object {@code {version_info, resources: [...]}}, or a plain list of
 * resources; each resource names its type with {@code "@type"}, as in Envoy's own JSON. Nested
 * typed configs ({@code typed_config}) may use any of the filters the agent implements.
 */
public final class ResourceFileParser {
  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

  private final JsonFormat.Parser parser;

  /**
   * @param resourceTypes the descriptors of the top-level resource types
   */
  public ResourceFileParser(Collection<Descriptor> resourceTypes) {
    JsonFormat.TypeRegistry.Builder registry = JsonFormat.TypeRegistry.newBuilder();
    registry.add(resourceTypes);
    registry.add(
        List.of(
            HttpConnectionManager.getDescriptor(),
            Router.getDescriptor(),
            TcpProxy.getDescriptor(),
            HTTPFault.getDescriptor(),
            io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.getDescriptor(),
            io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC.getDescriptor(),
            JwtAuthentication.getDescriptor(),
            Cors.getDescriptor(),
            TlsInspector.getDescriptor(),
            HttpInspector.getDescriptor(),
            OriginalDst.getDescriptor(),
            UpstreamTlsContext.getDescriptor(),
            DownstreamTlsContext.getDescriptor(),
            RawBuffer.getDescriptor(),
            HttpProtocolOptions.getDescriptor(),
            io.envoyproxy.envoy.extensions.transport_sockets.internal_upstream.v3
                .InternalUpstreamTransport.getDescriptor(),
            io.envoyproxy.envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate
                .getDescriptor()));
    this.parser = JsonFormat.parser().usingTypeRegistry(registry.build());
  }

  /**
   * The file's contents.
   *
   * @param version the file's {@code version_info}, or empty
   * @param resources type URL to resources, in file order
   */
  public record Contents(String version, Map<String, List<Any>> resources) {}

  /**
   * Parses {@code text}.
   *
   * @param origin the file, named in errors
   * @throws ResourceFileException naming the file, the resource index and the reason
   */
  public Contents parse(String origin, String text) throws ResourceFileException {
    Object root;
    try {
      // YAML is a superset of JSON, so one loader reads both.
      root = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    } catch (YAMLException e) {
      throw new ResourceFileException(origin + ": not valid YAML or JSON: " + e.getMessage());
    }
    String version = "";
    List<?> items;
    if (root == null) {
      // Nothing at all is more likely a file caught mid-write than a wish to drop every resource:
      // refused, so the last good configuration stays. An empty list says "none" outright.
      throw new ResourceFileException(
          origin + ": empty (no resources; write 'resources: []' to remove them all)");
    } else if (root instanceof List<?> list) {
      items = list;
    } else if (root instanceof Map<?, ?> map) {
      Object v = map.get("version_info");
      version = v == null ? "" : String.valueOf(v);
      Object r = map.get("resources");
      if (r == null) {
        r = List.of();
      }
      if (!(r instanceof List<?> list)) {
        throw new ResourceFileException(origin + ": 'resources' must be a list");
      }
      items = list;
    } else {
      throw new ResourceFileException(
          origin + ": expected a list of resources or an object with 'resources'");
    }
    Map<String, List<Any>> byType = new LinkedHashMap<>();
    for (int i = 0; i < items.size(); i++) {
      Object item = items.get(i);
      if (!(item instanceof Map<?, ?> fields) || !(fields.get("@type") instanceof String type)) {
        throw new ResourceFileException(
            origin + ": resources[" + i + "] must be an object with an \"@type\"");
      }
      Any.Builder any = Any.newBuilder();
      try {
        parser.merge(GSON.toJson(item), any);
      } catch (InvalidProtocolBufferException | RuntimeException e) {
        throw new ResourceFileException(
            origin
                + ": resources["
                + i
                + "]"
                + nameOf(fields)
                + " ("
                + type
                + "): "
                + e.getMessage());
      }
      byType.computeIfAbsent(any.getTypeUrl(), k -> new ArrayList<>()).add(any.build());
    }
    return new Contents(version, byType);
  }

  private static String nameOf(Map<?, ?> fields) {
    Object name = fields.get("name");
    return name instanceof String s ? "(name=" + s + ")" : "";
  }

  /** The file cannot be used; the message says where and why. */
  public static final class ResourceFileException extends Exception {
    private static final long serialVersionUID = 1L;

    public ResourceFileException(String message) {
      super(message);
    }
  }
}
