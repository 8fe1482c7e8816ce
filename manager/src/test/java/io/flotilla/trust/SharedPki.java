package io.flotilla.trust;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * One openssl-made PKI shared by the trust tests of a JVM (key generation is the slow part):
 * root CA {@link #CA_DN} with endorser {@link #ENDORSER_DN}, and an intermediate CA
 * {@link #SUB_DN} (not installed in the CA directory, its CRL is) with endorser
 * {@link #SUB_ENDORSER_DN}. Tests must not modify it: copy {@link #certificates} first.
 */
final class SharedPki {

  static final String CA_DN = "/DC=org/DC=flotilla-test/CN=Flotilla Test CA";
  static final String SUB_DN = "/DC=org/DC=flotilla-test/CN=Flotilla Sub CA";
  static final String ENDORSER_DN = "/DC=org/DC=flotilla-test/O=Hosts/CN=lists.example.org";
  static final String SUB_ENDORSER_DN =
      "/DC=org/DC=flotilla-test/O=Hosts/CN=sub-lists.example.org";

  private static TestPki pki;

  private SharedPki() {}

  static synchronized TestPki get() {
    if (pki == null) {
      try {
        Path dir = Files.createTempDirectory("flotilla-shared-pki");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
        TestPki created = TestPki.create(dir, CA_DN);
        created.issue("root", "endorser", ENDORSER_DN, "ee_ext");
        created.issueIntermediate("root", "sub", SUB_DN, false);
        created.issue("sub", "subendorser", SUB_ENDORSER_DN, "ee_ext");
        pki = created;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return pki;
  }

  /** A copy of the shared CA directory in {@code target}, safe to modify. */
  static Path copyOfCertificates(Path target) {
    try {
      Files.createDirectories(target);
      try (Stream<Path> files = Files.list(get().certificates)) {
        for (Path file : files.toList()) {
          Files.copy(file, target.resolve(file.getFileName()));
        }
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Signs {@code json} with {@code signer} via openssl smime (extra flags appended). */
  static byte[] sign(String signer, String json, String... extra) {
    return get().sign(signer, json.getBytes(StandardCharsets.UTF_8), extra);
  }

  /** A current AppDB-style list naming {@code dn}/{@code ca}, one image. */
  static String list(String dn, String ca) {
    return TestLists.list(dn, ca, "2026-01-01T00:00:00Z", "2099-01-01T00:00:00Z");
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // Best effort at JVM exit; the system cleans its temp directory eventually.
    }
  }
}
