package io.flotilla.guest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The secret in each machine's guest URLs. The token goes into the machine's user-data only;
 * the manager keeps just its SHA-256 ({@code MachineRecord.tokenHash}).
 */
public final class GuestTokens {
  private static final int TOKEN_BYTES = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  private GuestTokens() {}

  /** A fresh token: 32 random bytes, base64url without padding (43 characters). */
  public static String newToken() {
    byte[] bytes = new byte[TOKEN_BYTES];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Lower-case hex SHA-256 of the token's UTF-8 bytes. */
  public static String hash(String token) {
    return HexFormat.of().formatHex(sha256(token.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * Whether {@code token} hashes to {@code expectedHash}, compared in constant time so the
   * answer's timing tells nothing about how much of a guess was right.
   */
  public static boolean matches(String token, String expectedHash) {
    if (token == null || expectedHash == null) {
      return false;
    }
    byte[] actual = hash(token).getBytes(StandardCharsets.US_ASCII);
    byte[] expected = expectedHash.getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(actual, expected);
  }

  private static byte[] sha256(byte[] input) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(input);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM offers no SHA-256", e);
    }
  }
}
