package io.meshagent.core.internal.telemetry.tracing;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.extension.trace.propagation.B3Propagator;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reads trace context in every supported format and writes it in the configured ones. Reading W3C
 * wins over B3 when a request carries both, as the newer standard. W3C {@code baggage} is not
 * propagated here: in an Istio mesh that header carries peer workload metadata ({@link
 * io.meshagent.core.internal.telemetry.peer.PeerBaggage}).
 */
public final class TracePropagation {
  // Composite extraction runs in order, each finding replacing the last: B3 first, W3C last.
  private static final TextMapPropagator EXTRACTOR =
      TextMapPropagator.composite(
          B3Propagator.injectingMultiHeaders(), W3CTraceContextPropagator.getInstance());

  private final Set<TraceFormat> formats;
  private final TextMapPropagator injector;

  private TracePropagation(EnumSet<TraceFormat> formats) {
    this.formats = Collections.unmodifiableSet(formats);
    List<TextMapPropagator> injectors = new ArrayList<>();
    for (TraceFormat f : formats) {
      injectors.add(
          switch (f) {
            case W3C -> W3CTraceContextPropagator.getInstance();
            case B3_SINGLE -> B3Propagator.injectingSingleHeader();
            case B3_MULTI -> B3Propagator.injectingMultiHeaders();
          });
    }
    this.injector = TextMapPropagator.composite(injectors);
  }

  /** Writes W3C and B3 multi-header, so both OpenTelemetry and Zipkin-configured peers continue. */
  public static TracePropagation defaults() {
    return of(EnumSet.of(TraceFormat.W3C, TraceFormat.B3_MULTI));
  }

  /** Writes {@code formats} (none: reads only). */
  public static TracePropagation of(Set<TraceFormat> formats) {
    EnumSet<TraceFormat> copy = EnumSet.noneOf(TraceFormat.class);
    copy.addAll(requireNonNull(formats, "formats"));
    return new TracePropagation(copy);
  }

  /** The formats written. */
  public Set<TraceFormat> formats() {
    return formats;
  }

  /**
   * {@code parent} with the span context found in {@code carrier}, if any. {@code getter} is asked
   * for lower-case names, the only form HTTP/2 allows.
   */
  public <C> Context extract(Context parent, C carrier, TextMapGetter<C> getter) {
    requireNonNull(getter, "getter");
    return EXTRACTOR.extract(
        requireNonNull(parent, "parent"),
        requireNonNull(carrier, "carrier"),
        new TextMapGetter<C>() {
          // Still abstract in the OpenTelemetry 1.49 that Spring Boot 3.5 pins; unused by these
          // propagators.
          @Override
          @SuppressWarnings("deprecation")
          public Iterable<String> keys(C c) {
            return getter.keys(c);
          }

          @Override
          public @Nullable String get(@Nullable C c, String key) {
            return getter.get(c, key.toLowerCase(Locale.ROOT));
          }
        });
  }

  /**
   * Writes the span context of {@code context} into {@code carrier}; nothing if it has none. Names
   * are lower case: B3's propagator writes {@code X-B3-TraceId}, which HTTP/2 forbids.
   */
  public <C> void inject(Context context, C carrier, TextMapSetter<C> setter) {
    requireNonNull(setter, "setter");
    injector.inject(
        requireNonNull(context, "context"),
        requireNonNull(carrier, "carrier"),
        (c, key, value) -> setter.set(c, key.toLowerCase(Locale.ROOT), value));
  }

  /** The (lower-case) header names {@link #inject} may write, to remove stale ones first. */
  public Collection<String> fields() {
    return injector.fields().stream().map(f -> f.toLowerCase(Locale.ROOT)).toList();
  }
}
