package io.flotilla.state;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals machine records with an HMAC under a secret the site's managers share.
 *
 * <p>Why: open-source Hazelcast has no authentication, so anything that can reach a
 * member's port can read and write the shared maps. A record whose seal does not verify is
 * treated as absent, so such a writer cannot, for example, swap a machine's token hash and
 * fetch a second credential. It still can delete records or replay an older sealed one;
 * the README says the cluster port must be reachable by the managers alone.
 */
public final class RecordSeal {
  static final int SECRET_BYTES = 32;
  private static final String ALGORITHM = "HmacSHA256";
  private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();

  private final SecretKeySpec key;

  private RecordSeal(byte[] secret) {
    this.key = new SecretKeySpec(secret, ALGORITHM);
  }

  /** A seal with a fresh random secret: for a store no other process shares. */
  public static RecordSeal random() {
    byte[] secret = new byte[SECRET_BYTES];
    new SecureRandom().nextBytes(secret);
    return new RecordSeal(secret);
  }

  /**
   * The site's seal from {@code file}; if the file does not exist yet, a new random secret
   * is written to it (mode 600) so the next manager or {@code flotilla plan} finds it.
   *
   * @throws IllegalArgumentException naming the file if it cannot be read or is too short
   */
  public static RecordSeal fromFile(Path file) {
    try {
      if (!Files.exists(file)) {
        create(file);
      }
      byte[] secret = Files.readAllBytes(file);
      if (secret.length < SECRET_BYTES) {
        throw new IllegalArgumentException("cluster secret " + file + " holds " + secret.length
            + " bytes; at least " + SECRET_BYTES + " are needed");
      }
      return new RecordSeal(secret);
    } catch (IOException e) {
      throw new IllegalArgumentException("cluster secret " + file + " cannot be read: " + e, e);
    }
  }

  private static void create(Path file) throws IOException {
    byte[] secret = new byte[SECRET_BYTES];
    new SecureRandom().nextBytes(secret);
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), ".secret", ".tmp");
    try {
      Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
      Files.write(temp, secret);
      Files.move(temp, file);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** {@code SEAL.TEXT}: the text with its seal in front. */
  String seal(String text) {
    return BASE64.encodeToString(mac(text)) + "." + text;
  }

  /** The text inside a sealed value, or null if the seal does not verify. */
  String open(String sealed) {
    int dot = sealed.indexOf('.');
    if (dot <= 0) {
      return null;
    }
    String text = sealed.substring(dot + 1);
    byte[] expected = BASE64.encode(mac(text));
    byte[] given = sealed.substring(0, dot).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, given) ? text : null;
  }

  private byte[] mac(String text) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available", e);
    }
  }

  /** Never shows the secret. */
  @Override
  public String toString() {
    return "RecordSeal[HmacSHA256]";
  }
}
