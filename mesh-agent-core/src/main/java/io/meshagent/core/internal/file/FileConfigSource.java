package io.meshagent.core.internal.file;

import com.google.protobuf.Any;
import io.meshagent.ControlPlaneStatus;
import io.meshagent.core.internal.config.ConfigSource;
import io.meshagent.core.internal.config.ControlContext;
import io.meshagent.core.internal.config.ConvertedUpdate;
import io.meshagent.core.internal.config.DaemonThreads;
import io.meshagent.core.internal.config.RawResource;
import io.meshagent.core.internal.config.ResourceStore;
import io.meshagent.core.internal.config.SnapshotPublisher;
import io.meshagent.core.internal.config.SourceStatus;
import io.meshagent.core.internal.config.UpdateRejectedException;
import io.meshagent.snapshot.ResourceTypes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code file:} source: Envoy resources in a YAML or JSON file, the whole state of the world,
 * reloaded when the file changes (including Kubernetes' atomic {@code ..data} symlink swaps, seen
 * as a new file key). Reading and parsing happen on a watcher thread; conversion and publication on
 * the control context. A file that does not parse or convert is reported and the last good
 * configuration stays.
 */
public final class FileConfigSource implements ConfigSource {
  private static final Logger log = LoggerFactory.getLogger(FileConfigSource.class);

  private final Path file;
  private final ResourceFileParser parser;
  private final ControlContext context;
  private final ResourceStore store;
  private final SnapshotPublisher publisher;
  private final Duration pollInterval;
  private final List<String> typeUrls;
  private final SourceStatus status;
  private final ScheduledExecutorService watcher;
  private @Nullable FileStamp lastStamp;
  private long snapshotVersion;

  /**
   * @param typeUrls every type the file may hold; types missing from the file become empty
   */
  public FileConfigSource(
      Path file,
      ResourceFileParser parser,
      ControlContext context,
      ResourceStore store,
      SnapshotPublisher publisher,
      Duration pollInterval,
      List<String> typeUrls,
      Clock clock) {
    this.file = file;
    this.parser = parser;
    this.context = context;
    this.store = store;
    this.publisher = publisher;
    this.pollInterval = pollInterval;
    this.typeUrls = List.copyOf(typeUrls);
    this.status = new SourceStatus("file:" + file, clock);
    this.watcher =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("mesh-agent-file-watch"));
  }

  @Override
  public void start() {
    watcher.scheduleWithFixedDelay(this::poll, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public ControlPlaneStatus status() {
    return status.get();
  }

  @Override
  public void close() {
    watcher.shutdownNow();
  }

  /** Runs on the watcher thread: detects a change, reads and parses, hands over. */
  private void poll() {
    FileStamp stamp;
    String text;
    try {
      stamp = FileStamp.of(file);
      if (stamp.equals(lastStamp)) {
        return;
      }
      text = Files.readString(file, StandardCharsets.UTF_8);
      if (!FileStamp.of(file).equals(stamp)) {
        return; // written to while being read: read it whole at the next poll
      }
    } catch (IOException e) {
      FileStamp missing = FileStamp.MISSING;
      if (!missing.equals(lastStamp)) {
        lastStamp = missing;
        String error = "cannot read " + file + ": " + e;
        log.warn("{}; keeping the last good configuration", error);
        context.execute(() -> status.disconnected(error));
      }
      return;
    } catch (RuntimeException e) {
      log.warn("watching {} failed; will retry", file, e);
      return;
    }
    lastStamp = stamp;
    ResourceFileParser.Contents contents;
    try {
      contents = parser.parse(file.toString(), text);
    } catch (ResourceFileParser.ResourceFileException e) {
      String error = e.getMessage();
      log.warn("rejected {}: {}; keeping the last good configuration", file, error);
      context.execute(() -> status.rejected(error));
      return;
    }
    context.execute(() -> apply(contents));
  }

  /** Runs on the control context: converts everything, then applies all or nothing. */
  void apply(ResourceFileParser.Contents contents) {
    Map<String, ConvertedUpdate> converted = new LinkedHashMap<>();
    List<String> errors = new ArrayList<>();
    for (String typeUrl : contents.resources().keySet()) {
      if (!store.knows(typeUrl)) {
        errors.add("resources of type " + typeUrl + " are not supported");
      }
    }
    for (String typeUrl : typeUrls) {
      List<Any> anys = contents.resources().getOrDefault(typeUrl, List.of());
      List<RawResource> raw = new ArrayList<>(anys.size());
      for (Any any : anys) {
        raw.add(new RawResource("", "", any));
      }
      try {
        converted.put(typeUrl, store.convert(typeUrl, raw, contents.version()));
      } catch (UpdateRejectedException e) {
        errors.add(e.getMessage());
      }
    }
    if (!errors.isEmpty()) {
      String error = file + ": " + String.join("; ", errors);
      log.warn("rejected {}; keeping the last good configuration", error);
      status.rejected(error);
      return;
    }
    converted.forEach(store::replaceAll);
    markUnresolved(ResourceTypes.ROUTE_CONFIGURATION, store.referencedRouteNames());
    markUnresolved(ResourceTypes.CLUSTER_LOAD_ASSIGNMENT, store.referencedEndpointNames());
    status.connected();
    publisher.publish(store.snapshot(++snapshotVersion, true));
    log.info("loaded {} ({})", file, publisher.current());
  }

  private void markUnresolved(String typeUrl, Set<String> referenced) {
    for (String name : referenced) {
      if (!store.resolved(typeUrl, name)) {
        store.markAbsent(typeUrl, name);
      }
    }
  }
}
