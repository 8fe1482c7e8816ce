package io.flotilla.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReloadingCaDirectoryTest {

  private static final String CA_DN = "/DC=org/DC=flotilla-test/CN=Reload CA";
  private static final String ENDORSER_DN = "/DC=org/DC=flotilla-test/CN=reload endorser";
  private static final Duration INTERVAL = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  @Test
  void get_whenCrlRevokesSignerOnDisk_refusesAfterIntervalWithoutRestart() {
    TestPki pki = TestPki.create(dir, CA_DN);
    pki.issue("root", "endorser", ENDORSER_DN, "ee_ext");
    MutableClock clock = new MutableClock(Instant.now());
    ReloadingCaDirectory directories = new ReloadingCaDirectory(pki.certificates, INTERVAL,
        clock);
    ImageListVerifier verifier = new ImageListVerifier(directories, clock,
        Duration.ofMinutes(5), NamespaceMode.ALLOW_MISSING);
    byte[] signed = pki.sign("endorser", TestLists.list(ENDORSER_DN, CA_DN,
        "2026-01-01T00:00:00Z", "2099-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8));
    assertThat(verifier.check("l", signed, null).passed()).isTrue();

    pki.revoke("root", "endorser");
    clock.advance(INTERVAL.minusSeconds(1));
    boolean acceptedWithinInterval = verifier.check("l", signed, null).passed();
    clock.advance(Duration.ofSeconds(1));

    assertThat(acceptedWithinInterval).as("no reload before the interval").isTrue();
    assertThatThrownBy(() -> verifier.verify("l", signed, null))
        .isInstanceOfSatisfying(ImageListException.class, e -> assertThat(e.reason())
            .isEqualTo(ImageListException.Reason.REVOKED));
  }

  @Test
  void get_whenNewCaFileAppears_trustsIt(@TempDir Path otherDir) throws Exception {
    TestPki pki = TestPki.create(dir, CA_DN);
    TestPki other = TestPki.create(otherDir, "/DC=org/CN=Second CA");
    MutableClock clock = new MutableClock(Instant.now());
    ReloadingCaDirectory directories = new ReloadingCaDirectory(pki.certificates, INTERVAL,
        clock);
    CaDirectory before = directories.get();

    try (Stream<Path> files = Files.list(other.certificates)) {
      for (Path file : files.toList()) {
        Files.copy(file, pki.certificates.resolve(file.getFileName()));
      }
    }
    clock.advance(INTERVAL);

    assertThat(before.anchorCount()).isEqualTo(1);
    assertThat(directories.get().anchorCount()).isEqualTo(2);
  }

  @Test
  void get_whenNothingChanged_keepsSameInstance() {
    TestPki pki = TestPki.create(dir, CA_DN);
    MutableClock clock = new MutableClock(Instant.now());
    ReloadingCaDirectory directories = new ReloadingCaDirectory(pki.certificates, INTERVAL,
        clock);
    CaDirectory first = directories.get();

    clock.advance(INTERVAL.multipliedBy(3));

    assertThat(directories.get()).isSameAs(first);
  }

  @Test
  void get_whenReloadFails_keepsPreviousDirectoryAndRetries() throws Exception {
    TestPki pki = TestPki.create(dir, CA_DN);
    MutableClock clock = new MutableClock(Instant.now());
    ReloadingCaDirectory directories = new ReloadingCaDirectory(pki.certificates, INTERVAL,
        clock);
    CaDirectory first = directories.get();
    Path anchor;
    try (Stream<Path> files = Files.list(pki.certificates)) {
      anchor = files.filter(f -> f.getFileName().toString().endsWith(".0")).findFirst()
          .orElseThrow();
    }
    Path aside = dir.resolve("aside.pem");
    Files.move(anchor, aside);
    clock.advance(INTERVAL);
    CaDirectory duringOutage = directories.get();

    Files.move(aside, anchor);
    Files.writeString(pki.certificates.resolve("extra.txt"), "touch");
    clock.advance(INTERVAL);

    assertThat(duringOutage).isSameAs(first);
    assertThat(directories.get()).isNotSameAs(first);
  }

  @Test
  void constructor_whenDirectoryMissing_refusesUnreadable() {
    assertThatThrownBy(() -> new ReloadingCaDirectory(dir.resolve("none"), INTERVAL,
        new MutableClock(Instant.now())))
        .isInstanceOfSatisfying(TrustException.class, e -> assertThat(e.reason())
            .isEqualTo(TrustException.Reason.DIRECTORY_UNREADABLE));
  }
}
