package io.flotilla.credentials;

import io.flotilla.trust.OpenSslDn;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Sequence;

/**
 * Reads and checks RFC 3820 proxy certificates in a chain: which certificates are proxies,
 * their policy language and path length constraint, and that each is signed by the next.
 */
final class ProxyChains {
  /** The ProxyCertInfo extension (RFC 3820 section 3.8). */
  static final ASN1ObjectIdentifier PROXY_CERT_INFO =
      new ASN1ObjectIdentifier("1.3.6.1.5.5.7.1.14");
  /** id-ppl-inheritAll: an impersonation proxy. */
  static final ASN1ObjectIdentifier INHERIT_ALL = new ASN1ObjectIdentifier("1.3.6.1.5.5.7.21.1");
  /**
   * The limited-proxy policy language of Globus ({@code LIMITED_PROXY_OID} in its GSI
   * library), which VOMS and canl also write for {@code -limited} RFC proxies.
   */
  static final ASN1ObjectIdentifier LIMITED = new ASN1ObjectIdentifier("1.3.6.1.4.1.3536.1.1.1.9");
  /** Pre-RFC Globus (GT3) proxies carry their ProxyCertInfo under this OID. */
  private static final String DRAFT_PROXY_CERT_INFO = "1.3.6.1.4.1.3536.1.222";

  private ProxyChains() {}

  static boolean isProxy(X509Certificate cert) {
    return cert.getExtensionValue(PROXY_CERT_INFO.getId()) != null;
  }

  /** Whether {@code cert} is a proxy whose policy language is the limited one. */
  static boolean isLimited(X509Certificate cert) {
    ASN1Sequence info = proxyCertInfo(cert);
    return info != null && LIMITED.equals(policyLanguage(info));
  }

  /**
   * Checks a credential chain read from {@code file}: no pre-RFC proxies; after the leading
   * proxies comes a certificate that is not one; each proxy is signed by the next
   * certificate; each proxy's path length constraint allows one more proxy below the first.
   *
   * @throws CredentialException naming the file, the certificate and the reason
   */
  static void check(Path file, List<X509Certificate> chain) {
    for (int i = 0; i < chain.size(); i++) {
      if (chain.get(i).getExtensionValue(DRAFT_PROXY_CERT_INFO) != null) {
        throw problem(file, i, chain.get(i), "is a pre-RFC (GT3) Globus proxy; only RFC 3820"
            + " proxies are supported (voms-proxy-init -rfc)");
      }
    }
    int proxies = 0;
    while (proxies < chain.size() && isProxy(chain.get(proxies))) {
      proxies++;
    }
    if (proxies == 0) {
      return;
    }
    if (proxies == chain.size()) {
      throw new CredentialException("certificate file " + file + ": holds only proxy"
          + " certificates; the certificate that signed the last one (the robot certificate)"
          + " must follow it in the file, as voms-proxy-init writes it");
    }
    for (int i = 0; i < proxies; i++) {
      checkSignedByNext(file, chain, i);
      checkPathLength(file, i, chain.get(i));
    }
  }

  private static void checkSignedByNext(Path file, List<X509Certificate> chain, int index) {
    X509Certificate proxy = chain.get(index);
    X509Certificate issuer = chain.get(index + 1);
    boolean named = proxy.getIssuerX500Principal().equals(issuer.getSubjectX500Principal());
    if (!named || !verifies(proxy, issuer)) {
      throw problem(file, index, proxy, "is not signed by the certificate after it (subject "
          + OpenSslDn.format(issuer.getSubjectX500Principal()) + "); the file must list the"
          + " proxy, then each certificate that signed the one before");
    }
  }

  private static boolean verifies(X509Certificate cert, X509Certificate issuer) {
    try {
      cert.verify(issuer.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** The proxy at {@code index} has {@code index} proxies below it; ours adds one. */
  private static void checkPathLength(Path file, int index, X509Certificate proxy) {
    ASN1Sequence info = proxyCertInfo(proxy);
    BigInteger limit = info == null ? null : pathLength(info);
    if (limit != null && limit.compareTo(BigInteger.valueOf(index + 1L)) < 0) {
      throw problem(file, index, proxy, "has a path length constraint of " + limit
          + ", which forbids the proxy Flotilla would sign below it (" + (index + 1)
          + " needed); make the source proxy with a larger -path-length");
    }
  }

  private static ASN1Sequence proxyCertInfo(X509Certificate cert) {
    byte[] value = cert.getExtensionValue(PROXY_CERT_INFO.getId());
    if (value == null) {
      return null;
    }
    try {
      return ASN1Sequence.getInstance(ASN1OctetString.getInstance(value).getOctets());
    } catch (IllegalArgumentException e) {
      throw new CredentialException("certificate " + OpenSslDn.format(
          cert.getSubjectX500Principal()) + ": malformed ProxyCertInfo extension");
    }
  }

  /** ProxyCertInfo ::= SEQUENCE { pCPathLenConstraint INTEGER OPTIONAL, proxyPolicy }. */
  private static BigInteger pathLength(ASN1Sequence info) {
    return info.getObjectAt(0) instanceof ASN1Integer length ? length.getValue() : null;
  }

  /** ProxyPolicy ::= SEQUENCE { policyLanguage OBJECT IDENTIFIER, policy OPTIONAL }. */
  private static ASN1ObjectIdentifier policyLanguage(ASN1Sequence info) {
    ASN1Sequence policy = ASN1Sequence.getInstance(info.getObjectAt(info.size() - 1));
    return ASN1ObjectIdentifier.getInstance(policy.getObjectAt(0));
  }

  private static CredentialException problem(
      Path file, int index, X509Certificate cert, String reason) {
    return new CredentialException("certificate file " + file + ": certificate " + (index + 1)
        + " (subject " + OpenSslDn.format(cert.getSubjectX500Principal()) + ") " + reason);
  }
}
