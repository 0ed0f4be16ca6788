package io.meshagent.core.internal.authz.jwt;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * JSON objects as Envoy's {@code jwt_verify} reads them: parsed into a protobuf {@link Struct}
 * (numbers become doubles), then into plain Java values for authorization.
 */
final class Json {
  private static final JsonFormat.Parser PARSER = JsonFormat.parser();

  private Json() {}

  /** Parses a JSON object, or returns null when {@code json} is not one. */
  static @Nullable Struct object(String json) {
    Struct.Builder b = Struct.newBuilder();
    try {
      PARSER.merge(json, b);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      return null;
    }
    return b.build();
  }

  /**
   * A struct as immutable Java values: String, Boolean, Double, List and Map. JSON {@code null}s
   * are left out, as immutable collections cannot hold them; no authorization rule istiod writes
   * matches a null claim.
   */
  static Map<String, Object> toMap(Struct s) {
    Map<String, Object> out = new HashMap<>(s.getFieldsCount() * 2);
    s.getFieldsMap()
        .forEach(
            (k, v) -> {
              Object o = toJava(v);
              if (o != null) {
                out.put(k, o);
              }
            });
    return Map.copyOf(out);
  }

  static @Nullable Object toJava(Value v) {
    return switch (v.getKindCase()) {
      case STRING_VALUE -> v.getStringValue();
      case NUMBER_VALUE -> v.getNumberValue();
      case BOOL_VALUE -> v.getBoolValue();
      case STRUCT_VALUE -> toMap(v.getStructValue());
      case LIST_VALUE -> toList(v.getListValue());
      case NULL_VALUE, KIND_NOT_SET -> null;
    };
  }

  private static List<Object> toList(ListValue l) {
    List<Object> out = new ArrayList<>(l.getValuesCount());
    for (Value v : l.getValuesList()) {
      Object o = toJava(v);
      if (o != null) {
        out.add(o);
      }
    }
    return List.copyOf(out);
  }

  /** The value at a dot-separated path of nested objects, or null. */
  static @Nullable Value at(Struct s, String dotted) {
    Struct current = s;
    String[] names = dotted.split("\\.", -1);
    for (int i = 0; i < names.length; i++) {
      Value v = current.getFieldsMap().get(names[i]);
      if (v == null) {
        return null;
      }
      if (i == names.length - 1) {
        return v;
      }
      if (!v.hasStructValue()) {
        return null;
      }
      current = v.getStructValue();
    }
    return null;
  }
}
