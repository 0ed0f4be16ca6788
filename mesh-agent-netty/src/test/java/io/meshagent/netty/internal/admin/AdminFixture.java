package io.meshagent.netty.internal.admin;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.admin.v3.Certificates;
import io.envoyproxy.envoy.admin.v3.Clusters;
import io.envoyproxy.envoy.admin.v3.ConfigDump;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.meshagent.MeshAgent;
import io.meshagent.core.internal.config.DaemonThreads;
import io.meshagent.identity.IdentityProvider;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Agents on a {@code file:} source with the dev CA, an HTTP client, and the Envoy JSON types. */
final class AdminFixture {
  static final JsonFormat.TypeRegistry TYPES =
      JsonFormat.TypeRegistry.newBuilder()
          .add(ConfigDump.getDescriptor())
          .add(Clusters.getDescriptor())
          .add(Certificates.getDescriptor())
          .add(Cluster.getDescriptor())
          .add(ClusterLoadAssignment.getDescriptor())
          .add(Listener.getDescriptor())
          .add(RouteConfiguration.getDescriptor())
          .add(HttpConnectionManager.getDescriptor())
          .add(Router.getDescriptor())
          .add(Secret.getDescriptor())
          .build();

  static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private AdminFixture() {}

  static EventLoopGroup group() {
    return new MultiThreadIoEventLoopGroup(
        2, new DefaultThreadFactory("admin-test-io", true), NioIoHandler.newFactory());
  }

  /**
   * Plain threads: Netty's thread factory makes {@code FastThreadLocalThread}s, which BlockHound's
   * Netty integration treats as event loops that must never block.
   */
  static ExecutorService worker() {
    return Executors.newSingleThreadExecutor(DaemonThreads.named("admin-test-worker"));
  }

  /** The resources as a {@code file:} source reads them. */
  static String file(String version, Message... resources) throws IOException {
    JsonFormat.Printer printer = JsonFormat.printer().usingTypeRegistry(TYPES);
    List<String> items = new ArrayList<>();
    for (Message m : resources) {
      items.add(printer.print(Any.pack(m)));
    }
    return "{ \"version_info\": \""
        + version
        + "\", \"resources\": [\n"
        + String.join(",\n", items)
        + "\n] }\n";
  }

  /** An agent with the dev CA; it does not wait for anything. */
  static MeshAgent agent(Path yaml, Path ca) {
    return MeshAgent.builder()
        .xdsFile(yaml)
        .podName("productpage-v1")
        .namespace("default")
        .serviceAccount("bookinfo-productpage")
        .identityProvider(IdentityProvider.DEV)
        .devCaDir(ca)
        .build();
  }

  static void write(Path file, String text) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, text);
    Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  static HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static <T extends Message.Builder> T parse(String json, T into) throws IOException {
    JsonFormat.parser().usingTypeRegistry(TYPES).merge(json, into);
    return into;
  }
}
