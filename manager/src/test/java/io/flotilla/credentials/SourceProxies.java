package io.flotilla.credentials;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Source proxies as a VO renews them outside Flotilla: an RFC 3820 proxy of the robot
 * certificate carrying a VOMS-like attribute-certificate extension, written as
 * {@code voms-proxy-init} writes it (proxy, its key, robot certificate), made with Bouncy
 * Castle, or with Debian's {@code voms-proxy-fake} where it is installed.
 */
final class SourceProxies {
  /** The VOMS AC sequence extension (voms-proxy-init puts the signed ACs here). */
  static final String VOMS_AC_OID = "1.3.6.1.4.1.8005.100.100.5";

  private SourceProxies() {}

  /** Options of a source proxy made with Bouncy Castle. */
  record Spec(Instant notBefore, Instant notAfter, Integer pathLength, String policyOid) {
    static Spec hours(int hours) {
      Instant now = Instant.now();
      return new Spec(now.minusSeconds(300), now.plusSeconds(hours * 3600L), null,
          "1.3.6.1.5.5.7.21.1");
    }
  }

  /**
   * Writes {@code name} (proxy, RSA key, robot certificate) signed by the robot of
   * {@code pki} and returns the file; the extension value is a stand-in AC sequence.
   */
  static Path bouncyCastleProxy(OpenSslPki pki, Path[] robot, String name, Spec spec) {
    try {
      X509Certificate robotCert = PemFiles.certificates(robot[0]).get(0);
      PrivateKey robotKey = PemFiles.privateKey(robot[1]);
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      KeyPair keys = generator.generateKeyPair();
      BigInteger serial = BigInteger.valueOf(Instant.now().toEpochMilli());
      X500Name issuer = X500Name.getInstance(robotCert.getSubjectX500Principal().getEncoded());
      X500Name subject = ProxyIssuer.proxySubject(robotCert.getSubjectX500Principal(), serial);
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, serial,
          Date.from(spec.notBefore()), Date.from(spec.notAfter()), subject, keys.getPublic());
      builder.addExtension(ProxyChains.PROXY_CERT_INFO, true, proxyCertInfo(spec));
      builder.addExtension(Extension.keyUsage, true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      builder.addExtension(new ASN1ObjectIdentifier(VOMS_AC_OID), false, fakeAcSequence());
      X509Certificate proxy = new JcaX509CertificateConverter().getCertificate(builder.build(
          new JcaContentSignerBuilder("SHA256withRSA").build(robotKey)));
      List<byte[]> blocks = new ArrayList<>();
      blocks.add(PemWriter.block("CERTIFICATE", proxy.getEncoded()));
      blocks.add(PemWriter.block("PRIVATE KEY", keys.getPrivate().getEncoded()));
      blocks.add(PemWriter.block("CERTIFICATE", robotCert.getEncoded()));
      return pki.write(name, PemWriter.concat(blocks));
    } catch (Exception e) {
      throw new IllegalStateException("cannot build the source proxy " + name, e);
    }
  }

  private static DERSequence proxyCertInfo(Spec spec) {
    ASN1EncodableVector info = new ASN1EncodableVector();
    if (spec.pathLength() != null) {
      info.add(new ASN1Integer(spec.pathLength()));
    }
    info.add(new DERSequence(new ASN1ObjectIdentifier(spec.policyOid())));
    return new DERSequence(info);
  }

  /** Not a real AC: an opaque sequence that must travel unchanged. */
  private static DERSequence fakeAcSequence() {
    ASN1EncodableVector ac = new ASN1EncodableVector();
    ac.add(new DERUTF8String("/atlas/Role=pilot/Capability=NULL"));
    ac.add(new DEROctetString(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
    return new DERSequence(new DERSequence(ac));
  }

  /** Whether Debian's voms-proxy-fake (package voms-clients) is installed. */
  static boolean vomsProxyFakeAvailable() {
    return Files.isExecutable(Path.of("/usr/bin/voms-proxy-fake"));
  }

  /**
   * A VOMS proxy of the robot made by voms-proxy-fake, with an AC for VO {@code atlas}
   * signed by a VOMS server certificate of the same PKI.
   */
  static Path vomsProxyFake(OpenSslPki pki, Path[] robot, Path[] voms, String name) {
    Path capath = pki.dir().resolve("capath");
    try {
      Files.createDirectories(capath);
      String hash = pki.run("x509", "-in", "ca.pem", "-noout", "-hash").strip();
      Files.copy(pki.caCertificate(), capath.resolve(hash + ".0"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      List<String> command = List.of("/usr/bin/voms-proxy-fake", "-rfc", "-hours", "2",
          "-cert", robot[0].toString(), "-key", robot[1].toString(),
          "-hostcert", voms[0].toString(), "-hostkey", voms[1].toString(),
          "-voms", "atlas", "-fqan", "/atlas/Role=pilot/Capability=NULL",
          "-uri", "voms.example.org:15001", "-certdir", capath.toString(),
          "-out", pki.dir().resolve(name).toString());
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
          .directory(pki.dir().toFile());
      builder.environment().put("RANDFILE", pki.dir().resolve(".rnd").toString());
      Process process = builder.start();
      String output = new String(process.getInputStream().readAllBytes());
      if (process.waitFor() != 0 || !Files.exists(pki.dir().resolve(name))) {
        throw new IllegalStateException("voms-proxy-fake failed: " + output);
      }
      return pki.dir().resolve(name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
