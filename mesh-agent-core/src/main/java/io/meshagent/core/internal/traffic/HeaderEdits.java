package io.meshagent.core.internal.traffic;

import io.meshagent.model.route.HeaderOps;
import io.meshagent.model.route.HeaderToAdd;
import io.meshagent.traffic.HttpHeader;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Applies a route decision's header operations to a header list, level by level in the order the
 * decision lists them (most specific first, so the least specific wins a conflict, as Envoy's
 * {@code most_specific_header_mutations_wins: false}); within a level removals come before
 * additions. Pure.
 */
public final class HeaderEdits {
  private HeaderEdits() {}

  /** The request headers after the operations. */
  public static List<HttpHeader> request(List<HttpHeader> headers, List<HeaderOps> ops) {
    List<HttpHeader> out = headers;
    for (HeaderOps o : ops) {
      if (!o.requestToRemove().isEmpty() || !o.requestToAdd().isEmpty()) {
        out = apply(out, o.requestToRemove(), o.requestToAdd());
      }
    }
    return out;
  }

  /** The response headers after the operations. */
  public static List<HttpHeader> response(List<HttpHeader> headers, List<HeaderOps> ops) {
    List<HttpHeader> out = headers;
    for (HeaderOps o : ops) {
      if (!o.responseToRemove().isEmpty() || !o.responseToAdd().isEmpty()) {
        out = apply(out, o.responseToRemove(), o.responseToAdd());
      }
    }
    return out;
  }

  /** {@code headers} without {@code remove}, then with {@code add}. */
  public static List<HttpHeader> apply(
      List<HttpHeader> headers, List<String> remove, List<HeaderToAdd> add) {
    List<HttpHeader> out = new ArrayList<>(headers.size() + add.size());
    for (HttpHeader h : headers) {
      if (!remove.contains(h.name())) {
        out.add(h);
      }
    }
    // As Envoy's HeaderParser: conditions see the headers after the level's removals and before
    // its additions; all overwrites are applied, then all appends.
    Set<String> present = new HashSet<>();
    for (HttpHeader h : out) {
      present.add(h.name());
    }
    List<HttpHeader> overwrites = new ArrayList<>();
    List<HttpHeader> appends = new ArrayList<>();
    for (HeaderToAdd a : add) {
      if (a.value().isEmpty() && !a.keepEmptyValue()) {
        continue;
      }
      HttpHeader h = new HttpHeader(a.name(), a.value());
      boolean exists = present.contains(h.name());
      switch (a.action()) {
        case APPEND_IF_EXISTS_OR_ADD -> appends.add(h);
        case ADD_IF_ABSENT -> {
          if (!exists) {
            appends.add(h);
          }
        }
        case OVERWRITE_IF_EXISTS_OR_ADD -> overwrites.add(h);
        case OVERWRITE_IF_EXISTS -> {
          if (exists) {
            overwrites.add(h);
          }
        }
      }
    }
    for (HttpHeader h : overwrites) {
      out.removeIf(x -> x.name().equals(h.name()));
      out.add(h);
    }
    out.addAll(appends);
    return out;
  }
}
