package io.flotilla.trust;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERBMPString;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OpenSslDnTest {

  @TempDir
  Path dir;

  @ParameterizedTest
  @ValueSource(strings = {
      "/DC=ch/DC=cern/OU=Organic Units/OU=Users/CN=jdoe/CN=123456/CN=John Doe",
      "/DC=XXX/DC=YYY/C=ZZ/O=Hosts/O=AA.net/CN=some.unknown.source",
      "/C=DE/ST=Hessen/L=Frankfurt/O=GermanGrid/OU=DESY/CN=Owen Synge/emailAddress=o@x.de",
      "/DC=org/DC=example/OU=Org+CN=multi valued/CN=tail",
      "/DC=org/DC=example/CN=a+DC=b+CN=c",
      "/CN=a\\/b\\/c/O=x=y/OU= leading space/L=back\\\\slash",
      "/CN=plus\\+sign/UID=jdoe/serialNumber=42/title=Dr/GN=Ann/SN=Lee/street=Main",
      "/CN=caf\u00e9 \u00fcber/O=\u65e5\u672c",
      "/CN=Robot: some1.vo.net pilot/pseudonym=ps/initials=AL/dnQualifier=q/name=N",
      "/CN=tab\there/postalCode=12345/businessCategory=b/generationQualifier=III"})
  void format_whenCertificateMadeByOpenssl_matchesOpensslCompatOutput(String subject) {
    OpenSsl.run(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-nodes", "-keyout", "k.pem", "-out", "c.pem", "-days", "1", "-utf8",
        "-multivalue-rdn", "-subj", subject);

    String expected = opensslSubject(dir.resolve("c.pem"));

    assertThat(OpenSslDn.format(loadSubject(dir.resolve("c.pem")))).isEqualTo(expected);
  }

  @Test
  void format_whenMultiValuedRdn_joinsWithPlusInEncodedOrder() throws Exception {
    X500Name name = new X500Name(new RDN[] {
        new RDN(new AttributeTypeAndValue(BCStyle.DC, new DERIA5String("org"))),
        new RDN(new AttributeTypeAndValue[] {
            new AttributeTypeAndValue(BCStyle.OU, new DERUTF8String("Unit")),
            new AttributeTypeAndValue(BCStyle.CN, new DERUTF8String("Multi"))})});

    String formatted = formatAndCompareWithOpenssl(name);

    assertThat(formatted).isIn("/DC=org/CN=Multi+OU=Unit", "/DC=org/OU=Unit+CN=Multi");
  }

  @Test
  void format_whenUnknownOidAndBmpString_matchesOpenssl() throws Exception {
    X500Name name = new X500Name(new RDN[] {
        new RDN(new AttributeTypeAndValue(new ASN1ObjectIdentifier("1.2.3.4.5"),
            new DERPrintableString("odd"))),
        new RDN(new AttributeTypeAndValue(BCStyle.CN, new DERBMPString("Bmp/\u00e9"))),
        new RDN(new AttributeTypeAndValue(BCStyle.E, new DERIA5String("a@b.c"))),
        new RDN(new AttributeTypeAndValue(BCStyle.UID, new DERUTF8String("uid1")))});

    String formatted = formatAndCompareWithOpenssl(name);

    assertThat(formatted).isEqualTo(
        "/1.2.3.4.5=odd/CN=\\x00B\\x00m\\x00p\\x00\\/\\x00\\xE9/emailAddress=a@b.c/UID=uid1");
  }

  @Test
  void sameDn_whenOnlyTrivialDifferences_isTrue() {
    assertThat(OpenSslDn.sameDn(" /DC=ch/cn=Foo Bar/E=a@b.c ",
        "/DC=ch/CN=Foo Bar/emailAddress=a@b.c")).isTrue();
    assertThat(OpenSslDn.sameDn("/DC=ch/USERID=x", "/DC=ch/UID=x")).isTrue();
  }

  @Test
  void sameDn_whenValuesOrSeparatorsDiffer_isFalse() {
    assertThat(OpenSslDn.sameDn("/DC=ch/CN=foo", "/DC=ch/CN=Foo")).isFalse();
    assertThat(OpenSslDn.sameDn("/OU=a+CN=b", "/OU=a/CN=b")).isFalse();
    assertThat(OpenSslDn.sameDn("/CN=a\\/b", "/CN=a/CN=b")).isFalse();
    assertThat(OpenSslDn.sameDn("/C=ZZZ/CN=x", "/C=ZZ/CN=x")).isFalse();
    assertThat(OpenSslDn.sameDn(null, "/CN=x")).isFalse();
  }

  private String formatAndCompareWithOpenssl(X500Name name) throws Exception {
    Path pem = dir.resolve("bc.pem");
    Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder().encodeToString(selfSigned(name).getEncoded())
        + "\n-----END CERTIFICATE-----\n", StandardCharsets.US_ASCII);
    String formatted = OpenSslDn.format(loadSubject(pem));
    assertThat(formatted).isEqualTo(opensslSubject(pem));
    return formatted;
  }

  private static X509Certificate selfSigned(X500Name name) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    KeyPair keys = generator.generateKeyPair();
    Instant now = Instant.now();
    var builder = new JcaX509v3CertificateBuilder(name, BigInteger.ONE, Date.from(now),
        Date.from(now.plus(1, ChronoUnit.DAYS)), name, keys.getPublic());
    var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate());
    return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
  }

  private String opensslSubject(Path pem) {
    String out = OpenSsl.run(dir, "x509", "-in", pem.toString(), "-noout", "-subject",
        "-nameopt", "compat").strip();
    return out.substring("subject=".length());
  }

  private static X500Principal loadSubject(Path pem) {
    try (var in = Files.newInputStream(pem)) {
      return ((X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
          .generateCertificate(in)).getSubjectX500Principal();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
