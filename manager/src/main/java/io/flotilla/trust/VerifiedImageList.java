package io.flotilla.trust;

import java.time.Instant;
import java.util.List;

/**
 * An image list whose signature, signer, chain, namespaces, CRLs, endorser and dates all
 * passed; or, only when the caller allowed it, an unsigned list whose JSON and dates passed.
 *
 * @param sourceName the name the caller gave the list (file or URL), used in messages
 * @param imageList the decoded list
 * @param signed false for a plain JSON list accepted because unsigned lists were allowed
 * @param signerDn the signer certificate's subject, slash form; {@code null} when unsigned
 * @param signerCaDn the signer certificate's issuer, slash form; {@code null} when unsigned
 * @param verifiedAt the clock instant the checks used
 * @param fileSha256 lower-case hex SHA-256 of the file bytes as given to the verifier
 * @param warnings non-fatal findings, e.g. images skipped for missing keys, unsigned list
 */
public record VerifiedImageList(
    String sourceName,
    ImageList imageList,
    boolean signed,
    String signerDn,
    String signerCaDn,
    Instant verifiedAt,
    String fileSha256,
    List<String> warnings) {

  /** Copies {@code warnings} so the record stays immutable. */
  public VerifiedImageList {
    warnings = List.copyOf(warnings);
  }
}
