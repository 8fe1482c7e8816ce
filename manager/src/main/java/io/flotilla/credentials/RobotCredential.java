package io.flotilla.credentials;

import io.flotilla.trust.OpenSslDn;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.security.auth.x500.X500Principal;

/**
 * The credential a VO's proxies are signed with: its robot certificate (with any chain
 * certificates that follow it in the PEM file) and private key, or an RFC 3820 proxy of the
 * robot certificate renewed outside Flotilla, typically a VOMS proxy ({@code
 * voms-proxy-init}): the proxy first, then the certificates up to the robot certificate, and
 * the proxy's own key. Checked when loaded: every certificate is valid now, the key belongs
 * to the first certificate, each proxy is signed by the certificate after it, and each
 * proxy's path length constraint still allows one more proxy below the first.
 *
 * <p>Proxies minted from a proxy keep the whole chain, VOMS attribute certificate extension
 * included, since that is what grid services authorise on; they end no later than the
 * earliest notAfter of the chain.
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows key material.
 */
public final class RobotCredential {
  private static final byte[] PROBE =
      "flotilla robot key check".getBytes(StandardCharsets.US_ASCII);

  private final Path certificateFile;
  private final List<X509Certificate> chain;
  private final PrivateKey privateKey;

  private RobotCredential(Path certificateFile, List<X509Certificate> chain, PrivateKey key) {
    this.certificateFile = certificateFile;
    this.chain = List.copyOf(chain);
    this.privateKey = key;
  }

  /**
   * Loads and checks a robot credential.
   *
   * @param certPem PEM file: the robot certificate first, then optional chain certificates
   * @param keyPem PEM file with the unencrypted private key (PKCS#1, SEC 1 or PKCS#8; RSA/EC)
   * @param clock the time used to check validity
   * @throws CredentialException naming the file and the reason when a file is unreadable,
   *     holds no certificate or key, a certificate is outside its validity period, or the key
   *     does not match the robot certificate
   */
  public static RobotCredential load(Path certPem, Path keyPem, Clock clock) {
    List<X509Certificate> chain = PemFiles.certificates(certPem);
    PrivateKey key = PemFiles.privateKey(keyPem);
    Instant now = clock.instant();
    for (int i = 0; i < chain.size(); i++) {
      checkValidity(certPem, i, chain.get(i), now);
    }
    checkKeyMatches(certPem, keyPem, chain.get(0), key);
    ProxyChains.check(certPem, chain);
    return new RobotCredential(certPem, chain, key);
  }

  /** The certificate proxies are signed with: the robot certificate, or the source proxy. */
  public X509Certificate certificate() {
    return chain.get(0);
  }

  /** The signing certificate followed by the chain certificates from its file. */
  public List<X509Certificate> chain() {
    return chain;
  }

  /** Whether proxies are signed by a proxy (a VOMS proxy, say), not the robot certificate. */
  public boolean isProxy() {
    return ProxyChains.isProxy(certificate());
  }

  /** Whether a proxy in the chain is limited, which makes every proxy below it limited. */
  public boolean isLimited() {
    return chain.stream().anyMatch(ProxyChains::isLimited);
  }

  /** The robot (end-entity) certificate: the first certificate of the chain not a proxy. */
  public X509Certificate robotCertificate() {
    return chain.stream().filter(cert -> !ProxyChains.isProxy(cert)).findFirst()
        .orElseThrow(() -> new CredentialException("certificate file " + certificateFile
            + ": no robot certificate after the proxies"));
  }

  /** When the robot (end-entity) certificate expires, whatever proxy signs. */
  public Instant robotNotAfter() {
    return robotCertificate().getNotAfter().toInstant();
  }

  public X500Principal subject() {
    return certificate().getSubjectX500Principal();
  }

  /** The robot subject in OpenSSL slash form, e.g. {@code /DC=ch/DC=cern/CN=robot}. */
  public String subjectDn() {
    return OpenSslDn.format(subject());
  }

  /**
   * The latest notAfter a proxy signed with this credential may have: the earliest notAfter
   * of the chain (for a proxy source, usually the source proxy's own).
   */
  public Instant notAfter() {
    return chain.stream().map(cert -> cert.getNotAfter().toInstant())
        .min(Instant::compareTo).orElseThrow();
  }

  /** Time left before the robot (end-entity) certificate expires; negative once it has. */
  public Duration timeUntilExpiry(Instant now) {
    return Duration.between(now, robotNotAfter());
  }

  public Path certificateFile() {
    return certificateFile;
  }

  PrivateKey privateKey() {
    return privateKey;
  }

  @Override
  public String toString() {
    return "RobotCredential[subject=" + subjectDn() + ", notAfter=" + notAfter()
        + (isProxy() ? ", proxy" : "") + ", file=" + certificateFile + "]";
  }

  private static void checkValidity(Path file, int index, X509Certificate cert, Instant now) {
    Instant notBefore = cert.getNotBefore().toInstant();
    Instant notAfter = cert.getNotAfter().toInstant();
    String problem = now.isBefore(notBefore) ? "is not yet valid"
        : now.isAfter(notAfter) ? "has expired" : null;
    if (problem != null) {
      throw new CredentialException("certificate file " + file + ": certificate " + (index + 1)
          + " (subject " + OpenSslDn.format(cert.getSubjectX500Principal()) + ") " + problem
          + ": notBefore=" + notBefore + " notAfter=" + notAfter + " now=" + now);
    }
  }

  private static void checkKeyMatches(
      Path certFile, Path keyFile, X509Certificate cert, PrivateKey key) {
    String algorithm = signatureAlgorithm(keyFile, key);
    if (!probeVerifies(algorithm, cert, key)) {
      throw new CredentialException("key file " + keyFile
          + ": the private key does not match the certificate in " + certFile + " (subject "
          + OpenSslDn.format(cert.getSubjectX500Principal()) + ")");
    }
  }

  private static boolean probeVerifies(String algorithm, X509Certificate cert, PrivateKey key) {
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(PROBE);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(cert.getPublicKey());
      verifier.update(PROBE);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      // A certificate key of another type (RSA key, EC certificate) lands here.
      return false;
    }
  }

  /** The signature algorithm for keys of this type, used for the probe and for proxies. */
  static String signatureAlgorithm(Path keyFile, PrivateKey key) {
    return switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC", "ECDSA" -> "SHA256withECDSA";
      default -> throw new CredentialException("key file " + keyFile + ": unsupported key"
          + " algorithm " + key.getAlgorithm() + " (expected RSA or EC)");
    };
  }
}
