package io.meshagent.netty.internal.admin;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Finds the message type behind an {@code Any}'s type URL without a list of every type: the
 * generated class the Envoy, xDS and UDPA protos compile to ({@code envoy.x.v3.Y} is {@code
 * io.envoyproxy.envoy.x.v3.Y}, {@code xds.*} and {@code udpa.*} live under {@code com.github}),
 * well-known types, and classes named like their proto. A type no class provides (an Istio or
 * third-party extension) gets an empty placeholder type of the same name, so it prints as its
 * {@code "@type"} alone: its contents are never shown, so nothing in them can leak. Thread-safe;
 * lookups are cached. Loading classes reads jars: call it off the event loops.
 */
final class ProtoTypes {
  private final ClassLoader loader;
  private final Map<String, Message> prototypes = new ConcurrentHashMap<>();

  ProtoTypes(ClassLoader loader) {
    this.loader = loader;
  }

  /**
   * The default instance of the type named in {@code typeUrl} (after its last {@code /}), or null
   * when the name is not a valid proto name.
   */
  @Nullable Message prototype(String typeUrl) {
    String name = typeUrl.substring(typeUrl.lastIndexOf('/') + 1);
    return prototypes.computeIfAbsent(name, this::load);
  }

  /** Parses an {@code Any}'s value as the type its URL names. */
  Message parse(String typeUrl, ByteString value) throws InvalidProtocolBufferException {
    Message prototype = prototype(typeUrl);
    if (prototype == null) {
      throw new InvalidProtocolBufferException("not a message type name: " + typeUrl);
    }
    return prototype.getParserForType().parseFrom(value);
  }

  private static final String PLACEHOLDER_DIR = "mesh-agent/unresolved/";

  private @Nullable Message load(String fullName) {
    for (String className : classNames(fullName)) {
      Message m = generated(className);
      if (m != null && m.getDescriptorForType().getFullName().equals(fullName)) {
        return m;
      }
    }
    return placeholder(fullName);
  }

  private static List<String> classNames(String fullName) {
    List<String> prefixes = new ArrayList<>();
    if (fullName.startsWith("envoy.")) {
      prefixes.add("io.envoyproxy.");
    } else if (fullName.startsWith("xds.")) {
      prefixes.add("com.github.");
    } else if (fullName.startsWith("udpa.")) {
      prefixes.add("com.github.udpa.");
    } else if (fullName.startsWith("google.protobuf.")) {
      return List.of("com.google.protobuf." + fullName.substring("google.protobuf.".length()));
    }
    prefixes.add("");
    List<String> out = new ArrayList<>();
    for (String prefix : prefixes) {
      String name = prefix + fullName;
      out.add(name);
      // A nested message is Outer$Inner; try one and two levels.
      int last = name.lastIndexOf('.');
      if (last > 0) {
        String nested = name.substring(0, last) + '$' + name.substring(last + 1);
        out.add(nested);
        int before = nested.lastIndexOf('.');
        if (before > 0) {
          out.add(nested.substring(0, before) + '$' + nested.substring(before + 1));
        }
      }
    }
    return out;
  }

  private @Nullable Message generated(String className) {
    try {
      Class<?> c = Class.forName(className, true, loader);
      if (!Message.class.isAssignableFrom(c)) {
        return null;
      }
      return (Message) c.getMethod("getDefaultInstance").invoke(null);
    } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
      return null;
    }
  }

  /** An empty message type named {@code fullName}: its fields stay unknown and unprinted. */
  private static @Nullable Message placeholder(String fullName) {
    int dot = fullName.lastIndexOf('.');
    String simple = fullName.substring(dot + 1);
    FileDescriptorProto file =
        FileDescriptorProto.newBuilder()
            .setName(PLACEHOLDER_DIR + fullName + ".proto")
            .setPackage(dot < 0 ? "" : fullName.substring(0, dot))
            .setSyntax("proto3")
            .addMessageType(DescriptorProto.newBuilder().setName(simple))
            .build();
    try {
      Descriptor d =
          FileDescriptor.buildFrom(file, new FileDescriptor[0]).findMessageTypeByName(simple);
      return DynamicMessage.getDefaultInstance(d);
    } catch (DescriptorValidationException | IllegalArgumentException e) {
      return null; // not a valid proto name: printing reports the URL
    }
  }
}
