package io.meshagent.netty.internal.admin;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import udpa.annotations.Sensitive;

/**
 * Prints admin protos as Envoy's admin does: JSON with proto field names, pretty-printed, and every
 * field marked {@code (udpa.annotations.sensitive)} redacted, inside {@code Any}s too (a private
 * key inlined in a listener's TLS context shows as {@code [redacted]}: strings become {@code
 * "[redacted]"}, bytes the bytes of it, and in a sensitive message every string and bytes field).
 *
 * <p>Before printing, one walk visits every {@code Any} that may matter: it redacts, and it
 * resolves each nested type (through {@link ProtoTypes}) so the printer's type registry is complete
 * and one pass prints the whole dump. The registry grows as new types appear and is reused.
 * Thread-safe; call off the event loops.
 */
final class ProtoJson {
  private static final String REDACTED = "[redacted]";
  private static final ByteString REDACTED_BYTES = ByteString.copyFromUtf8(REDACTED);
  private static final String ANY = Any.getDescriptor().getFullName();

  private final ProtoTypes types;

  /** Whether a type can hold, at any depth, an {@code Any} or a sensitive field. */
  private final Map<String, Boolean> interesting = new ConcurrentHashMap<>();

  private final Map<String, Descriptor> registered = new ConcurrentHashMap<>();
  private volatile JsonFormat.TypeRegistry registry =
      JsonFormat.TypeRegistry.getEmptyTypeRegistry();
  private volatile int registrySize;

  ProtoJson(ProtoTypes types) {
    this.types = types;
  }

  /** {@code message} redacted and printed. */
  String print(Message message) throws InvalidProtocolBufferException {
    Map<String, Descriptor> seen = new HashMap<>();
    Message redacted = walk(message, seen, false);
    StringBuilder out = new StringBuilder(4096);
    try {
      JsonFormat.printer()
          .usingTypeRegistry(registryCovering(seen))
          .preservingProtoFieldNames()
          .appendTo(redacted, out);
    } catch (InvalidProtocolBufferException e) {
      throw e;
    } catch (IOException e) {
      throw new IllegalStateException("a StringBuilder does not fail", e);
    }
    return out.append('\n').toString();
  }

  private JsonFormat.TypeRegistry registryCovering(Map<String, Descriptor> seen) {
    boolean grew = false;
    for (Map.Entry<String, Descriptor> e : seen.entrySet()) {
      grew |= registered.putIfAbsent(e.getKey(), e.getValue()) == null;
    }
    if (!grew && registrySize == registered.size()) {
      return registry;
    }
    synchronized (this) {
      if (registrySize != registered.size()) {
        // Adding a type adds its file and the files it imports: the registry holds every type
        // reachable from the resolved ones.
        registry = JsonFormat.TypeRegistry.newBuilder().add(registered.values()).build();
        registrySize = registered.size();
      }
      return registry;
    }
  }

  /**
   * Returns {@code m} itself when nothing in it changed.
   *
   * @param redactAll whether {@code m} is inside a sensitive field: every string and bytes go
   */
  private Message walk(Message m, Map<String, Descriptor> seen, boolean redactAll) {
    Descriptor d = m.getDescriptorForType();
    if (d.getFullName().equals(ANY)) {
      return walkAny(m, seen, redactAll);
    }
    if (!redactAll && !interesting(d)) {
      return m;
    }
    Message.Builder b = null;
    for (Map.Entry<FieldDescriptor, Object> e : m.getAllFields().entrySet()) {
      FieldDescriptor f = e.getKey();
      boolean sensitive = redactAll || isSensitive(f);
      Object value = e.getValue();
      if (f.isRepeated()) {
        List<?> list = (List<?>) value;
        for (int i = 0; i < list.size(); i++) {
          Object next = walkValue(f, list.get(i), seen, sensitive);
          if (next != list.get(i)) {
            b = b != null ? b : m.toBuilder();
            b.setRepeatedField(f, i, next);
          }
        }
      } else {
        Object next = walkValue(f, value, seen, sensitive);
        if (next != value) {
          b = b != null ? b : m.toBuilder();
          b.setField(f, next);
        }
      }
    }
    return b == null ? m : b.build();
  }

  private Object walkValue(
      FieldDescriptor f, Object value, Map<String, Descriptor> seen, boolean sensitive) {
    return switch (f.getJavaType()) {
      case STRING -> sensitive ? REDACTED : value;
      case BYTE_STRING -> sensitive ? REDACTED_BYTES : value;
      case MESSAGE ->
          sensitive || interesting(f.getMessageType())
              ? walk((Message) value, seen, sensitive)
              : value;
      default -> value;
    };
  }

  private Message walkAny(Message any, Map<String, Descriptor> seen, boolean redactAll) {
    Descriptor d = any.getDescriptorForType();
    FieldDescriptor urlField = d.findFieldByNumber(Any.TYPE_URL_FIELD_NUMBER);
    FieldDescriptor valueField = d.findFieldByNumber(Any.VALUE_FIELD_NUMBER);
    String url = (String) any.getField(urlField);
    if (url.isEmpty()) {
      return any;
    }
    Message prototype = types.prototype(url);
    if (prototype == null) {
      return any; // the printer names the bad URL
    }
    Descriptor inner = prototype.getDescriptorForType();
    seen.putIfAbsent(inner.getFullName(), inner);
    if (!redactAll && !interesting(inner)) {
      return any;
    }
    Message parsed;
    try {
      parsed = prototype.getParserForType().parseFrom((ByteString) any.getField(valueField));
    } catch (InvalidProtocolBufferException e) {
      // Undecodable: never shown, since the printer cannot decode it either.
      return any;
    }
    Message walked = walk(parsed, seen, redactAll);
    return walked == parsed
        ? any
        : any.toBuilder().setField(valueField, walked.toByteString()).build();
  }

  private static boolean isSensitive(FieldDescriptor f) {
    return f.getOptions().getExtension(Sensitive.sensitive);
  }

  private boolean interesting(Descriptor d) {
    Boolean known = interesting.get(d.getFullName());
    if (known != null) {
      return known;
    }
    boolean result = reachesAnyOrSensitive(d);
    interesting.put(d.getFullName(), result);
    return result;
  }

  /** A search over the message types reachable from {@code root}. */
  private static boolean reachesAnyOrSensitive(Descriptor root) {
    Set<String> visited = new HashSet<>();
    Deque<Descriptor> todo = new ArrayDeque<>();
    todo.add(root);
    while (!todo.isEmpty()) {
      Descriptor d = todo.poll();
      if (!visited.add(d.getFullName())) {
        continue;
      }
      if (d.getFullName().equals(ANY)) {
        return true;
      }
      for (FieldDescriptor f : d.getFields()) {
        if (isSensitive(f)) {
          return true;
        }
        if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
          todo.add(f.getMessageType());
        }
      }
    }
    return false;
  }
}
