package io.meshagent.core.internal.node;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict RFC 8259 parser accepting what Go's encoding/json accepts. protobuf's JsonFormat parses
 * Values leniently (unquoted words, single quotes, trailing text, empty input), which would hide
 * mistakes istio-agent reports. Objects become maps, arrays lists, numbers {@link Num}, and {@code
 * null} the {@link #NULL} marker.
 */
final class StrictJson {
  static final Object NULL = new Object();
  private static final int MAX_DEPTH = 512;

  private final String s;
  private int pos;

  private StrictJson(String s) {
    this.s = s;
  }

  /** A number, with whether its literal is an integer (no fraction or exponent). */
  record Num(double value, String literal, boolean integral) {
    boolean fitsInt() {
      return integral && value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE;
    }

    boolean fitsLong() {
      if (!integral) {
        return false;
      }
      try {
        Long.parseLong(literal);
        return true;
      } catch (NumberFormatException e) {
        return false;
      }
    }
  }

  static final class SyntaxException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SyntaxException(String message) {
      super(message, null, false, false);
    }
  }

  static Object parse(String text) {
    StrictJson p = new StrictJson(text);
    p.skipWhitespace();
    Object v = p.value(0);
    p.skipWhitespace();
    if (p.pos < text.length()) {
      throw p.error("unexpected " + p.found() + " after the value");
    }
    return v;
  }

  private Object value(int depth) {
    if (depth > MAX_DEPTH) {
      throw error("nested deeper than " + MAX_DEPTH);
    }
    if (pos >= s.length()) {
      throw error("unexpected end of input, expected a value");
    }
    char c = s.charAt(pos);
    switch (c) {
      case '{':
        return object(depth);
      case '[':
        return array(depth);
      case '"':
        return string();
      case 't':
        return literal("true", Boolean.TRUE);
      case 'f':
        return literal("false", Boolean.FALSE);
      case 'n':
        return literal("null", NULL);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw error("unexpected " + found() + ", expected a value");
    }
  }

  private Map<String, Object> object(int depth) {
    pos++;
    Map<String, Object> m = new LinkedHashMap<>();
    skipWhitespace();
    if (peek() == '}') {
      pos++;
      return m;
    }
    while (true) {
      skipWhitespace();
      if (peek() != '"') {
        throw error("unexpected " + found() + ", expected a string key");
      }
      String key = string();
      skipWhitespace();
      if (peek() != ':') {
        throw error("unexpected " + found() + ", expected ':'");
      }
      pos++;
      skipWhitespace();
      m.put(key, value(depth + 1)); // a repeated key keeps the last value, as in Go
      skipWhitespace();
      char c = peek();
      pos++;
      if (c == '}') {
        return m;
      }
      if (c != ',') {
        pos--;
        throw error("unexpected " + found() + ", expected ',' or '}'");
      }
    }
  }

  private List<Object> array(int depth) {
    pos++;
    List<Object> l = new ArrayList<>();
    skipWhitespace();
    if (peek() == ']') {
      pos++;
      return l;
    }
    while (true) {
      skipWhitespace();
      l.add(value(depth + 1));
      skipWhitespace();
      char c = peek();
      pos++;
      if (c == ']') {
        return l;
      }
      if (c != ',') {
        pos--;
        throw error("unexpected " + found() + ", expected ',' or ']'");
      }
    }
  }

  private String string() {
    pos++;
    StringBuilder b = new StringBuilder();
    while (true) {
      if (pos >= s.length()) {
        throw error("unexpected end of input in a string");
      }
      char c = s.charAt(pos++);
      if (c == '"') {
        return b.toString();
      }
      if (c < 0x20) {
        pos--;
        throw error("control character U+" + String.format("%04X", (int) c) + " in a string");
      }
      if (c != '\\') {
        b.append(c);
        continue;
      }
      char e = pos < s.length() ? s.charAt(pos++) : '\0';
      switch (e) {
        case '"', '\\', '/' -> b.append(e);
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'n' -> b.append('\n');
        case 'r' -> b.append('\r');
        case 't' -> b.append('\t');
        case 'u' -> {
          if (pos + 4 > s.length()) {
            throw error("incomplete \\u escape");
          }
          try {
            b.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
          } catch (NumberFormatException x) {
            throw error("invalid \\u escape");
          }
          pos += 4;
        }
        default -> {
          pos--;
          throw error("invalid escape in a string");
        }
      }
    }
  }

  private Num number() {
    int start = pos;
    if (peek() == '-') {
      pos++;
    }
    if (peek() == '0') {
      pos++;
    } else if (isDigit(peek())) {
      digits();
    } else {
      throw error("invalid number");
    }
    boolean integral = true;
    if (peek() == '.') {
      pos++;
      integral = false;
      requireDigits();
    }
    if (peek() == 'e' || peek() == 'E') {
      pos++;
      integral = false;
      if (peek() == '+' || peek() == '-') {
        pos++;
      }
      requireDigits();
    }
    String literal = s.substring(start, pos);
    double value = Double.parseDouble(literal);
    if (Double.isInfinite(value)) {
      pos = start;
      throw error("number " + literal + " is out of range");
    }
    return new Num(value, literal, integral);
  }

  private void requireDigits() {
    if (!isDigit(peek())) {
      throw error("invalid number");
    }
    digits();
  }

  private void digits() {
    while (isDigit(peek())) {
      pos++;
    }
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private Object literal(String word, Object value) {
    if (!s.startsWith(word, pos)) {
      throw error("unexpected " + found() + ", expected a value");
    }
    pos += word.length();
    return value;
  }

  private char peek() {
    return pos < s.length() ? s.charAt(pos) : '\0';
  }

  private void skipWhitespace() {
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  private String found() {
    return pos < s.length() ? "'" + s.charAt(pos) + "'" : "end of input";
  }

  private SyntaxException error(String what) {
    return new SyntaxException(what + " at offset " + pos);
  }

  /** The protobuf form of a parsed tree; istiod receives the Struct it becomes. */
  static Value toValue(Object tree) {
    if (tree instanceof String s) {
      return Value.newBuilder().setStringValue(s).build();
    }
    if (tree instanceof Boolean b) {
      return Value.newBuilder().setBoolValue(b).build();
    }
    if (tree instanceof Num n) {
      return Value.newBuilder().setNumberValue(n.value()).build();
    }
    if (tree instanceof Map<?, ?> m) {
      Struct.Builder s = Struct.newBuilder();
      m.forEach((k, v) -> s.putFields((String) k, toValue(requireNonNull(v))));
      return Value.newBuilder().setStructValue(s).build();
    }
    if (tree instanceof List<?> l) {
      ListValue.Builder list = ListValue.newBuilder();
      l.forEach(v -> list.addValues(toValue(requireNonNull(v))));
      return Value.newBuilder().setListValue(list).build();
    }
    return Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
  }
}
