package io.flotilla.trust;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Splits an S/MIME signed message into signed content and PKCS#7 signature without a general
 * MIME library: AppDB-style lists have no part headers and no blank line after the boundary,
 * which general parsers misread.
 *
 * <p>For {@code multipart/signed} the signed bytes are exactly those between the first
 * boundary line (after its line break) and the line break preceding the next boundary line,
 * canonicalised to CRLF line endings as S/MIME requires (this is what {@code openssl smime
 * -sign} digests). For opaque {@code application/pkcs7-mime} the content is inside the CMS.
 */
final class SmimeParser {

  /** The pieces of a signed message; {@code signedContent} is null for opaque messages. */
  record SignedMessage(byte[] signedContent, byte[] pkcs7, String description) {
    boolean detached() {
      return signedContent != null;
    }
  }

  private static final Set<String> SIGNATURE_TYPES =
      Set.of("application/pkcs7-signature", "application/x-pkcs7-signature");
  private static final Set<String> OPAQUE_TYPES =
      Set.of("application/pkcs7-mime", "application/x-pkcs7-mime");
  private static final Pattern HEADER_LINE = Pattern.compile("[A-Za-z0-9-]+:.*");

  private final String source;

  SmimeParser(String source) {
    this.source = source;
  }

  SignedMessage parse(byte[] bytes) {
    MimeHeaders headers = MimeHeaders.read(bytes, 0);
    if (headers == null || headers.get("content-type").isEmpty()) {
      throw notSmime("it has no MIME header block with a Content-Type"
          + (startsWithBrace(bytes) ? " (it looks like plain, unsigned JSON)" : ""));
    }
    String type = headers.mediaType();
    if (type.equals("multipart/signed")) {
      return parseMultipart(bytes, headers);
    }
    if (OPAQUE_TYPES.contains(type)) {
      return parseOpaque(bytes, headers);
    }
    throw notSmime("Content-Type is " + type
        + ", expected multipart/signed or application/pkcs7-mime");
  }

  /** The body of {@code content} without MIME part headers, if it starts with any. */
  static byte[] bodyOf(byte[] content) {
    int firstLineEnd = MimeHeaders.lineEnd(content, 0);
    String firstLine = MimeHeaders.text(content, 0, firstLineEnd);
    if (!HEADER_LINE.matcher(firstLine).matches()) {
      return content;
    }
    MimeHeaders partHeaders = MimeHeaders.read(content, 0);
    return partHeaders == null ? content
        : Arrays.copyOfRange(content, partHeaders.bodyOffset(), content.length);
  }

  /** Converts bare LF line endings to CRLF; CRLF stays as it is. */
  static byte[] canonicalise(byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 64);
    for (int i = 0; i < content.length; i++) {
      if (content[i] == '\n' && (i == 0 || content[i - 1] != '\r')) {
        out.write('\r');
      }
      out.write(content[i]);
    }
    return out.toByteArray();
  }

  private SignedMessage parseMultipart(byte[] bytes, MimeHeaders headers) {
    String protocol = headers.parameter("protocol").toLowerCase(Locale.ROOT);
    if (!SIGNATURE_TYPES.contains(protocol)) {
      throw malformed("multipart/signed protocol is '" + protocol
          + "', expected application/pkcs7-signature or application/x-pkcs7-signature");
    }
    String boundary = headers.parameter("boundary");
    if (boundary.isEmpty()) {
      throw malformed("multipart/signed has no boundary parameter");
    }
    byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    int first = findDelimiterLine(bytes, headers.bodyOffset(), delimiter);
    if (first < 0) {
      throw malformed("boundary '" + boundary + "' never occurs in the body");
    }
    int contentStart = MimeHeaders.nextLine(bytes, MimeHeaders.lineEnd(bytes, first));
    int second = findDelimiterLine(bytes, contentStart, delimiter);
    if (second < 0) {
      throw malformed("the signed part is not followed by a second boundary line");
    }
    byte[] content = Arrays.copyOfRange(bytes, contentStart, bodyEnd(bytes, contentStart, second));
    byte[] pkcs7 = signaturePart(bytes, second, delimiter);
    String description = "multipart/signed protocol=" + protocol + " micalg="
        + headers.parameter("micalg");
    return new SignedMessage(canonicalise(content), pkcs7, description);
  }

  private byte[] signaturePart(byte[] bytes, int delimiterLine, byte[] delimiter) {
    int partStart = MimeHeaders.nextLine(bytes, MimeHeaders.lineEnd(bytes, delimiterLine));
    MimeHeaders partHeaders = MimeHeaders.read(bytes, partStart);
    if (partHeaders == null || !SIGNATURE_TYPES.contains(partHeaders.mediaType())) {
      throw malformed("second part is not application/(x-)pkcs7-signature (Content-Type '"
          + (partHeaders == null ? "" : partHeaders.mediaType()) + "')");
    }
    int end = findDelimiterLine(bytes, partHeaders.bodyOffset(), delimiter);
    if (end < 0) {
      throw malformed("signature part has no closing boundary line");
    }
    return decodeBody(bytes, partHeaders, bodyEnd(bytes, partHeaders.bodyOffset(), end));
  }

  private SignedMessage parseOpaque(byte[] bytes, MimeHeaders headers) {
    String smimeType = headers.parameter("smime-type");
    if (!smimeType.isEmpty() && !smimeType.equalsIgnoreCase("signed-data")) {
      throw notSmime("application/pkcs7-mime smime-type is '" + smimeType
          + "', only signed-data is supported");
    }
    byte[] pkcs7 = decodeBody(bytes, headers, bytes.length);
    return new SignedMessage(null, pkcs7, "application/pkcs7-mime (opaque signed-data)");
  }

  private byte[] decodeBody(byte[] bytes, MimeHeaders headers, int end) {
    byte[] body = Arrays.copyOfRange(bytes, headers.bodyOffset(), end);
    String encoding = headers.get("content-transfer-encoding").toLowerCase(Locale.ROOT);
    if (encoding.equals("binary")) {
      return body;
    }
    if (!encoding.isEmpty() && !encoding.equals("base64")) {
      throw malformed("signature Content-Transfer-Encoding is '" + encoding
          + "', expected base64 or binary");
    }
    try {
      return Base64.getMimeDecoder().decode(body);
    } catch (IllegalArgumentException e) {
      throw malformed("signature is not valid base64: " + e.getMessage());
    }
  }

  /** Start of the first line at or after {@code from} that is a boundary (or close) line. */
  private static int findDelimiterLine(byte[] bytes, int from, byte[] delimiter) {
    int lineStart = from;
    while (lineStart < bytes.length) {
      int lineEnd = MimeHeaders.lineEnd(bytes, lineStart);
      if (isDelimiterLine(bytes, lineStart, lineEnd, delimiter)) {
        return lineStart;
      }
      lineStart = MimeHeaders.nextLine(bytes, lineEnd);
    }
    return -1;
  }

  private static boolean isDelimiterLine(byte[] bytes, int start, int end, byte[] delimiter) {
    if (end - start < delimiter.length
        || !Arrays.equals(bytes, start, start + delimiter.length, delimiter, 0,
            delimiter.length)) {
      return false;
    }
    String rest = MimeHeaders.text(bytes, start + delimiter.length, end).stripTrailing();
    return rest.isEmpty() || rest.equals("--");
  }

  /** The end of a part body: the line break before the boundary line belongs to it. */
  private static int bodyEnd(byte[] bytes, int bodyStart, int delimiterLine) {
    int end = delimiterLine;
    if (end > bodyStart && bytes[end - 1] == '\n') {
      end--;
    }
    if (end > bodyStart && bytes[end - 1] == '\r') {
      end--;
    }
    return end;
  }

  private static boolean startsWithBrace(byte[] bytes) {
    for (byte b : bytes) {
      if (!Character.isWhitespace(b)) {
        return b == '{';
      }
    }
    return false;
  }

  private ImageListException notSmime(String why) {
    return new ImageListException(ImageListException.Reason.NOT_SMIME,
        "image list " + source + " is not an S/MIME signed message: " + why);
  }

  private ImageListException malformed(String why) {
    return new ImageListException(ImageListException.Reason.MALFORMED_MIME,
        "image list " + source + " has a malformed S/MIME structure: " + why);
  }
}
