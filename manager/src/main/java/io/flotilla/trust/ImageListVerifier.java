package io.flotilla.trust;

import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies signed HEPiX image lists. Checks run in this order and the first failure is
 * reported: {@code mime}, {@code signature}, {@code signer-count}, {@code signer-validity},
 * {@code chain}, {@code crl}, {@code json}, {@code endorser-dn}, {@code endorser-ca},
 * {@code endorser-trusted}, {@code created}, {@code expires}.
 *
 * <p>Time comes from the injected clock; {@code skew} tolerates clock differences for the
 * list's creation time and CRL update times (certificate validity is checked exactly).
 * Instances are immutable and thread-safe.
 */
public final class ImageListVerifier {

  private static final Logger log = LoggerFactory.getLogger(ImageListVerifier.class);

  private final CaDirectory caDirectory;
  private final Clock clock;
  private final Duration skew;

  /** Creates a verifier trusting the CAs (and CRLs) of {@code caDirectory}. */
  public ImageListVerifier(CaDirectory caDirectory, Clock clock, Duration skew) {
    this.caDirectory = Objects.requireNonNull(caDirectory, "caDirectory");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.skew = Objects.requireNonNull(skew, "skew");
  }

  /**
   * Verifies one signed list.
   *
   * @param sourceName file name or URL of the list, used in every message
   * @param fileBytes the raw bytes as downloaded
   * @param trustedEndorsers the endorsers allowed for this subscription; {@code null} trusts
   *     whichever endorser the list names (one-off verification), the signature, chain and
   *     DN checks still apply
   * @throws ImageListException for the first failing check
   */
  public VerifiedImageList verify(String sourceName, byte[] fileBytes,
      List<Endorser> trustedEndorsers) {
    return check(sourceName, fileBytes, trustedEndorsers).verifiedOrThrow();
  }

  /**
   * Like {@link #verify} but never throws for a refused list: returns every check performed
   * with its outcome (for a CLI that prints them).
   */
  public VerificationReport check(String sourceName, byte[] fileBytes,
      List<Endorser> trustedEndorsers) {
    VerificationRun run = new VerificationRun();
    try {
      VerifiedImageList verified = runChecks(run, sourceName, fileBytes, trustedEndorsers);
      log.info("image list verified source={} identifier={} signer={} images={}", sourceName,
          verified.imageList().identifier(), verified.signerDn(),
          verified.imageList().images().size());
      return new VerificationReport(sourceName, run.checks(), Optional.of(verified),
          Optional.empty());
    } catch (ImageListException e) {
      log.warn("image list refused source={} reason={} detail={}", sourceName, e.reason(),
          e.getMessage());
      return new VerificationReport(sourceName, run.checks(), Optional.empty(), Optional.of(e));
    }
  }

  private VerifiedImageList runChecks(VerificationRun run, String source, byte[] bytes,
      List<Endorser> trustedEndorsers) {
    Instant now = clock.instant();
    SmimeParser.SignedMessage message = run.step("mime",
        () -> new SmimeParser(source).parse(bytes), SmimeParser.SignedMessage::description);
    CmsSignature.Verified signed = run.step("signature",
        () -> new CmsSignature(source).verify(message),
        v -> "signature verifies over " + v.content().length + " bytes");
    X509Certificate signer = run.step("signer-count", () -> singleSigner(source, signed),
        s -> "one signer: " + dn(s));
    run.step("signer-validity", () -> checkValidNow(source, signer, now));
    List<X509Certificate> path = run.step("chain",
        () -> buildPath(source, signer, signed.certificates(), now), this::describePath);
    run.step("crl", () -> checkRevocation(source, path, now));
    ImageListJson.Decoded decoded = run.step("json",
        () -> new ImageListJson(source).decode(SmimeParser.bodyOf(signed.content())),
        d -> d.list().images().size() + " images, " + d.warnings().size() + " skipped");
    new EndorserChecks(source, decoded.list(), signer).run(run, trustedEndorsers);
    checkDates(run, source, decoded.list(), now);
    return new VerifiedImageList(source, decoded.list(), dn(signer),
        OpenSslDn.format(signer.getIssuerX500Principal()), now, decoded.warnings());
  }

  private static X509Certificate singleSigner(String source, CmsSignature.Verified signed) {
    if (signed.signers().size() != 1) {
      throw new ImageListException(ImageListException.Reason.SIGNER_COUNT, "image list "
          + source + " has " + signed.signers().size() + " signers, expected exactly 1: "
          + signed.signers().stream().map(ImageListVerifier::dn)
              .collect(Collectors.joining(", ")));
    }
    return signed.signers().get(0);
  }

  private static String checkValidNow(String source, X509Certificate signer, Instant now) {
    try {
      signer.checkValidity(Date.from(now));
    } catch (CertificateExpiredException | CertificateNotYetValidException e) {
      throw new ImageListException(ImageListException.Reason.SIGNER_NOT_VALID_NOW,
          "image list " + source + ": signer certificate " + dn(signer) + " is valid from "
              + signer.getNotBefore().toInstant() + " to " + signer.getNotAfter().toInstant()
              + ", not at " + now);
    }
    return "valid until " + signer.getNotAfter().toInstant();
  }

  private List<X509Certificate> buildPath(String source, X509Certificate signer,
      List<X509Certificate> bundled, Instant now) {
    List<X509Certificate> extras = new ArrayList<>(bundled);
    extras.remove(signer);
    try {
      return caDirectory.buildPath(signer, extras, now);
    } catch (TrustException e) {
      throw asListException(source, e);
    }
  }

  private String checkRevocation(String source, List<X509Certificate> path, Instant now) {
    try {
      caDirectory.checkRevocation(path, now, skew);
    } catch (TrustException e) {
      throw asListException(source, e);
    }
    return "current CRLs, no certificate revoked";
  }

  private String describePath(List<X509Certificate> path) {
    return path.stream().map(ImageListVerifier::dn).collect(Collectors.joining(" <- "))
        + " (trusted in " + caDirectory.path() + ")";
  }

  private void checkDates(VerificationRun run, String source, ImageList list, Instant now) {
    run.step("created", () -> {
      if (now.isBefore(list.created().minus(skew))) {
        throw new ImageListException(ImageListException.Reason.LIST_NOT_YET_VALID,
            "image list " + source + ": dc:date:created " + list.created()
                + " is in the future (now " + now + ", allowed skew " + skew + ")");
      }
      return "created " + list.created();
    });
    run.step("expires", () -> {
      if (now.isAfter(list.expires())) {
        throw new ImageListException(ImageListException.Reason.LIST_EXPIRED, "image list "
            + source + ": dc:date:expires " + list.expires() + " has passed (now " + now + ")");
      }
      return "expires " + list.expires();
    });
  }

  private static ImageListException asListException(String source, TrustException e) {
    ImageListException.Reason reason = switch (e.reason()) {
      case CRL_MISSING -> ImageListException.Reason.CRL_MISSING;
      case CRL_STALE -> ImageListException.Reason.CRL_STALE;
      case REVOKED -> ImageListException.Reason.REVOKED;
      case UNTRUSTED_CHAIN, DIRECTORY_UNREADABLE -> ImageListException.Reason.UNTRUSTED_CHAIN;
    };
    return new ImageListException(reason, "image list " + source + ": " + e.getMessage(), e);
  }

  static String dn(X509Certificate cert) {
    return OpenSslDn.format(cert.getSubjectX500Principal());
  }
}
