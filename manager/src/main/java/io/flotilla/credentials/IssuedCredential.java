package io.flotilla.credentials;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Arrays;

/**
 * A freshly issued credential: the bytes handed to one guest, plus what the traceability
 * log records about it.
 *
 * <p>The bytes are not copied on the way out so that the caller can {@link #clear()} them
 * once written; {@link #toString()} never shows them.
 */
public final class IssuedCredential {
  /** The two kinds of credential a machine can get. */
  public enum Kind {
    /** An RFC 3820 proxy bundle, PEM. */
    PROXY("application/x-pem-file"),
    /** An OAuth2 access token, its bare text. */
    TOKEN("text/plain; charset=us-ascii");

    private final String contentType;

    Kind(String contentType) {
      this.contentType = contentType;
    }

    /** The Content-Type the guest API answers with. */
    public String contentType() {
      return contentType;
    }
  }

  private final Kind kind;
  private final byte[] content;
  private final BigInteger serial;
  private final String traceId;
  private final String subject;
  private final Instant notAfter;

  private IssuedCredential(Kind kind, byte[] content, BigInteger serial, String traceId,
      String subject, Instant notAfter) {
    this.kind = kind;
    this.content = content;
    this.serial = serial;
    this.traceId = traceId;
    this.subject = subject;
    this.notAfter = notAfter;
  }

  static IssuedCredential proxy(byte[] pem, BigInteger serial, String subject, Instant notAfter) {
    return new IssuedCredential(Kind.PROXY, pem, serial, serial.toString(), subject, notAfter);
  }

  /**
   * @param traceId the token's {@code jti}, or {@code sha256:<prefix>} of a token that has
   *     none
   * @param subject the token's {@code sub}, or empty when unknown
   */
  static IssuedCredential token(byte[] token, String traceId, String subject, Instant notAfter) {
    return new IssuedCredential(Kind.TOKEN, token, null, traceId, subject, notAfter);
  }

  public Kind kind() {
    return kind;
  }

  /**
   * For a proxy: proxy certificate, its private key ({@code RSA PRIVATE KEY}), then the
   * signing chain (robot certificate, or source proxy and robot certificate), as grid tools
   * ({@code voms-proxy-init}, {@code X509_USER_PROXY}) expect. For a token: the token text.
   * The array itself, not a copy: zeroed by {@link #clear()}.
   */
  public byte[] content() {
    return content;
  }

  /** The proxy PEM bundle; the same array as {@link #content()}. */
  public byte[] pem() {
    return content;
  }

  /** The proxy certificate's serial number, also the value of its last CN; null for tokens. */
  public BigInteger serial() {
    return serial;
  }

  /**
   * What identifies this credential in the traceability log: the proxy serial (decimal), the
   * token's {@code jti}, or {@code sha256:} and the first 16 hex digits of the token's hash.
   */
  public String traceId() {
    return traceId;
  }

  /** The proxy subject in OpenSSL slash form, or the token's {@code sub} (may be empty). */
  public String subject() {
    return subject;
  }

  public Instant notAfter() {
    return notAfter;
  }

  /** Overwrites the bytes with zeros. */
  public void clear() {
    Arrays.fill(content, (byte) 0);
  }

  @Override
  public String toString() {
    return kind == Kind.PROXY
        ? "IssuedCredential[serial=" + serial + ", subject=" + subject + ", notAfter="
            + notAfter + "]"
        : "IssuedCredential[token, id=" + traceId + ", subject=" + subject + ", notAfter="
            + notAfter + "]";
  }
}
