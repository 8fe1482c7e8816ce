package io.flotilla.credentials;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The claims of a JWT access token that the traceability log and the lifetime rule need,
 * read from its payload <em>without</em> verifying the signature: the issuer we just asked
 * over an authenticated connection is trusted for what it sent, and the guest's services
 * verify the token themselves. An opaque (non-JWT) token has no claims.
 *
 * @param jti the token id
 * @param sub the subject
 * @param exp the expiry
 */
record JwtClaims(Optional<String> jti, Optional<String> sub, Optional<Instant> exp) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JwtClaims NONE =
      new JwtClaims(Optional.empty(), Optional.empty(), Optional.empty());
  private static final int MAX_CLAIM_CHARS = 256;

  static JwtClaims of(byte[] token) {
    String text = new String(token, StandardCharsets.US_ASCII);
    String[] parts = text.split("\\.", -1);
    if (parts.length != 3) {
      return NONE;
    }
    byte[] payload = null;
    try {
      payload = Base64.getUrlDecoder().decode(parts[1]);
      JsonNode claims = JSON.readTree(payload);
      return claims != null && claims.isObject() ? fromClaims(claims) : NONE;
    } catch (IllegalArgumentException | IOException e) {
      return NONE;
    } finally {
      if (payload != null) {
        Arrays.fill(payload, (byte) 0);
      }
    }
  }

  private static JwtClaims fromClaims(JsonNode claims) {
    JsonNode exp = claims.get("exp");
    return new JwtClaims(text(claims, "jti"), text(claims, "sub"),
        exp != null && exp.canConvertToLong()
            ? Optional.of(Instant.ofEpochSecond(exp.asLong())) : Optional.empty());
  }

  /** A printable, bounded claim, so it is safe in a log line. */
  private static Optional<String> text(JsonNode claims, String name) {
    JsonNode value = claims.get(name);
    if (value == null || !value.isTextual()) {
      return Optional.empty();
    }
    String text = value.asText();
    boolean printable = text.chars().allMatch(c -> c > 32 && c < 127);
    return printable && !text.isEmpty() && text.length() <= MAX_CLAIM_CHARS
        ? Optional.of(text) : Optional.empty();
  }

  static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM offers no SHA-256", e);
    }
  }
}
