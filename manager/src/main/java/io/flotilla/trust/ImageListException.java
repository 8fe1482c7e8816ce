package io.flotilla.trust;

/**
 * An image list was refused. {@link #reason()} says which check failed; the message names
 * the list, the field and the values compared.
 */
public final class ImageListException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * The check that refused the list, in the order the checks run; the last three are the
   * per-subscription rules of {@link SubscriptionRules}.
   */
  public enum Reason {
    /**
     * The file is not an S/MIME message (e.g. plain, unsigned JSON) and unsigned lists are not
     * allowed.
     */
    NOT_SMIME,
    /** The S/MIME structure is broken: boundary, parts, headers, base64, PKCS#7 DER. */
    MALFORMED_MIME,
    /** The CMS signature does not verify over the signed bytes. */
    SIGNATURE_INVALID,
    /** Not exactly one signer, or the signer certificate is not in the PKCS#7. */
    SIGNER_COUNT,
    /** The signer certificate is not yet valid or has expired. */
    SIGNER_NOT_VALID_NOW,
    /** The signer does not chain to a CA of the CA directory. */
    UNTRUSTED_CHAIN,
    /** A subject of the chain is outside its issuing CA's namespace or denied by it. */
    NAMESPACE_VIOLATION,
    /** An issuing CA has no namespace rule and rules are required. */
    NAMESPACE_MISSING,
    /** An issuing CA of the chain has no CRL. */
    CRL_MISSING,
    /** An issuing CA's CRL is expired or issued in the future. */
    CRL_STALE,
    /** A certificate of the chain is revoked. */
    REVOKED,
    /** The signed JSON is not a valid image list. */
    MALFORMED_LIST,
    /** {@code hv:dn} differs from the signer's subject. */
    ENDORSER_DN_MISMATCH,
    /** {@code hv:ca} differs from the signer's issuer. */
    ENDORSER_CA_MISMATCH,
    /** The (dn, ca) endorser is not among the trusted endorsers. */
    ENDORSER_NOT_TRUSTED,
    /** {@code dc:date:created} is in the future beyond the allowed skew. */
    LIST_NOT_YET_VALID,
    /** {@code dc:date:expires} has passed. */
    LIST_EXPIRED,
    /** {@code dc:identifier} differs from the one this subscription has seen before. */
    IDENTIFIER_CHANGED,
    /** {@code hv:version} is lower than the version accepted before (or was dropped). */
    VERSION_ROLLBACK,
    /** An image identifier occurs twice in the list, or in another subscribed list. */
    DUPLICATE_IMAGE
  }

  private final Reason reason;

  /** Creates a refusal; {@code message} must name the list and the values compared. */
  public ImageListException(Reason reason, String message) {
    this(reason, message, null);
  }

  /** Creates a refusal with the underlying cause. */
  public ImageListException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  /** The failed check. */
  public Reason reason() {
    return reason;
  }
}
