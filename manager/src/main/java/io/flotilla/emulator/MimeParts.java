package io.flotilla.emulator;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A small MIME reader for cloud-init user-data: a header block, then either one body or a
 * {@code multipart/*} body cut by its boundary (RFC 2046), parts possibly nested and
 * base64-encoded. Enough for what cloud-init's own {@code make-mime} and Python's email
 * package write; quoted-printable is refused rather than guessed.
 */
final class MimeParts {

  /** One leaf part: its media type in lower case (no parameters) and its decoded body. */
  record Part(String mediaType, byte[] body) {}

  private static final int MAX_DEPTH = 5;

  private MimeParts() {}

  /** True when the text opens like a MIME message rather than a cloud-init "#" document. */
  static boolean looksLikeMime(String text) {
    String head = text.stripLeading().toLowerCase(Locale.ROOT);
    return head.startsWith("content-type:") || head.startsWith("mime-version:")
        || head.startsWith("from ");
  }

  /**
   * The leaf parts of a MIME message, in order.
   *
   * @param where names the message in error messages
   * @throws UserDataException naming the part and the header at fault
   */
  static List<Part> leaves(String message, String where) {
    List<Part> parts = new ArrayList<>();
    collect(message, where, 0, parts);
    return parts;
  }

  private static void collect(String entity, String where, int depth, List<Part> out) {
    if (depth > MAX_DEPTH) {
      throw new UserDataException(where + ": multipart nested deeper than " + MAX_DEPTH);
    }
    int[] bounds = headerBounds(entity);
    Map<String, String> headers = headers(entity.substring(0, bounds[0]), where);
    String body = entity.substring(bounds[1]);
    String contentType = headers.getOrDefault("content-type", "text/plain");
    String mediaType = mediaType(contentType);
    if (mediaType.startsWith("multipart/")) {
      String boundary = parameters(contentType).get("boundary");
      if (boundary == null || boundary.isEmpty()) {
        throw new UserDataException(where + ": Content-Type " + mediaType + " has no boundary");
      }
      List<String> bodies = split(body, boundary, where);
      for (int i = 0; i < bodies.size(); i++) {
        collect(bodies.get(i), where + " part " + (i + 1), depth + 1, out);
      }
    } else {
      out.add(new Part(mediaType, decode(body, headers.get("content-transfer-encoding"), where)));
    }
  }

  /** Where the header block ends and where the body starts: the first empty line. */
  private static int[] headerBounds(String entity) {
    if (entity.startsWith("\r\n")) {
      return new int[] {0, 2};
    }
    if (entity.startsWith("\n")) {
      return new int[] {0, 1};
    }
    int lf = entity.indexOf("\n\n");
    int crlf = entity.indexOf("\r\n\r\n");
    if (lf < 0 && crlf < 0) {
      return new int[] {entity.length(), entity.length()};
    }
    if (lf < 0 || crlf >= 0 && crlf < lf) {
      return new int[] {crlf, crlf + 4};
    }
    return new int[] {lf, lf + 2};
  }

  private static Map<String, String> headers(String block, String where) {
    Map<String, String> headers = new LinkedHashMap<>();
    String current = null;
    for (String line : block.split("\r?\n")) {
      if (line.isEmpty() || line.startsWith("From ") && headers.isEmpty() && current == null) {
        continue;
      }
      if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && current != null) {
        headers.merge(current, " " + line.strip(), String::concat);
        continue;
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new UserDataException(where + ": malformed header line (no name: value)");
      }
      current = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
      headers.put(current, line.substring(colon + 1).strip());
    }
    return headers;
  }

  private static String mediaType(String contentType) {
    int semicolon = contentType.indexOf(';');
    String type = semicolon < 0 ? contentType : contentType.substring(0, semicolon);
    return type.strip().toLowerCase(Locale.ROOT);
  }

  private static Map<String, String> parameters(String contentType) {
    Map<String, String> params = new LinkedHashMap<>();
    String[] pieces = contentType.split(";(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)");
    for (int i = 1; i < pieces.length; i++) {
      int eq = pieces[i].indexOf('=');
      if (eq > 0) {
        String name = pieces[i].substring(0, eq).strip().toLowerCase(Locale.ROOT);
        String value = pieces[i].substring(eq + 1).strip();
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
          value = value.substring(1, value.length() - 1);
        }
        params.put(name, value);
      }
    }
    return params;
  }

  private static List<String> split(String body, String boundary, String where) {
    String delimiter = "--" + boundary;
    List<String> parts = new ArrayList<>();
    StringBuilder current = null;
    for (String line : body.split("\n", -1)) {
      String bare = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
      String trimmed = bare.stripTrailing();
      if (trimmed.equals(delimiter + "--")) {
        addPart(parts, current);
        return parts;
      }
      if (trimmed.equals(delimiter)) {
        addPart(parts, current);
        current = new StringBuilder();
      } else if (current != null) {
        current.append(line).append('\n');
      }
    }
    throw new UserDataException(where + ": multipart has no closing boundary");
  }

  private static void addPart(List<String> parts, StringBuilder part) {
    if (part == null) {
      return;
    }
    // The line break before a delimiter belongs to the delimiter (RFC 2046 5.1.1).
    String text = part.toString();
    if (text.endsWith("\n")) {
      text = text.substring(0, text.length() - 1);
    }
    if (text.endsWith("\r")) {
      text = text.substring(0, text.length() - 1);
    }
    parts.add(text);
  }

  private static byte[] decode(String body, String encoding, String where) {
    String name = encoding == null ? "7bit" : encoding.strip().toLowerCase(Locale.ROOT);
    switch (name) {
      case "7bit", "8bit", "binary":
        return body.getBytes(StandardCharsets.UTF_8);
      case "base64":
        try {
          return Base64.getMimeDecoder().decode(body.strip());
        } catch (IllegalArgumentException e) {
          throw new UserDataException(where + ": body is not valid base64", e);
        }
      default:
        throw new UserDataException(where + ": Content-Transfer-Encoding " + name
            + " is not supported");
    }
  }
}
