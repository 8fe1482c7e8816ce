package io.flotilla.credentials;

import io.flotilla.config.CredentialsConfig.ProxyType;
import io.flotilla.trust.OpenSslDn;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Mints RFC 3820 proxy certificates signed by a robot credential, in the shape Globus and
 * VOMS tools produce: a fresh RSA 2048 key per proxy, the robot subject plus one
 * {@code CN=<serial>}, a critical ProxyCertInfo with the inherit-all (impersonation) or the
 * Globus limited policy language and a critical key usage of digitalSignature and
 * keyEncipherment. A proxy signed by a limited proxy is limited too, as Globus treats it.
 *
 * <p>Thread-safe. Each call generates a key pair, which takes some tens of milliseconds, so
 * call it off the event loop.
 */
public final class ProxyIssuer {
  /** Clock skew allowance: the proxy is valid from a little before it was made. */
  public static final Duration BACKDATE = Duration.ofMinutes(5);

  private static final int KEY_BITS = 2048;
  private static final int SERIAL_BITS = 62;

  private final SecureRandom random;

  public ProxyIssuer() {
    this(new SecureRandom());
  }

  ProxyIssuer(SecureRandom random) {
    this.random = random;
  }

  /**
   * Mints a proxy of {@code robot}.
   *
   * @param requestedNotAfter the wanted end of validity; capped at the robot's own notAfter
   *     and truncated to whole seconds
   * @param now the current time; the proxy is valid from {@code now - BACKDATE}
   * @throws CredentialException if the capped notAfter is not after {@code now} (for
   *     example, the robot certificate has expired) or signing fails
   */
  public IssuedCredential issue(RobotCredential robot, Instant requestedNotAfter, Instant now) {
    return issue(robot, ProxyType.IMPERSONATION, requestedNotAfter, now);
  }

  /**
   * Mints a proxy of {@code robot} with the policy of {@code type}; limited whatever
   * {@code type} says when the robot credential is itself a limited proxy.
   *
   * @see #issue(RobotCredential, Instant, Instant)
   */
  public IssuedCredential issue(
      RobotCredential robot, ProxyType type, Instant requestedNotAfter, Instant now) {
    ProxyType effective = robot.isLimited() ? ProxyType.LIMITED : type;
    Instant notAfter = cappedNotAfter(robot, requestedNotAfter, now);
    KeyPair keyPair = newKeyPair();
    BigInteger serial = new BigInteger(SERIAL_BITS, random).add(BigInteger.ONE);
    X500Name subject = proxySubject(robot.subject(), serial);
    X509CertificateHolder proxy =
        sign(robot, proxyCertificate(robot, subject, serial, keyPair, effective, now, notAfter));

    byte[] pem = bundle(robot, proxy, keyPair);
    String slashSubject = OpenSslDn.format(principal(subject));
    return IssuedCredential.proxy(pem, serial, slashSubject, notAfter);
  }

  /** The robot subject followed by one {@code CN=<serial>}, as Globus names RFC proxies. */
  static X500Name proxySubject(X500Principal robotSubject, BigInteger serial) {
    RDN[] issuerRdns = X500Name.getInstance(robotSubject.getEncoded()).getRDNs();
    RDN[] rdns = Arrays.copyOf(issuerRdns, issuerRdns.length + 1);
    rdns[issuerRdns.length] = new RDN(BCStyle.CN, new DERPrintableString(serial.toString()));
    return new X500Name(rdns);
  }

  private static Instant cappedNotAfter(
      RobotCredential robot, Instant requestedNotAfter, Instant now) {
    Instant robotEnd = robot.notAfter();
    Instant notAfter = (requestedNotAfter.isAfter(robotEnd) ? robotEnd : requestedNotAfter)
        .truncatedTo(ChronoUnit.SECONDS);
    if (!notAfter.isAfter(now)) {
      String reason = robotEnd.isAfter(now)
          ? "the requested notAfter " + requestedNotAfter + " is not after now " + now
          : (robot.isProxy() ? "the source proxy chain" : "the robot certificate")
              + " expired at " + robotEnd + " (now " + now + ")";
      throw new CredentialException(
          "cannot issue a proxy of " + robot.subjectDn() + ": " + reason);
    }
    return notAfter;
  }

  private KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(KEY_BITS, random);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new CredentialException("cannot generate an RSA " + KEY_BITS + " proxy key", e);
    }
  }

  private static X509v3CertificateBuilder proxyCertificate(RobotCredential robot,
      X500Name subject, BigInteger serial, KeyPair keyPair, ProxyType type, Instant now,
      Instant notAfter) {
    X500Name issuer = X500Name.getInstance(robot.subject().getEncoded());
    Date notBefore = Date.from(now.minus(BACKDATE).truncatedTo(ChronoUnit.SECONDS));
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
        issuer, serial, notBefore, Date.from(notAfter), subject, keyPair.getPublic());
    ASN1ObjectIdentifier language =
        type == ProxyType.LIMITED ? ProxyChains.LIMITED : ProxyChains.INHERIT_ALL;
    try {
      // ProxyCertInfo ::= SEQUENCE { pCPathLenConstraint OPTIONAL, proxyPolicy }, and
      // ProxyPolicy ::= SEQUENCE { policyLanguage, policy OPTIONAL } (RFC 3820 section 3.8).
      builder.addExtension(ProxyChains.PROXY_CERT_INFO, true,
          new DERSequence(new DERSequence(language)));
      builder.addExtension(Extension.keyUsage, true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
    } catch (IOException e) {
      throw new CredentialException("cannot encode the proxy extensions", e);
    }
    return builder;
  }

  private static X509CertificateHolder sign(
      RobotCredential robot, X509v3CertificateBuilder builder) {
    String algorithm =
        RobotCredential.signatureAlgorithm(robot.certificateFile(), robot.privateKey());
    try {
      ContentSigner signer = new JcaContentSignerBuilder(algorithm).build(robot.privateKey());
      return builder.build(signer);
    } catch (OperatorCreationException e) {
      throw new CredentialException("cannot sign a proxy with the robot key of "
          + robot.subjectDn() + " (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static byte[] bundle(
      RobotCredential robot, X509CertificateHolder proxy, KeyPair keyPair) {
    byte[] keyDer = pkcs1(keyPair);
    List<byte[]> blocks = new ArrayList<>();
    try {
      blocks.add(PemWriter.block("CERTIFICATE", proxy.getEncoded()));
      blocks.add(PemWriter.block("RSA PRIVATE KEY", keyDer));
      for (X509Certificate cert : robot.chain()) {
        blocks.add(PemWriter.block("CERTIFICATE", cert.getEncoded()));
      }
      return PemWriter.concat(blocks);
    } catch (IOException | CertificateEncodingException e) {
      throw new CredentialException("cannot encode the proxy bundle of " + robot.subjectDn()
          + " (" + e.getClass().getSimpleName() + ")");
    } finally {
      Arrays.fill(keyDer, (byte) 0);
      blocks.forEach(block -> Arrays.fill(block, (byte) 0));
    }
  }

  /** The proxy key as a PKCS#1 RSAPrivateKey, the form {@code voms-proxy-init} writes. */
  private static byte[] pkcs1(KeyPair keyPair) {
    byte[] pkcs8 = keyPair.getPrivate().getEncoded();
    try {
      return PrivateKeyInfo.getInstance(pkcs8).parsePrivateKey().toASN1Primitive().getEncoded();
    } catch (IOException e) {
      throw new CredentialException("cannot encode the proxy key as PKCS#1", e);
    } finally {
      Arrays.fill(pkcs8, (byte) 0);
    }
  }

  private static X500Principal principal(X500Name name) {
    try {
      return new X500Principal(name.getEncoded());
    } catch (IOException e) {
      throw new CredentialException("cannot encode the proxy subject", e);
    }
  }
}
