package io.meshagent.netty.internal.admin;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.FieldMask;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.FieldMaskUtil;
import io.envoyproxy.envoy.admin.v3.ConfigDump;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Envoy's {@code /config_dump} query: {@code ?resource=} picks one repeated field of the sections
 * and dumps its elements one by one; {@code ?mask=} (a field mask) trims each section, or with
 * {@code resource} each element, looking inside the element's {@code Any} for paths that start at
 * it ({@code ?resource=dynamic_active_clusters&mask=cluster.name,last_updated}).
 */
final class DumpQuery {
  private DumpQuery() {}

  /** A query the dump cannot answer, with Envoy's status and text. */
  static final class QueryException extends Exception {
    private static final long serialVersionUID = 1L;
    private final HttpResponseStatus status;

    QueryException(HttpResponseStatus status, String message) {
      super(message);
      this.status = status;
    }

    HttpResponseStatus status() {
      return status;
    }
  }

  /**
   * The dump of {@code sections} as queried.
   *
   * @throws QueryException when the resource is not there (404) or the query is invalid (400)
   */
  static ConfigDump apply(
      List<Message> sections, @Nullable String resource, @Nullable String mask, ProtoTypes types)
      throws QueryException {
    FieldMask fieldMask = mask == null ? null : FieldMaskUtil.fromString(mask);
    ConfigDump.Builder dump = ConfigDump.newBuilder();
    if (resource != null) {
      for (Message section : sections) {
        FieldDescriptor field = section.getDescriptorForType().findFieldByName(resource);
        if (field == null) {
          continue;
        }
        if (!field.isRepeated()) {
          throw new QueryException(
              HttpResponseStatus.BAD_REQUEST,
              resource
                  + " is not a repeated field. Use ?mask="
                  + resource
                  + " to get only this field");
        }
        for (Object element : (List<?>) section.getField(field)) {
          Message m = (Message) element;
          if (fieldMask != null) {
            m = trimResource(fieldMask, m, types);
          }
          dump.addConfigs(Any.pack(m));
        }
        return dump.build();
      }
      throw new QueryException(
          HttpResponseStatus.NOT_FOUND, resource + " not found in config dump");
    }
    for (Message section : sections) {
      if (fieldMask != null) {
        if (!FieldMaskUtil.isValid(section.getDescriptorForType(), fieldMask)) {
          continue; // different sections take different masks
        }
        section = FieldMaskUtil.trim(fieldMask, section);
      }
      dump.addConfigs(Any.pack(section));
    }
    if (fieldMask != null && dump.getConfigsCount() == 0) {
      throw new QueryException(
          HttpResponseStatus.BAD_REQUEST,
          "FieldMask " + mask + " could not be successfully applied to any configs.");
    }
    return dump.build();
  }

  /** Trims one element; paths through its one {@code Any} field apply inside the Any. */
  private static Message trimResource(FieldMask mask, Message m, ProtoTypes types)
      throws QueryException {
    Descriptor d = m.getDescriptorForType();
    List<String> outer = new ArrayList<>();
    List<String> inner = new ArrayList<>();
    FieldDescriptor anyField = null;
    for (String path : mask.getPathsList()) {
      int dot = path.indexOf('.');
      String head = dot < 0 ? path : path.substring(0, dot);
      FieldDescriptor f = d.findFieldByName(head);
      if (f != null
          && !f.isRepeated()
          && f.getJavaType() == FieldDescriptor.JavaType.MESSAGE
          && f.getMessageType().getFullName().equals(Any.getDescriptor().getFullName())) {
        if (anyField != null && anyField != f) {
          throw invalid(mask);
        }
        anyField = f;
        if (!outer.contains(head)) {
          outer.add(head);
        }
        if (dot >= 0) {
          inner.add(path.substring(dot + 1));
        }
      } else {
        outer.add(path);
      }
    }
    Message trimmed = m;
    if (anyField != null && !inner.isEmpty() && m.hasField(anyField)) {
      Any any = Any.newBuilder().mergeFrom((Message) m.getField(anyField)).build();
      Message unpacked;
      try {
        unpacked = types.parse(any.getTypeUrl(), any.getValue());
      } catch (InvalidProtocolBufferException e) {
        throw invalid(mask);
      }
      FieldMask innerMask = FieldMaskUtil.fromStringList(inner);
      if (!FieldMaskUtil.isValid(unpacked.getDescriptorForType(), innerMask)) {
        throw invalid(mask);
      }
      ByteString value = FieldMaskUtil.trim(innerMask, unpacked).toByteString();
      trimmed = m.toBuilder().setField(anyField, any.toBuilder().setValue(value).build()).build();
    }
    FieldMask outerMask = FieldMaskUtil.fromStringList(outer);
    if (!FieldMaskUtil.isValid(d, outerMask)) {
      throw invalid(mask);
    }
    return FieldMaskUtil.trim(outerMask, trimmed);
  }

  private static QueryException invalid(FieldMask mask) {
    return new QueryException(
        HttpResponseStatus.BAD_REQUEST,
        "FieldMask " + FieldMaskUtil.toString(mask) + " could not be successfully used.");
  }
}
