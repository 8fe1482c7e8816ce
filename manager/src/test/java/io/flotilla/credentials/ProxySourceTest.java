package io.flotilla.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.flotilla.config.CredentialsConfig.ProxyType;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proxies delegated from a VOMS proxy of the robot certificate, and limited proxies. */
class ProxySourceTest {
  @TempDir static Path dir;
  static OpenSslPki pki;
  static Path[] robot;

  private final ProxyIssuer issuer = new ProxyIssuer();

  @BeforeAll
  static void makePki() {
    pki = OpenSslPki.create(dir);
    robot = pki.rsaRobot("robot", 10);
  }

  @Test
  void load_bouncyCastleVomsProxy_signsWithTheProxyAndKeepsItsChain() {
    Path source = SourceProxies.bouncyCastleProxy(pki, robot, "bc-voms.pem",
        SourceProxies.Spec.hours(12));

    RobotCredential credential = RobotCredential.load(source, source, Clock.systemUTC());

    assertThat(credential.isProxy()).isTrue();
    assertThat(credential.chain()).hasSize(2);
    assertThat(credential.robotCertificate()).isEqualTo(credential.chain().get(1));
    assertThat(credential.notAfter()).isEqualTo(
        credential.certificate().getNotAfter().toInstant());
    assertThat(credential.robotNotAfter()).isAfter(credential.notAfter());
  }

  @Test
  void issue_fromBouncyCastleVomsProxy_keepsAcExtensionAndPassesOpenssl() throws Exception {
    Path source = SourceProxies.bouncyCastleProxy(pki, robot, "bc-chain.pem",
        SourceProxies.Spec.hours(12));

    assertDelegationKeepsChain(source, "bc");
  }

  @Test
  void issue_fromVomsProxyFake_keepsAcExtensionAndPassesOpenssl() throws Exception {
    boolean ci = "true".equals(System.getenv("CI"));
    if (!ci) {
      assumeTrue(SourceProxies.vomsProxyFakeAvailable(),
          "voms-proxy-fake is missing: apt-get install voms-clients");
    }
    Path[] voms = pki.rsaRobot("voms-server", 10);
    Path source = SourceProxies.vomsProxyFake(pki, robot, voms, "fake-voms.pem");

    assertDelegationKeepsChain(source, "fake");
  }

  @Test
  void issue_beyondSourceProxyEnd_isCappedAtIt() {
    Path source = SourceProxies.bouncyCastleProxy(pki, robot, "short.pem",
        SourceProxies.Spec.hours(2));
    RobotCredential credential = RobotCredential.load(source, source, Clock.systemUTC());

    IssuedCredential proxy = issuer.issue(credential, ProxyType.IMPERSONATION,
        Instant.now().plus(Duration.ofHours(48)), Instant.now());

    assertThat(proxy.notAfter()).isEqualTo(credential.certificate().getNotAfter().toInstant());
  }

  @Test
  void issue_limited_writesTheGlobusLimitedPolicyAndPassesOpenssl() throws Exception {
    RobotCredential credential = RobotCredential.load(robot[0], robot[1], Clock.systemUTC());

    IssuedCredential proxy = issuer.issue(credential, ProxyType.LIMITED,
        Instant.now().plus(Duration.ofHours(2)), Instant.now());
    Path bundle = pki.write("limited.pem", proxy.pem());

    assertThat(pki.run("x509", "-in", bundle.toString(), "-noout", "-text"))
        .contains("Proxy Certificate Information: critical",
            "Policy Language: 1.3.6.1.4.1.3536.1.1.1.9");
    assertThat(verify(bundle, "limited").strip()).endsWith(": OK");
    RobotCredential reread = RobotCredential.load(bundle, bundle, Clock.systemUTC());
    assertThat(reread.isLimited()).isTrue();
  }

  @Test
  void issue_fromLimitedSource_isLimitedEvenWhenImpersonationAsked() throws Exception {
    Path source = SourceProxies.bouncyCastleProxy(pki, robot, "limited-source.pem",
        new SourceProxies.Spec(Instant.now().minusSeconds(60),
            Instant.now().plusSeconds(7200), null, "1.3.6.1.4.1.3536.1.1.1.9"));
    RobotCredential credential = RobotCredential.load(source, source, Clock.systemUTC());

    IssuedCredential proxy = issuer.issue(credential, ProxyType.IMPERSONATION,
        Instant.now().plus(Duration.ofHours(1)), Instant.now());

    assertThat(pki.run("x509", "-in", pki.write("from-limited.pem", proxy.pem()).toString(),
        "-noout", "-text")).contains("Policy Language: 1.3.6.1.4.1.3536.1.1.1.9");
  }

  @Test
  void load_sourceWithPathLengthZero_isRefusedNamingTheConstraint() {
    Path source = SourceProxies.bouncyCastleProxy(pki, robot, "pathlen0.pem",
        new SourceProxies.Spec(Instant.now().minusSeconds(60),
            Instant.now().plusSeconds(7200), 0, "1.3.6.1.5.5.7.21.1"));

    assertThatThrownBy(() -> RobotCredential.load(source, source, Clock.systemUTC()))
        .isInstanceOf(CredentialException.class)
        .hasMessageStartingWith("certificate file " + source + ": certificate 1 (subject "
            + OpenSslPki.ROBOT_SUBJECT + "/CN=")
        .hasMessageEndingWith("has a path length constraint of 0, which forbids the proxy"
            + " Flotilla would sign below it (1 needed); make the source proxy with a larger"
            + " -path-length");
  }

  @Test
  void load_proxyWithoutTheRobotCertificate_isRefused() {
    Path source = SourceProxies.bouncyCastleProxy(pki, robot, "alone.pem",
        SourceProxies.Spec.hours(2));
    String text = pki.run("x509", "-in", source.toString());
    Path proxyOnly = pki.write("proxy-only.pem", text + pki.run("pkey", "-in",
        source.toString()));

    assertThatThrownBy(() -> RobotCredential.load(proxyOnly, proxyOnly, Clock.systemUTC()))
        .isInstanceOf(CredentialException.class)
        .hasMessage("certificate file " + proxyOnly + ": holds only proxy certificates; the"
            + " certificate that signed the last one (the robot certificate) must follow it"
            + " in the file, as voms-proxy-init writes it");
  }

  @Test
  void load_expiredSourceProxy_isRefusedNamingIt() {
    Path source = SourceProxies.bouncyCastleProxy(pki, robot, "expired.pem",
        new SourceProxies.Spec(Instant.now().minusSeconds(7200),
            Instant.now().minusSeconds(60), null, "1.3.6.1.5.5.7.21.1"));

    assertThatThrownBy(() -> RobotCredential.load(source, source, Clock.systemUTC()))
        .isInstanceOf(CredentialException.class)
        .hasMessageContaining("certificate file " + source + ": certificate 1 (subject "
            + OpenSslPki.ROBOT_SUBJECT + "/CN=")
        .hasMessageContaining(") has expired: notBefore=");
  }

  @Test
  void load_proxyWithKeyOfAnotherCertificate_isRefused() {
    Path source = SourceProxies.bouncyCastleProxy(pki, robot, "mismatch.pem",
        SourceProxies.Spec.hours(2));

    assertThatThrownBy(() -> RobotCredential.load(source, robot[1], Clock.systemUTC()))
        .isInstanceOf(CredentialException.class)
        .hasMessageStartingWith("key file " + robot[1]
            + ": the private key does not match the certificate in " + source);
  }

  private void assertDelegationKeepsChain(Path source, String name) throws Exception {
    RobotCredential credential = RobotCredential.load(source, source, Clock.systemUTC());
    X509Certificate vomsProxy = credential.certificate();
    byte[] acExtension = vomsProxy.getExtensionValue(SourceProxies.VOMS_AC_OID);
    assertThat(acExtension).as("the source carries the AC extension").isNotNull();

    IssuedCredential proxy = issuer.issue(credential, ProxyType.IMPERSONATION,
        Instant.now().plus(Duration.ofHours(1)), Instant.now());
    Path bundle = pki.write(name + "-delegated.pem", proxy.pem());
    List<X509Certificate> chain = PemFiles.certificates(bundle);

    assertThat(ProxyIssuerTest.pemTypes(proxy.pem())).containsExactly(
        "CERTIFICATE", "RSA PRIVATE KEY", "CERTIFICATE", "CERTIFICATE");
    assertThat(chain.get(0).getIssuerX500Principal())
        .isEqualTo(vomsProxy.getSubjectX500Principal());
    assertThat(chain.get(1).getEncoded()).isEqualTo(vomsProxy.getEncoded());
    assertThat(chain.get(1).getExtensionValue(SourceProxies.VOMS_AC_OID)).isEqualTo(acExtension);
    assertThat(chain.get(2).getEncoded())
        .isEqualTo(credential.robotCertificate().getEncoded());
    assertThat(verify(bundle, name).strip()).endsWith(": OK");
  }

  /** openssl verify of the bundle's first certificate, its chain given as untrusted. */
  private static String verify(Path bundle, String name) {
    pki.run("x509", "-in", bundle.toString(), "-out", name + "-leaf.pem");
    return pki.run("verify", "-allow_proxy_certs", "-CAfile", "ca.pem",
        "-untrusted", bundle.toString(), name + "-leaf.pem");
  }
}
