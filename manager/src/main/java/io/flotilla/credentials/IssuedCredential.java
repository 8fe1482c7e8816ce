package io.flotilla.credentials;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Arrays;

/**
 * A freshly minted proxy: the PEM bundle handed to one guest, plus what the traceability log
 * records about it.
 *
 * <p>The PEM bytes are not copied on the way out so that the caller can {@link #clear()}
 * them once written; {@link #toString()} never shows them.
 */
public final class IssuedCredential {
  private final byte[] pem;
  private final BigInteger serial;
  private final String subject;
  private final Instant notAfter;

  IssuedCredential(byte[] pem, BigInteger serial, String subject, Instant notAfter) {
    this.pem = pem;
    this.serial = serial;
    this.subject = subject;
    this.notAfter = notAfter;
  }

  /**
   * Proxy certificate, its private key ({@code RSA PRIVATE KEY}), then the robot certificate
   * chain, as grid tools ({@code voms-proxy-init}, {@code X509_USER_PROXY}) expect. The array
   * itself, not a copy: zeroed by {@link #clear()}.
   */
  public byte[] pem() {
    return pem;
  }

  /** The proxy certificate's serial number, also the value of its last CN. */
  public BigInteger serial() {
    return serial;
  }

  /** The proxy subject in OpenSSL slash form. */
  public String subject() {
    return subject;
  }

  public Instant notAfter() {
    return notAfter;
  }

  /** Overwrites the PEM bytes with zeros. */
  public void clear() {
    Arrays.fill(pem, (byte) 0);
  }

  @Override
  public String toString() {
    return "IssuedCredential[serial=" + serial + ", subject=" + subject
        + ", notAfter=" + notAfter + "]";
  }
}
