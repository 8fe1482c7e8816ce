package io.flotilla.trust;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies signed HEPiX image lists. Checks run in this order and the first failure is
 * reported: {@code mime}, {@code signature}, {@code signer-count}, {@code signer-validity},
 * {@code chain}, {@code namespace}, {@code crl}, {@code json}, {@code endorser-dn},
 * {@code endorser-ca}, {@code endorser-trusted}, {@code created}, {@code expires}.
 *
 * <p>Both detached {@code multipart/signed} and opaque {@code application/(x-)pkcs7-mime}
 * messages are accepted. A file that is not S/MIME at all is refused ({@code NOT_SMIME})
 * unless the caller allows unsigned lists; then only {@code json}, {@code created} and
 * {@code expires} apply, the result says {@link VerifiedImageList#signed() unsigned} and a
 * warning is logged on every such verification.
 *
 * <p>Time comes from the injected clock; {@code skew} tolerates clock differences for the
 * list's creation time and CRL update times (certificate validity is checked exactly).
 * The CA directory is taken from the supplier once per verification, so a {@link
 * ReloadingCaDirectory} picks up changed CA and CRL files. Instances are immutable and
 * thread-safe.
 */
public final class ImageListVerifier {

  private static final Logger log = LoggerFactory.getLogger(ImageListVerifier.class);

  private final Supplier<CaDirectory> caDirectories;
  private final Clock clock;
  private final Duration skew;
  private final NamespaceMode namespaceMode;

  /** Creates a verifier trusting the CAs (and CRLs) of {@code caDirectory}. */
  public ImageListVerifier(CaDirectory caDirectory, Clock clock, Duration skew) {
    this(fixed(caDirectory), clock, skew, NamespaceMode.ALLOW_MISSING);
  }

  /**
   * Creates a verifier that asks {@code caDirectories} for the current CA directory at each
   * verification (e.g. a {@link ReloadingCaDirectory}).
   *
   * @param namespaceMode what to do when an issuing CA has no namespace rule
   */
  public ImageListVerifier(Supplier<CaDirectory> caDirectories, Clock clock, Duration skew,
      NamespaceMode namespaceMode) {
    this.caDirectories = Objects.requireNonNull(caDirectories, "caDirectories");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.skew = Objects.requireNonNull(skew, "skew");
    this.namespaceMode = Objects.requireNonNull(namespaceMode, "namespaceMode");
  }

  private static Supplier<CaDirectory> fixed(CaDirectory caDirectory) {
    Objects.requireNonNull(caDirectory, "caDirectory");
    return () -> caDirectory;
  }

  /**
   * Verifies one signed list; unsigned lists are refused.
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
    return verify(sourceName, fileBytes, trustedEndorsers, false);
  }

  /**
   * Like {@link #verify(String, byte[], List)}; with {@code allowUnsigned} a file that is not
   * S/MIME at all is decoded as plain JSON and accepted if its JSON and dates are valid.
   */
  public VerifiedImageList verify(String sourceName, byte[] fileBytes,
      List<Endorser> trustedEndorsers, boolean allowUnsigned) {
    return check(sourceName, fileBytes, trustedEndorsers, allowUnsigned).verifiedOrThrow();
  }

  /**
   * Like {@link #verify} but never throws for a refused list: returns every check performed
   * with its outcome (for a CLI that prints them). Unsigned lists are refused.
   */
  public VerificationReport check(String sourceName, byte[] fileBytes,
      List<Endorser> trustedEndorsers) {
    return check(sourceName, fileBytes, trustedEndorsers, false);
  }

  /** Like {@link #check(String, byte[], List)}, optionally allowing unsigned lists. */
  public VerificationReport check(String sourceName, byte[] fileBytes,
      List<Endorser> trustedEndorsers, boolean allowUnsigned) {
    VerificationRun run = new VerificationRun();
    try {
      VerifiedImageList verified =
          runChecks(run, sourceName, fileBytes, trustedEndorsers, allowUnsigned);
      logAccepted(verified);
      return new VerificationReport(sourceName, run.checks(), Optional.of(verified),
          Optional.empty());
    } catch (ImageListException e) {
      log.warn("image list refused source={} reason={} detail={}", sourceName, e.reason(),
          e.getMessage());
      return new VerificationReport(sourceName, run.checks(), Optional.empty(), Optional.of(e));
    }
  }

  private static void logAccepted(VerifiedImageList verified) {
    if (verified.signed()) {
      log.info("image list verified source={} identifier={} signer={} images={}",
          verified.sourceName(), verified.imageList().identifier(), verified.signerDn(),
          verified.imageList().images().size());
    } else {
      log.warn("image list accepted UNSIGNED source={} identifier={} images={}: nothing"
          + " vouches for its content", verified.sourceName(),
          verified.imageList().identifier(), verified.imageList().images().size());
    }
  }

  private VerifiedImageList runChecks(VerificationRun run, String source, byte[] bytes,
      List<Endorser> trustedEndorsers, boolean allowUnsigned) {
    Instant now = clock.instant();
    SmimeParser.SignedMessage message;
    try {
      message = new SmimeParser(source).parse(bytes);
    } catch (ImageListException e) {
      if (allowUnsigned && e.reason() == ImageListException.Reason.NOT_SMIME) {
        return unsigned(run, source, bytes, e, now);
      }
      throw run.failed("mime", e);
    }
    run.step("mime", message::description);
    CaDirectory caDirectory = caDirectories.get();
    CmsSignature.Verified signed = run.step("signature",
        () -> new CmsSignature(source).verify(message),
        v -> "signed by " + v.signers().stream().map(ImageListVerifier::dn)
            .collect(Collectors.joining(", ")) + ", verifies over " + v.content().length
            + " bytes");
    X509Certificate signer = run.step("signer-count", () -> singleSigner(source, signed),
        s -> "one signer: " + dn(s));
    run.step("signer-validity", () -> checkValidNow(source, signer, now));
    List<X509Certificate> path = run.step("chain",
        () -> buildPath(caDirectory, source, signer, signed.certificates(), now),
        p -> describePath(caDirectory, p));
    run.step("namespace", () -> checkNamespaces(caDirectory, source, path));
    run.step("crl", () -> checkRevocation(caDirectory, source, path, now));
    ImageListJson.Decoded decoded = decodeJson(run, source,
        SmimeParser.bodyOf(signed.content()));
    new EndorserChecks(source, decoded.list(), signer).run(run, trustedEndorsers);
    checkDates(run, source, decoded.list(), now);
    return new VerifiedImageList(source, decoded.list(), true, dn(signer),
        OpenSslDn.format(signer.getIssuerX500Principal()), now, sha256(bytes),
        decoded.warnings());
  }

  private VerifiedImageList unsigned(VerificationRun run, String source, byte[] bytes,
      ImageListException notSmime, Instant now) {
    run.warn("mime", notSmime.getMessage() + "; accepted UNSIGNED because unsigned lists are"
        + " allowed: no signature, chain or endorser check applies");
    ImageListJson.Decoded decoded = decodeJson(run, source, bytes);
    run.warn("endorser", "not checked: the list is unsigned, its hv:dn '"
        + decoded.list().endorserDn() + "' is only a claim");
    checkDates(run, source, decoded.list(), now);
    List<String> warnings = new ArrayList<>(decoded.warnings());
    warnings.add("image list " + source + " is UNSIGNED: nothing vouches for its content");
    return new VerifiedImageList(source, decoded.list(), false, null, null, now, sha256(bytes),
        warnings);
  }

  private static ImageListJson.Decoded decodeJson(VerificationRun run, String source,
      byte[] json) {
    return run.step("json", () -> new ImageListJson(source).decode(json),
        d -> d.list().images().size() + " images, " + d.warnings().size() + " skipped");
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

  private static List<X509Certificate> buildPath(CaDirectory caDirectory, String source,
      X509Certificate signer, List<X509Certificate> bundled, Instant now) {
    List<X509Certificate> extras = new ArrayList<>(bundled);
    extras.remove(signer);
    try {
      return caDirectory.buildPath(signer, extras, now);
    } catch (TrustException e) {
      throw asListException(source, e);
    }
  }

  private String checkNamespaces(CaDirectory caDirectory, String source,
      List<X509Certificate> path) {
    try {
      return String.join("; ", caDirectory.checkNamespaces(path, namespaceMode));
    } catch (TrustException e) {
      throw asListException(source, e);
    }
  }

  private String checkRevocation(CaDirectory caDirectory, String source,
      List<X509Certificate> path, Instant now) {
    try {
      caDirectory.checkRevocation(path, now, skew);
    } catch (TrustException e) {
      throw asListException(source, e);
    }
    return "current CRLs, no certificate revoked";
  }

  private static String describePath(CaDirectory caDirectory, List<X509Certificate> path) {
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
      case NAMESPACE_VIOLATION -> ImageListException.Reason.NAMESPACE_VIOLATION;
      case NAMESPACE_MISSING -> ImageListException.Reason.NAMESPACE_MISSING;
      case UNTRUSTED_CHAIN, DIRECTORY_UNREADABLE -> ImageListException.Reason.UNTRUSTED_CHAIN;
    };
    return new ImageListException(reason, "image list " + source + ": " + e.getMessage(), e);
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }

  static String dn(X509Certificate cert) {
    return OpenSslDn.format(cert.getSubjectX500Principal());
  }
}
