package io.flotilla.trust;

import java.time.Instant;
import java.util.List;

/**
 * An image list whose signature, signer, chain, CRLs, endorser and dates all passed.
 *
 * @param sourceName the name the caller gave the list (file or URL), used in messages
 * @param imageList the decoded list
 * @param signerDn the signer certificate's subject, slash form
 * @param signerCaDn the signer certificate's issuer, slash form
 * @param verifiedAt the clock instant the checks used
 * @param warnings non-fatal findings, e.g. images skipped for missing keys
 */
public record VerifiedImageList(
    String sourceName,
    ImageList imageList,
    String signerDn,
    String signerCaDn,
    Instant verifiedAt,
    List<String> warnings) {

  /** Copies {@code warnings} so the record stays immutable. */
  public VerifiedImageList {
    warnings = List.copyOf(warnings);
  }
}
