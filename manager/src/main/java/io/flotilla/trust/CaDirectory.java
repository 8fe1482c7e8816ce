package io.flotilla.trust;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertPathValidator;
import java.security.cert.CertStore;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXCertPathBuilderResult;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OpenSSL hashed CA directory ({@code /etc/grid-security/certificates} layout): PEM CA
 * certificates in {@code <hash>.N} files, CRLs in {@code <hash>.rN} files, and namespace rules
 * in {@code <hash>.namespaces} (EUGridPMA) and {@code <hash>.signing_policy} (Globus) files
 * (see {@link NamespaceMode}). Other files ({@code .crl_url}, {@code .info}, ...) are ignored.
 *
 * <p>Self-signed certificates are the trust anchors; other CA certificates in the directory
 * are only intermediates, so their issuer's CRL can still revoke them. Paths are built and
 * validated by the JDK PKIX implementation (certificate policies included). Revocation is
 * checked here, strictly: every issuing CA of the path must have a correctly signed CRL in
 * the directory that is current at the validation time, and it must not list the
 * certificate. Delta CRLs and issuing-distribution-point scoping are not interpreted.
 *
 * <p>Instances are immutable and thread-safe; load again to pick up changed files (see
 * {@link ReloadingCaDirectory}).
 */
public final class CaDirectory {

  private static final Logger log = LoggerFactory.getLogger(CaDirectory.class);
  private static final Pattern CERT_FILE = Pattern.compile("[0-9a-f]{8}\\.[0-9]+");
  private static final Pattern CRL_FILE = Pattern.compile("[0-9a-f]{8}\\.r[0-9]+");
  private static final Pattern NAMESPACES_FILE = Pattern.compile("[0-9a-f]{8}\\.namespaces");
  private static final Pattern SIGNING_POLICY_FILE =
      Pattern.compile("[0-9a-f]{8}\\.signing_policy");

  /** What {@link #load} found in the directory, before indexing. */
  private static final class Entries {
    final List<X509Certificate> certs = new ArrayList<>();
    final Map<String, X509Certificate> certByHash = new HashMap<>();
    final List<X509CRL> crls = new ArrayList<>();
    final List<Path> namespaces = new ArrayList<>();
    final List<Path> signingPolicies = new ArrayList<>();
  }

  private final Path directory;
  private final Set<TrustAnchor> anchors;
  private final List<X509Certificate> intermediates;
  private final CrlIndex crls;
  private final NamespacePolicies namespaces;

  private CaDirectory(Path directory, Entries entries) {
    this.directory = directory;
    List<X509Certificate> caCerts = entries.certs;
    this.anchors = new HashSet<>();
    this.intermediates = new ArrayList<>();
    for (X509Certificate cert : caCerts) {
      if (isSelfIssued(cert)) {
        anchors.add(new TrustAnchor(cert, null));
      } else {
        intermediates.add(cert);
      }
    }
    this.crls = new CrlIndex(directory, caCerts, entries.crls);
    this.namespaces = NamespacePolicies.load(entries.namespaces, entries.signingPolicies,
        entries.certByHash);
  }

  /**
   * Reads the CA certificates and CRLs of {@code dir}. Files that cannot be parsed are
   * skipped with a warning (a broken CRL then shows up as a missing CRL at validation).
   *
   * @throws TrustException with {@link TrustException.Reason#DIRECTORY_UNREADABLE} if
   *     {@code dir} cannot be listed or holds no CA certificate at all
   */
  public static CaDirectory load(Path dir) {
    Entries entries = new Entries();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path file : files) {
        readEntry(file, entries);
      }
    } catch (IOException e) {
      throw new TrustException(TrustException.Reason.DIRECTORY_UNREADABLE,
          "cannot list CA directory " + dir + ": " + e.getMessage(), e);
    }
    if (entries.certs.isEmpty()) {
      throw new TrustException(TrustException.Reason.DIRECTORY_UNREADABLE,
          "CA directory " + dir + " holds no <hash>.N CA certificate");
    }
    CaDirectory loaded = new CaDirectory(dir, entries);
    log.debug("ca directory loaded path={} certificates={} crls={} namespaceRules={}", dir,
        entries.certs.size(), entries.crls.size(), loaded.namespaces.size());
    return loaded;
  }

  private static void readEntry(Path file, Entries entries) {
    String name = file.getFileName().toString();
    try {
      if (CERT_FILE.matcher(name).matches()) {
        X509Certificate cert = readCertificate(file);
        entries.certs.add(cert);
        entries.certByHash.putIfAbsent(name.substring(0, 8), cert);
      } else if (CRL_FILE.matcher(name).matches()) {
        entries.crls.add(readCrl(file));
      } else if (NAMESPACES_FILE.matcher(name).matches()) {
        entries.namespaces.add(file);
      } else if (SIGNING_POLICY_FILE.matcher(name).matches()) {
        entries.signingPolicies.add(file);
      }
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      log.warn("ca directory entry skipped file={} reason={}", file, e.getMessage());
    }
  }

  private static X509Certificate readCertificate(Path file)
      throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(file)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  private static X509CRL readCrl(Path file) throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(file)) {
      return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(in);
    }
  }

  /** The directory this was loaded from. */
  public Path path() {
    return directory;
  }

  /** Number of trust anchors (self-signed CA certificates) found. */
  public int anchorCount() {
    return anchors.size();
  }

  /**
   * Validates {@code target} at instant {@code at}: builds a PKIX path to a trust anchor of
   * this directory (intermediates from the directory and from {@code extraCertificates}),
   * checks the namespace rules of every issuing CA with {@link NamespaceMode#ALLOW_MISSING},
   * then checks the CRL of every issuing CA in the path.
   *
   * @param crlSkew tolerance applied to CRL thisUpdate/nextUpdate
   * @return the path, target first, ending with the trust anchor's certificate
   * @throws TrustException naming the certificate and the failing check
   */
  public List<X509Certificate> validate(X509Certificate target,
      Collection<X509Certificate> extraCertificates, Instant at, Duration crlSkew) {
    return validate(target, extraCertificates, at, crlSkew, NamespaceMode.ALLOW_MISSING);
  }

  /** Like {@link #validate(X509Certificate, Collection, Instant, Duration)}, with a mode. */
  public List<X509Certificate> validate(X509Certificate target,
      Collection<X509Certificate> extraCertificates, Instant at, Duration crlSkew,
      NamespaceMode namespaceMode) {
    List<X509Certificate> path = buildPath(target, extraCertificates, at);
    checkNamespaces(path, namespaceMode);
    checkRevocation(path, at, crlSkew);
    return path;
  }

  /**
   * Namespace half of {@link #validate}: each issuing CA's rules must permit the subject it
   * signed. Returns one line per checked certificate naming the rule that permitted it.
   */
  List<String> checkNamespaces(List<X509Certificate> path, NamespaceMode mode) {
    return namespaces.check(path, mode, directory);
  }

  /** Revocation half of {@link #validate}, for callers that report the two separately. */
  void checkRevocation(List<X509Certificate> path, Instant at, Duration crlSkew) {
    crls.checkPath(path, at, crlSkew);
  }

  /** Path half of {@link #validate}: PKIX build and validation, no revocation. */
  List<X509Certificate> buildPath(X509Certificate target,
      Collection<X509Certificate> extraCertificates, Instant at) {
    try {
      PKIXBuilderParameters params = builderParameters(target, extraCertificates, at);
      PKIXCertPathBuilderResult result =
          (PKIXCertPathBuilderResult) CertPathBuilder.getInstance("PKIX").build(params);
      CertPathValidator.getInstance("PKIX").validate(result.getCertPath(), params);
      return pathWithAnchor(result);
    } catch (GeneralSecurityException e) {
      throw new TrustException(TrustException.Reason.UNTRUSTED_CHAIN,
          "no valid certification path from " + OpenSslDn.format(target.getSubjectX500Principal())
              + " (issuer " + OpenSslDn.format(target.getIssuerX500Principal())
              + ") to a CA in " + directory + " at " + at + ": " + e.getMessage(), e);
    }
  }

  private PKIXBuilderParameters builderParameters(X509Certificate target,
      Collection<X509Certificate> extraCertificates, Instant at)
      throws GeneralSecurityException {
    X509CertSelector selector = new X509CertSelector();
    selector.setCertificate(target);
    PKIXBuilderParameters params = new PKIXBuilderParameters(anchors, selector);
    List<Object> pool = new ArrayList<>(intermediates);
    pool.addAll(extraCertificates);
    pool.add(target);
    params.addCertStore(
        CertStore.getInstance("Collection", new CollectionCertStoreParameters(pool)));
    // Revocation is checked by CrlIndex with explicit, typed outcomes.
    params.setRevocationEnabled(false);
    params.setDate(Date.from(at));
    return params;
  }

  @SuppressWarnings("unchecked")
  private static List<X509Certificate> pathWithAnchor(PKIXCertPathBuilderResult result) {
    List<X509Certificate> path =
        new ArrayList<>((List<X509Certificate>) result.getCertPath().getCertificates());
    X509Certificate anchor = result.getTrustAnchor().getTrustedCert();
    if (path.isEmpty() || !path.get(path.size() - 1).equals(anchor)) {
      path.add(anchor);
    }
    return path;
  }

  private static boolean isSelfIssued(X509Certificate cert) {
    return cert.getSubjectX500Principal().equals(cert.getIssuerX500Principal());
  }
}
