package io.flotilla.emulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Finds the Flotilla profile script in a machine's user-data as cloud-init would: gzip is
 * undone (magic bytes 1f 8b), a MIME multipart message is cut into parts, and each
 * {@code #cloud-config} document is read for its {@code write_files} entry at
 * {@link #PROFILE_PATH}. When several documents write that file, the last one wins, as the
 * file on disk would hold the last write. Other part types (shell scripts, boothooks) are
 * skipped: an emulator runs no scripts.
 */
final class UserDataReader {

  static final String PROFILE_PATH = "/etc/profile.d/flotilla.sh";

  private static final int MAX_BYTES = 16 * 1024 * 1024;
  private static final int MAX_NESTING = 4;
  private static final YAMLMapper YAML = new YAMLMapper();

  private UserDataReader() {}

  /**
   * The content of the profile script the user-data writes.
   *
   * @throws UserDataException naming the part and field when the user-data cannot be read or
   *     writes no profile script
   */
  static String profileScript(byte[] userData) {
    List<String> scripts = new ArrayList<>();
    collect(userData, "user-data", 0, scripts);
    if (scripts.isEmpty()) {
      throw new UserDataException("user-data: no #cloud-config write_files entry with path "
          + PROFILE_PATH);
    }
    return scripts.get(scripts.size() - 1);
  }

  private static void collect(byte[] data, String where, int depth, List<String> scripts) {
    if (depth > MAX_NESTING) {
      throw new UserDataException(where + ": compressed or nested more than " + MAX_NESTING
          + " levels");
    }
    if (isGzip(data)) {
      collect(gunzip(data, where), where + " (gunzipped)", depth + 1, scripts);
      return;
    }
    String text = utf8(data, where);
    if (isCloudConfig(text)) {
      readCloudConfig(text, where, scripts);
    } else if (MimeParts.looksLikeMime(text)) {
      readMime(text, where, depth, scripts);
    } else {
      throw new UserDataException(where + ": not a #cloud-config document nor a MIME message"
          + " (first line starts with " + firstLineHint(text) + ")");
    }
  }

  private static void readMime(String text, String where, int depth, List<String> scripts) {
    List<MimeParts.Part> parts = MimeParts.leaves(text, where);
    for (int i = 0; i < parts.size(); i++) {
      MimeParts.Part part = parts.get(i);
      String partName = where + " part " + (i + 1) + " (" + part.mediaType() + ")";
      if (part.mediaType().equals("text/cloud-config")) {
        readCloudConfig(utf8(unzipped(part.body(), partName), partName), partName, scripts);
      } else if (isSniffed(part.mediaType()) || isGzip(part.body())) {
        collectIfCloudConfig(part.body(), partName, depth, scripts);
      }
    }
  }

  /** cloud-init sniffs the first line of untyped and compressed parts. */
  private static boolean isSniffed(String mediaType) {
    return mediaType.equals("text/plain") || mediaType.equals("application/octet-stream")
        || mediaType.equals("text/x-not-multipart");
  }

  private static void collectIfCloudConfig(
      byte[] body, String where, int depth, List<String> scripts) {
    byte[] plain = unzipped(body, where);
    String text = utf8(plain, where);
    if (isCloudConfig(text) || MimeParts.looksLikeMime(text)) {
      collect(plain, where, depth + 1, scripts);
    }
  }

  private static void readCloudConfig(String text, String where, List<String> scripts) {
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (IOException e) {
      // The parser's own message quotes the offending line, which may hold a capability URL.
      throw new UserDataException(where + ": #cloud-config is not valid YAML" + location(e));
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return;
    }
    if (!root.isObject()) {
      throw new UserDataException(where + ": #cloud-config must be a mapping, got "
          + root.getNodeType());
    }
    JsonNode files = root.path("write_files");
    if (files.isMissingNode() || files.isNull()) {
      return;
    }
    if (!files.isArray()) {
      throw new UserDataException(where + ": write_files must be a list, got "
          + files.getNodeType());
    }
    for (int i = 0; i < files.size(); i++) {
      JsonNode file = files.get(i);
      if (PROFILE_PATH.equals(file.path("path").asText(null))) {
        scripts.add(fileContent(file, where + " write_files[" + i + "]"));
      }
    }
  }

  private static String location(IOException e) {
    if (e instanceof JsonProcessingException parse && parse.getLocation() != null) {
      return " (line " + parse.getLocation().getLineNr() + ", column "
          + parse.getLocation().getColumnNr() + ")";
    }
    return "";
  }

  private static String fileContent(JsonNode file, String where) {
    JsonNode content = file.path("content");
    if (!content.isTextual()) {
      throw new UserDataException(where + ": content must be text, got "
          + content.getNodeType());
    }
    String encoding = file.path("encoding").asText("text").strip().toLowerCase(Locale.ROOT);
    return switch (encoding) {
      case "text", "" -> content.asText();
      case "b64", "base64" -> utf8(base64(content.asText(), where), where);
      case "gz", "gzip" -> throw new UserDataException(where + ": encoding " + encoding
          + " needs binary YAML content, which is not supported");
      case "gz+b64", "gz+base64", "gzip+b64", "gzip+base64" ->
          utf8(gunzip(base64(content.asText(), where), where), where);
      default -> throw new UserDataException(where + ": unknown encoding " + encoding);
    };
  }

  private static boolean isCloudConfig(String text) {
    String first = text.lines().findFirst().orElse("").stripTrailing();
    return first.equals("#cloud-config");
  }

  private static String firstLineHint(String text) {
    String first = text.lines().findFirst().orElse("").strip();
    String hint = first.length() > 16 ? first.substring(0, 16) + "..." : first;
    return "'" + hint.replaceAll("[^\\x20-\\x7e]", "?") + "'";
  }

  static boolean isGzip(byte[] data) {
    return data.length >= 2 && (data[0] & 0xff) == 0x1f && (data[1] & 0xff) == 0x8b;
  }

  private static byte[] unzipped(byte[] data, String where) {
    return isGzip(data) ? gunzip(data, where) : data;
  }

  private static byte[] gunzip(byte[] data, String where) {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
      byte[] plain = in.readNBytes(MAX_BYTES + 1);
      if (plain.length > MAX_BYTES) {
        throw new UserDataException(where + ": gunzipped size exceeds " + MAX_BYTES + " bytes");
      }
      return plain;
    } catch (IOException e) {
      throw new UserDataException(where + ": gzip data is corrupt: " + e.getMessage(), e);
    }
  }

  private static byte[] base64(String text, String where) {
    try {
      return Base64.getMimeDecoder().decode(text.strip());
    } catch (IllegalArgumentException e) {
      throw new UserDataException(where + ": content is not valid base64", e);
    }
  }

  private static String utf8(byte[] data, String where) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(data))
          .toString();
    } catch (CharacterCodingException e) {
      throw new UserDataException(where + ": not UTF-8 text", e);
    }
  }
}
