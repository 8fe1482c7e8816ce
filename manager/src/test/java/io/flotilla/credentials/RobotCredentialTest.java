package io.flotilla.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RobotCredentialTest {
  @TempDir static Path dir;
  static OpenSslPki pki;
  static Path robotPem;
  static Path robotKey;

  @BeforeAll
  static void makePki() {
    pki = OpenSslPki.create(dir);
    Path[] robot = pki.rsaRobot("robot", 10);
    robotPem = robot[0];
    robotKey = robot[1];
  }

  @Test
  void load_withChainAndPkcs8Key_keepsRobotFirstAndChainAfter() {
    Path bundle = pki.withChain(robotPem, "robot-chain.pem");

    RobotCredential robot = RobotCredential.load(bundle, robotKey, Clock.systemUTC());

    assertThat(robot.chain()).hasSize(2);
    assertThat(robot.subjectDn()).isEqualTo(OpenSslPki.ROBOT_SUBJECT);
    assertThat(robot.chain().get(1).getSubjectX500Principal())
        .isEqualTo(robot.certificate().getIssuerX500Principal());
  }

  @Test
  void load_withPkcs1Key_accepts() throws Exception {
    Path pkcs1 = pki.pkcs1Copy(robotKey, "robot-pkcs1.key");
    assertThat(Files.readString(pkcs1)).startsWith("-----BEGIN RSA PRIVATE KEY-----");

    RobotCredential robot = RobotCredential.load(robotPem, pkcs1, Clock.systemUTC());

    assertThat(robot.chain()).hasSize(1);
  }

  @Test
  void load_withEcKeyAfterEcParameters_accepts() throws Exception {
    Path[] ec = pki.ecRobot("ec-robot", 10);
    assertThat(Files.readString(ec[1])).contains("BEGIN EC PARAMETERS", "BEGIN EC PRIVATE KEY");

    RobotCredential robot = RobotCredential.load(ec[0], ec[1], Clock.systemUTC());

    assertThat(robot.certificate().getPublicKey().getAlgorithm()).isEqualTo("EC");
  }

  @Test
  void load_whenCertificateFileMissing_namesFileAndReason() {
    Path missing = dir.resolve("missing.pem");

    assertThatThrownBy(() -> RobotCredential.load(missing, robotKey, Clock.systemUTC()))
        .isInstanceOf(CredentialException.class)
        .hasMessage("certificate file " + missing + ": cannot read: no such file");
  }

  @Test
  void load_whenCertificateFileHoldsOnlyAKey_refusesWithoutShowingIt() {
    assertThatThrownBy(() -> RobotCredential.load(robotKey, robotKey, Clock.systemUTC()))
        .isInstanceOf(CredentialException.class)
        .hasMessage("certificate file " + robotKey
            + ": no certificate found (expected a '-----BEGIN CERTIFICATE-----' block)");
  }

  @Test
  void load_whenKeyFileHoldsNoKey_refuses() {
    assertThatThrownBy(() -> RobotCredential.load(robotPem, robotPem, Clock.systemUTC()))
        .isInstanceOf(CredentialException.class)
        .hasMessage("key file " + robotPem + ": no private key found (expected a 'PRIVATE KEY',"
            + " 'RSA PRIVATE KEY' or 'EC PRIVATE KEY' PEM block)");
  }

  @Test
  void load_whenKeyFileIsGarbage_refusesWithoutQuotingIt() {
    Path garbage = pki.write("garbage.key",
        "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWJ1dC1icm9rZW4=\n-----END PRIVATE KEY-----\n");

    assertThatThrownBy(() -> RobotCredential.load(robotPem, garbage, Clock.systemUTC()))
        .isInstanceOf(CredentialException.class)
        .hasMessageStartingWith("key file " + garbage + ": ")
        .message().doesNotContain("c2VjcmV0");
  }

  @Test
  void load_whenKeyEncrypted_refuses() {
    Path encrypted = pki.encryptedCopy(robotKey, "robot-enc.key");

    assertThatThrownBy(() -> RobotCredential.load(robotPem, encrypted, Clock.systemUTC()))
        .isInstanceOf(CredentialException.class)
        .hasMessage("key file " + encrypted
            + ": the private key is encrypted; an unencrypted key is required");
  }

  @Test
  void load_whenCertificateExpired_givesValidityAndNow() {
    RobotCredential robot = RobotCredential.load(robotPem, robotKey, Clock.systemUTC());
    Instant later = robot.notAfter().plus(Duration.ofDays(1));
    Instant notBefore = robot.certificate().getNotBefore().toInstant();

    assertThatThrownBy(() -> RobotCredential.load(robotPem, robotKey, fixed(later)))
        .isInstanceOf(CredentialException.class)
        .hasMessage("certificate file " + robotPem + ": certificate 1 (subject "
            + OpenSslPki.ROBOT_SUBJECT + ") has expired: notBefore=" + notBefore
            + " notAfter=" + robot.notAfter() + " now=" + later);
  }

  @Test
  void load_whenCertificateNotYetValid_givesValidityAndNow() {
    RobotCredential robot = RobotCredential.load(robotPem, robotKey, Clock.systemUTC());
    Instant notBefore = robot.certificate().getNotBefore().toInstant();
    Instant earlier = notBefore.minusSeconds(60);

    assertThatThrownBy(() -> RobotCredential.load(robotPem, robotKey, fixed(earlier)))
        .isInstanceOf(CredentialException.class)
        .hasMessageContaining("is not yet valid: notBefore=" + notBefore)
        .hasMessageEndingWith(" now=" + earlier);
  }

  @Test
  void load_whenKeyBelongsToAnotherCertificate_refusesNamingBothFiles() throws Exception {
    Path[] other = pki.rsaRobot("other", 10);
    String otherKey = Files.readString(other[1]);

    assertThatThrownBy(() -> RobotCredential.load(robotPem, other[1], Clock.systemUTC()))
        .isInstanceOf(CredentialException.class)
        .hasMessage("key file " + other[1] + ": the private key does not match the certificate"
            + " in " + robotPem + " (subject " + OpenSslPki.ROBOT_SUBJECT + ")")
        .message().doesNotContain(otherKey.lines().skip(1).findFirst().orElseThrow());
  }

  @Test
  void load_whenEcKeyGivenForRsaCertificate_refusesAsMismatch() {
    Path[] ec = pki.ecRobot("ec-other", 10);

    assertThatThrownBy(() -> RobotCredential.load(robotPem, ec[1], Clock.systemUTC()))
        .isInstanceOf(CredentialException.class)
        .hasMessageContaining("does not match the certificate");
  }

  @Test
  void toString_showsSubjectAndExpiryButNoKey() throws Exception {
    RobotCredential robot = RobotCredential.load(robotPem, robotKey, Clock.systemUTC());
    String keyLine = Files.readString(robotKey).lines().skip(1).findFirst().orElseThrow();

    assertThat(robot.toString())
        .isEqualTo("RobotCredential[subject=" + OpenSslPki.ROBOT_SUBJECT + ", notAfter="
            + robot.notAfter() + ", file=" + robotPem + "]")
        .doesNotContain(keyLine);
  }

  @Test
  void timeUntilExpiry_countsDownToNotAfter() {
    RobotCredential robot = RobotCredential.load(robotPem, robotKey, Clock.systemUTC());
    Instant dayBefore = robot.notAfter().minus(Duration.ofDays(1));

    assertThat(robot.timeUntilExpiry(dayBefore)).isEqualTo(Duration.ofDays(1));
    assertThat(robot.timeUntilExpiry(robot.notAfter().plusSeconds(5)))
        .isEqualTo(Duration.ofSeconds(-5));
  }

  private static Clock fixed(Instant instant) {
    return Clock.fixed(instant, ZoneOffset.UTC);
  }
}
