package io.flotilla.context;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * cloud-init user-data parts: which MIME type cloud-init gives a document by its first line,
 * and a {@code multipart/mixed} message that joins several documents in order.
 */
final class UserDataParts {
  /**
   * How parts merge: lists (write_files, runcmd, ...) are appended and mappings merged, so a
   * later part adds to an earlier one instead of replacing its lists; for a single value the
   * earlier part (the site's) wins.
   */
  static final String MERGE_TYPE = "list(append)+dict(no_replace,recurse_list)+str()";

  /** First-line prefixes cloud-init recognises, longest first, and the type each selects. */
  private static final List<String[]> PREFIXES = List.of(
      new String[] {"#cloud-config-archive", "text/cloud-config-archive"},
      new String[] {"#cloud-config-jsonp", "text/cloud-config-jsonp"},
      new String[] {"#cloud-config", "text/cloud-config"},
      new String[] {"#cloud-boothook", "text/cloud-boothook"},
      new String[] {"#include-once", "text/x-include-once-url"},
      new String[] {"#include", "text/x-include-url"},
      new String[] {"#part-handler", "text/part-handler"},
      new String[] {"## template: jinja", "text/jinja2"},
      new String[] {"#!", "text/x-shellscript"});

  /** One document and the file name cloud-init records for it. */
  record Part(String fileName, String text) {}

  private UserDataParts() {}

  /**
   * The MIME type cloud-init gives {@code text}, {@code multipart/*} for a MIME message;
   * empty when cloud-init would not run it ({@code text/x-not-multipart}).
   */
  static Optional<String> typeOf(String text) {
    if (looksLikeMime(text)) {
      return Optional.of("multipart/mixed");
    }
    for (String[] prefix : PREFIXES) {
      if (text.startsWith(prefix[0])) {
        return Optional.of(prefix[1]);
      }
    }
    return Optional.empty();
  }

  static boolean looksLikeMime(String text) {
    String head = text.toLowerCase(Locale.ROOT);
    return head.startsWith("content-type:") || head.startsWith("mime-version:");
  }

  /**
   * The parts as one {@code multipart/mixed} message. The boundary is derived from the
   * parts, so the same parts always give the same bytes.
   *
   * @throws ContextException if a part is of no type cloud-init runs
   */
  static String multipart(List<Part> parts) {
    String boundary = boundary(parts);
    StringBuilder out = new StringBuilder();
    out.append("Content-Type: multipart/mixed; boundary=\"").append(boundary).append("\"\n")
        .append("MIME-Version: 1.0\n\n");
    for (Part part : parts) {
      out.append("--").append(boundary).append('\n');
      if (looksLikeMime(part.text())) {
        // A MIME document is an entity already: its own headers head the part.
        out.append(part.text());
      } else {
        appendLeaf(out, part);
      }
      // The line break before a delimiter belongs to the delimiter (RFC 2046 5.1.1): this
      // one keeps the part's own text exact.
      out.append('\n');
    }
    out.append("--").append(boundary).append("--\n");
    return out.toString();
  }

  private static void appendLeaf(StringBuilder out, Part part) {
    String type = typeOf(part.text()).orElseThrow(() -> new ContextException("user-data part "
        + part.fileName() + " does not start with a line cloud-init recognises (such as"
        + " #cloud-config or #!), so cloud-init would not run it"));
    boolean ascii = StandardCharsets.US_ASCII.newEncoder().canEncode(part.text());
    out.append("Content-Type: ").append(type).append("; charset=\"utf-8\"\n")
        .append("MIME-Version: 1.0\n")
        .append("Content-Transfer-Encoding: ").append(ascii ? "7bit" : "8bit").append('\n')
        .append("Content-Disposition: attachment; filename=\"").append(part.fileName())
        .append("\"\n");
    if (type.equals("text/cloud-config")) {
      out.append("Merge-Type: ").append(MERGE_TYPE).append('\n');
    }
    out.append('\n').append(part.text());
  }

  private static String boundary(List<Part> parts) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
    for (Part part : parts) {
      digest.update(part.text().getBytes(StandardCharsets.UTF_8));
      digest.update((byte) 0);
    }
    String boundary = "==flotilla-" + HexFormat.of().formatHex(digest.digest(), 0, 12) + "==";
    for (Part part : parts) {
      if (part.text().contains("--" + boundary)) {
        throw new ContextException("user-data part " + part.fileName()
            + " contains the MIME boundary " + boundary);
      }
    }
    return boundary;
  }
}
