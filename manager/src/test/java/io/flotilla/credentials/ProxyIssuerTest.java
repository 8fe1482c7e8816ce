package io.flotilla.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProxyIssuerTest {
  private static final Pattern PEM_TYPE = Pattern.compile("-----BEGIN ([A-Z ]+)-----");

  @TempDir static Path dir;
  static OpenSslPki pki;
  static RobotCredential rsaRobot;
  static Path rsaRobotPem;
  static RobotCredential ecRobot;
  static Path ecRobotPem;

  private final ProxyIssuer issuer = new ProxyIssuer();

  @BeforeAll
  static void makePki() {
    pki = OpenSslPki.create(dir);
    Path[] rsa = pki.rsaRobot("robot", 10);
    rsaRobotPem = rsa[0];
    rsaRobot = RobotCredential.load(pki.withChain(rsa[0], "robot-chain.pem"), rsa[1],
        Clock.systemUTC());
    Path[] ec = pki.ecRobot("ec-robot", 10);
    ecRobotPem = ec[0];
    ecRobot = RobotCredential.load(ec[0], ec[1], Clock.systemUTC());
  }

  @Test
  void issue_fromRsaRobot_passesOpensslProxyVerification() {
    IssuedCredential proxy = issuer.issue(rsaRobot, hoursFromNow(12), Instant.now());
    Path bundle = pki.write("rsa-proxy.pem", proxy.pem());
    pki.run("x509", "-in", bundle.toString(), "-out", "rsa-proxy-cert.pem");

    String output = pki.run("verify", "-allow_proxy_certs", "-CAfile", "ca.pem",
        "-untrusted", rsaRobotPem.toString(), "rsa-proxy-cert.pem");

    assertThat(output.strip()).isEqualTo("rsa-proxy-cert.pem: OK");
  }

  @Test
  void issue_fromEcRobot_passesOpensslProxyVerification() {
    IssuedCredential proxy = issuer.issue(ecRobot, hoursFromNow(12), Instant.now());
    Path bundle = pki.write("ec-proxy.pem", proxy.pem());
    pki.run("x509", "-in", bundle.toString(), "-out", "ec-proxy-cert.pem");

    String output = pki.run("verify", "-allow_proxy_certs", "-CAfile", "ca.pem",
        "-untrusted", ecRobotPem.toString(), "ec-proxy-cert.pem");

    assertThat(output.strip()).isEqualTo("ec-proxy-cert.pem: OK");
  }

  @Test
  void issue_withoutAllowProxyCerts_opensslRefusesIt() {
    IssuedCredential proxy = issuer.issue(rsaRobot, hoursFromNow(12), Instant.now());
    pki.write("plain-check.pem", proxy.pem());
    pki.run("x509", "-in", "plain-check.pem", "-out", "plain-check-cert.pem");

    OpenSslPki.Result result = pki.tryRun("verify", "-CAfile", "ca.pem",
        "-untrusted", rsaRobotPem.toString(), "plain-check-cert.pem");

    assertThat(result.exitCode()).isNotZero();
    assertThat(result.output()).contains("proxy certificates not allowed");
  }

  @Test
  void issue_opensslTextShowsCriticalProxyInfoAndKeyUsage() {
    IssuedCredential proxy = issuer.issue(rsaRobot, hoursFromNow(12), Instant.now());
    Path bundle = pki.write("text-proxy.pem", proxy.pem());

    String text = pki.run("x509", "-in", bundle.toString(), "-noout", "-text");

    assertThat(text).contains("Proxy Certificate Information: critical",
        "Path Length Constraint: infinite", "Policy Language: Inherit all",
        "X509v3 Key Usage: critical\n                Digital Signature, Key Encipherment");
  }

  @Test
  void issue_subjectIsRobotSubjectPlusSerialAsCn() throws Exception {
    IssuedCredential proxy = issuer.issue(rsaRobot, hoursFromNow(12), Instant.now());
    X509Certificate cert = firstCertificate(proxy);

    assertThat(cert.getSerialNumber()).isEqualTo(proxy.serial()).isPositive();
    assertThat(proxy.subject())
        .isEqualTo(OpenSslPki.ROBOT_SUBJECT + "/CN=" + proxy.serial());
    String opensslSubject = pki.run("x509", "-in", pki.write("subj.pem", proxy.pem())
        .toString(), "-noout", "-subject", "-nameopt", "compat");
    assertThat(opensslSubject.strip()).isEqualTo("subject=" + proxy.subject());
    assertThat(cert.getIssuerX500Principal()).isEqualTo(rsaRobot.subject());
  }

  @Test
  void issue_bundleIsProxyThenPkcs1KeyThenRobotChain() throws Exception {
    IssuedCredential proxy = issuer.issue(rsaRobot, hoursFromNow(12), Instant.now());
    Path bundle = pki.write("order.pem", proxy.pem());

    assertThat(pemTypes(proxy.pem())).containsExactly(
        "CERTIFICATE", "RSA PRIVATE KEY", "CERTIFICATE", "CERTIFICATE");
    RobotCredential reread = RobotCredential.load(bundle, bundle, Clock.systemUTC());
    assertThat(reread.chain()).hasSize(3);
    assertThat(reread.chain().subList(1, 3)).isEqualTo(rsaRobot.chain());
    assertThat(reread.certificate().getPublicKey().getAlgorithm()).isEqualTo("RSA");
    assertThat(pki.run("rsa", "-in", bundle.toString(), "-noout", "-text"))
        .contains("Private-Key: (2048 bit, 2 primes)");
  }

  @Test
  void issue_twice_usesFreshKeysAndSerials() throws Exception {
    IssuedCredential first = issuer.issue(rsaRobot, hoursFromNow(12), Instant.now());
    IssuedCredential second = issuer.issue(rsaRobot, hoursFromNow(12), Instant.now());

    assertThat(first.serial()).isNotEqualTo(second.serial());
    assertThat(firstCertificate(first).getPublicKey())
        .isNotEqualTo(firstCertificate(second).getPublicKey());
  }

  @Test
  void issue_validityRunsFromFiveMinutesBeforeNowToRequestedEnd() throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusMillis(300);
    Instant requested = now.plus(Duration.ofHours(6)).plusMillis(200);

    IssuedCredential proxy = issuer.issue(rsaRobot, requested, now);
    X509Certificate cert = firstCertificate(proxy);

    Instant wholeSeconds = requested.truncatedTo(ChronoUnit.SECONDS);
    assertThat(proxy.notAfter()).isEqualTo(wholeSeconds);
    assertThat(cert.getNotAfter().toInstant()).isEqualTo(wholeSeconds);
    assertThat(cert.getNotBefore().toInstant())
        .isEqualTo(now.minus(Duration.ofMinutes(5)).truncatedTo(ChronoUnit.SECONDS));
  }

  @Test
  void issue_whenRequestedBeyondRobotExpiry_capsAtRobotNotAfter() throws Exception {
    Instant requested = rsaRobot.notAfter().plus(Duration.ofDays(30));

    IssuedCredential proxy = issuer.issue(rsaRobot, requested, Instant.now());

    assertThat(proxy.notAfter()).isEqualTo(rsaRobot.notAfter());
    assertThat(firstCertificate(proxy).getNotAfter().toInstant())
        .isEqualTo(rsaRobot.notAfter());
  }

  @Test
  void issue_whenRobotExpired_refusesNamingTheExpiry() {
    Instant now = rsaRobot.notAfter().plusSeconds(1);

    assertThatThrownBy(() -> issuer.issue(rsaRobot, now.plusSeconds(3600), now))
        .isInstanceOf(CredentialException.class)
        .hasMessage("cannot issue a proxy of " + OpenSslPki.ROBOT_SUBJECT
            + ": the robot certificate expired at " + rsaRobot.notAfter() + " (now " + now + ")");
  }

  @Test
  void issue_whenRequestedEndAlreadyPassed_refuses() {
    Instant now = Instant.now();
    Instant past = now.minusSeconds(10);

    assertThatThrownBy(() -> issuer.issue(rsaRobot, past, now))
        .isInstanceOf(CredentialException.class)
        .hasMessage("cannot issue a proxy of " + OpenSslPki.ROBOT_SUBJECT
            + ": the requested notAfter " + past + " is not after now " + now);
  }

  @Test
  void clear_zeroesThePemAndToStringHidesIt() {
    IssuedCredential proxy = issuer.issue(rsaRobot, hoursFromNow(1), Instant.now());
    String text = new String(proxy.pem(), StandardCharsets.US_ASCII);

    assertThat(proxy.toString()).doesNotContain("PRIVATE").contains("serial=" + proxy.serial());
    proxy.clear();

    assertThat(text).contains("RSA PRIVATE KEY");
    assertThat(proxy.pem()).containsOnly((byte) 0);
  }

  static X509Certificate firstCertificate(IssuedCredential proxy) {
    Path file = pki.write("first-" + proxy.serial() + ".pem", proxy.pem());
    return PemFiles.certificates(file).get(0);
  }

  static List<String> pemTypes(byte[] pem) {
    Matcher matcher = PEM_TYPE.matcher(new String(pem, StandardCharsets.US_ASCII));
    return matcher.results().map(match -> match.group(1)).toList();
  }

  private static Instant hoursFromNow(int hours) {
    return Instant.now().plus(Duration.ofHours(hours));
  }
}
