package io.flotilla.trust;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** A MIME header block: names lower-cased, folded lines joined, and where the body starts. */
record MimeHeaders(Map<String, String> fields, int bodyOffset) {

  /**
   * Reads headers from {@code start} up to the first empty line. Returns {@code null} if
   * there is no empty line or a line is not a header (so the bytes are not a MIME entity).
   */
  static MimeHeaders read(byte[] bytes, int start) {
    Map<String, String> fields = new HashMap<>();
    String current = null;
    int lineStart = start;
    while (lineStart < bytes.length) {
      int lineEnd = MimeHeaders.lineEnd(bytes, lineStart);
      String line = text(bytes, lineStart, lineEnd);
      int next = MimeHeaders.nextLine(bytes, lineEnd);
      if (line.isEmpty()) {
        return new MimeHeaders(fields, next);
      }
      if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && current != null) {
        fields.merge(current, " " + line.strip(), String::concat);
      } else if (line.indexOf(':') > 0) {
        current = line.substring(0, line.indexOf(':')).strip().toLowerCase(Locale.ROOT);
        fields.put(current, line.substring(line.indexOf(':') + 1).strip());
      } else {
        return null;
      }
      lineStart = next;
    }
    return null;
  }

  /** The value of {@code name}, or an empty string. */
  String get(String name) {
    return fields.getOrDefault(name, "");
  }

  /** The media type of Content-Type, lower-cased, without parameters. */
  String mediaType() {
    String value = get("content-type");
    int semicolon = value.indexOf(';');
    return (semicolon < 0 ? value : value.substring(0, semicolon)).strip()
        .toLowerCase(Locale.ROOT);
  }

  /** A Content-Type parameter (quotes removed), or an empty string. */
  String parameter(String name) {
    for (String part : get("content-type").split(";")) {
      int equals = part.indexOf('=');
      if (equals > 0 && part.substring(0, equals).strip().equalsIgnoreCase(name)) {
        String value = part.substring(equals + 1).strip();
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
            ? value.substring(1, value.length() - 1) : value;
      }
    }
    return "";
  }

  /** Index of the CR or LF ending the line that starts at {@code from} (or the length). */
  static int lineEnd(byte[] bytes, int from) {
    int i = from;
    while (i < bytes.length && bytes[i] != '\n' && bytes[i] != '\r') {
      i++;
    }
    return i;
  }

  /** Index of the first byte after the line break at {@code lineEnd}. */
  static int nextLine(byte[] bytes, int lineEnd) {
    if (lineEnd < bytes.length && bytes[lineEnd] == '\r') {
      lineEnd++;
    }
    return lineEnd < bytes.length && bytes[lineEnd] == '\n' ? lineEnd + 1 : lineEnd;
  }

  static String text(byte[] bytes, int from, int to) {
    return new String(bytes, from, to - from, StandardCharsets.ISO_8859_1);
  }
}
