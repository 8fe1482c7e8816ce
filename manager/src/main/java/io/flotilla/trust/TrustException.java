package io.flotilla.trust;

/**
 * A certificate could not be trusted against a {@link CaDirectory}, or the directory itself
 * could not be read. The message names the certificate, the CA and the values compared.
 */
public final class TrustException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Why trust was refused. */
  public enum Reason {
    /** The CA directory is missing or unreadable. */
    DIRECTORY_UNREADABLE,
    /** No valid certification path from the certificate to a CA of the directory. */
    UNTRUSTED_CHAIN,
    /** A certificate's subject is outside (or denied by) its issuing CA's namespace rules. */
    NAMESPACE_VIOLATION,
    /** The issuing CA has no namespace rule and {@link NamespaceMode#REQUIRE} is in force. */
    NAMESPACE_MISSING,
    /** An issuing CA of the path has no (valid, correctly signed) CRL in the directory. */
    CRL_MISSING,
    /** The newest CRL of an issuing CA is past nextUpdate or issued in the future. */
    CRL_STALE,
    /** A certificate of the path is listed in its issuer's CRL. */
    REVOKED
  }

  private final Reason reason;

  TrustException(Reason reason, String message) {
    this(reason, message, null);
  }

  TrustException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  /** The typed reason, for callers that branch on it. */
  public Reason reason() {
    return reason;
  }
}
