package io.flotilla.trust;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CRLs of a CA directory, indexed by issuer. A CRL of a CA in the directory is kept only
 * if that CA's signature on it verifies. A CRL whose issuer is not in the directory (an
 * intermediate CA that travels inside the signed message) is kept, and its signature is
 * checked against the issuer certificate of the path when it is used.
 */
final class CrlIndex {

  private static final Logger log = LoggerFactory.getLogger(CrlIndex.class);

  private final Path directory;
  private final Map<X500Principal, List<X509CRL>> byIssuer = new HashMap<>();

  CrlIndex(Path directory, List<X509Certificate> caCerts, List<X509CRL> crls) {
    this.directory = directory;
    for (X509CRL crl : crls) {
      if (signedByAny(crl, caCerts) || noCaNamed(crl, caCerts)) {
        byIssuer.computeIfAbsent(crl.getIssuerX500Principal(), k -> new ArrayList<>()).add(crl);
      } else {
        log.warn("crl ignored directory={} issuer={} reason=no CA certificate verifies it",
            directory, OpenSslDn.format(crl.getIssuerX500Principal()));
      }
    }
  }

  /**
   * Checks each certificate of {@code path} (target first, anchor last) against its issuer's
   * CRL. The self-signed anchor is not checked against itself unless it is the only
   * certificate, i.e. the anchor signed the object directly.
   */
  void checkPath(List<X509Certificate> path, Instant at, Duration skew) {
    int checked = path.size() == 1 ? 1 : path.size() - 1;
    for (int i = 0; i < checked; i++) {
      X509Certificate issuer = i + 1 < path.size() ? path.get(i + 1) : path.get(i);
      checkCertificate(path.get(i), issuer, at, skew);
    }
  }

  private void checkCertificate(X509Certificate cert, X509Certificate issuer, Instant at,
      Duration skew) {
    X509CRL crl = newestCrlOf(issuer).orElseThrow(() -> new TrustException(
        TrustException.Reason.CRL_MISSING, "no CRL of issuing CA " + dn(issuer) + " in "
            + directory + " (needed to check " + dn(cert) + ")"));
    checkCurrent(crl, issuer, at, skew);
    X509CRLEntry entry = crl.getRevokedCertificate(cert);
    if (entry != null) {
      throw new TrustException(TrustException.Reason.REVOKED, "certificate " + dn(cert)
          + " serial " + cert.getSerialNumber().toString(16) + " is revoked by CA "
          + dn(issuer) + " since " + entry.getRevocationDate().toInstant());
    }
  }

  private void checkCurrent(X509CRL crl, X509Certificate issuer, Instant at, Duration skew) {
    Instant thisUpdate = crl.getThisUpdate().toInstant();
    if (thisUpdate.isAfter(at.plus(skew))) {
      throw new TrustException(TrustException.Reason.CRL_STALE, "CRL of CA " + dn(issuer)
          + " in " + directory + " has thisUpdate " + thisUpdate + " after now " + at);
    }
    if (crl.getNextUpdate() != null && crl.getNextUpdate().toInstant().isBefore(at.minus(skew))) {
      throw new TrustException(TrustException.Reason.CRL_STALE, "CRL of CA " + dn(issuer)
          + " in " + directory + " expired: nextUpdate " + crl.getNextUpdate().toInstant()
          + " is before now " + at);
    }
  }

  private Optional<X509CRL> newestCrlOf(X509Certificate issuer) {
    return byIssuer.getOrDefault(issuer.getSubjectX500Principal(), List.of()).stream()
        .filter(crl -> verifies(crl, issuer))
        .max(Comparator.comparing(X509CRL::getThisUpdate));
  }

  private static boolean signedByAny(X509CRL crl, List<X509Certificate> caCerts) {
    return caCerts.stream()
        .filter(ca -> ca.getSubjectX500Principal().equals(crl.getIssuerX500Principal()))
        .anyMatch(ca -> verifies(crl, ca));
  }

  private static boolean noCaNamed(X509CRL crl, List<X509Certificate> caCerts) {
    return caCerts.stream()
        .noneMatch(ca -> ca.getSubjectX500Principal().equals(crl.getIssuerX500Principal()));
  }

  private static boolean verifies(X509CRL crl, X509Certificate ca) {
    try {
      crl.verify(ca.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static String dn(X509Certificate cert) {
    return OpenSslDn.format(cert.getSubjectX500Principal());
  }
}
