package io.flotilla.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaDirectoryTest {

  private static final String ROOT_DN = "/DC=org/DC=flotilla-test/CN=Root CA";
  private static final Duration SKEW = Duration.ofMinutes(5);

  @TempDir
  Path dir;

  @Test
  void validate_whenChainWithPoliciesThroughDirectoryIntermediate_returnsPathToAnchor() {
    TestPki pki = TestPki.create(dir, ROOT_DN);
    pki.issueIntermediate("root", "sub", "/DC=org/DC=flotilla-test/CN=Sub CA");
    pki.issue("sub", "user", "/DC=org/DC=flotilla-test/CN=user", "ee_ext");
    X509Certificate user = pki.certificate("user");
    assertThat(user.getExtensionValue("2.5.29.32")).as("certificatePolicies").isNotNull();

    List<X509Certificate> path = CaDirectory.load(pki.certificates)
        .validate(user, List.of(), Instant.now(), SKEW);

    assertThat(path).extracting(c -> OpenSslDn.format(c.getSubjectX500Principal()))
        .containsExactly("/DC=org/DC=flotilla-test/CN=user",
            "/DC=org/DC=flotilla-test/CN=Sub CA", ROOT_DN);
  }

  @Test
  void validate_whenIntermediateRevokedByRoot_refusesRevoked() {
    TestPki pki = TestPki.create(dir, ROOT_DN);
    pki.issueIntermediate("root", "sub", "/DC=org/DC=flotilla-test/CN=Sub CA");
    pki.issue("sub", "user", "/DC=org/DC=flotilla-test/CN=user", "ee_ext");
    pki.revoke("root", "sub");

    assertThatThrownBy(() -> CaDirectory.load(pki.certificates)
        .validate(pki.certificate("user"), List.of(), Instant.now(), SKEW))
        .isInstanceOfSatisfying(TrustException.class,
            e -> assertThat(e.reason()).isEqualTo(TrustException.Reason.REVOKED))
        .hasMessageContaining("certificate /DC=org/DC=flotilla-test/CN=Sub CA serial");
  }

  @Test
  void validate_whenCrlIssuedInFuture_refusesStale() {
    TestPki pki = TestPki.create(dir, ROOT_DN);
    pki.issue("root", "user", "/DC=org/DC=flotilla-test/CN=user", "ee_ext");
    Instant now = Instant.now();
    pki.writeCrl("root", now.plus(1, ChronoUnit.DAYS), now.plus(30, ChronoUnit.DAYS));

    assertThatThrownBy(() -> CaDirectory.load(pki.certificates)
        .validate(pki.certificate("user"), List.of(), now, SKEW))
        .isInstanceOfSatisfying(TrustException.class,
            e -> assertThat(e.reason()).isEqualTo(TrustException.Reason.CRL_STALE))
        .hasMessageContaining("thisUpdate");
  }

  @Test
  void validate_whenCertificateExpiredAtGivenTime_refusesUntrusted() {
    TestPki pki = TestPki.create(dir, ROOT_DN);
    pki.issue("root", "user", "/DC=org/DC=flotilla-test/CN=user", "ee_ext");

    assertThatThrownBy(() -> CaDirectory.load(pki.certificates).validate(
        pki.certificate("user"), List.of(), Instant.now().plus(500, ChronoUnit.DAYS), SKEW))
        .isInstanceOfSatisfying(TrustException.class,
            e -> assertThat(e.reason()).isEqualTo(TrustException.Reason.UNTRUSTED_CHAIN));
  }

  @Test
  void load_whenDirectoryMissing_refusesNamingIt() {
    Path missing = dir.resolve("nope");

    assertThatThrownBy(() -> CaDirectory.load(missing))
        .isInstanceOf(TrustException.class).hasMessageContaining(missing.toString());
  }

  @Test
  void load_whenGarbageFilesPresent_skipsThem() throws Exception {
    TestPki pki = TestPki.create(dir, ROOT_DN);
    Files.writeString(pki.certificates.resolve("deadbeef.0"), "not a certificate");
    Files.writeString(pki.certificates.resolve("deadbeef.signing_policy"), "x");

    assertThat(CaDirectory.load(pki.certificates).anchorCount()).isEqualTo(1);
  }
}
