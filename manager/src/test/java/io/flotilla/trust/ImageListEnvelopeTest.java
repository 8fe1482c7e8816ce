package io.flotilla.trust;

import static io.flotilla.trust.SharedPki.CA_DN;
import static io.flotilla.trust.SharedPki.ENDORSER_DN;
import static io.flotilla.trust.SharedPki.SUB_DN;
import static io.flotilla.trust.SharedPki.SUB_ENDORSER_DN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Envelopes (opaque, unsigned), intermediates and JSON tolerance of the verifier. */
class ImageListEnvelopeTest {

  private static final Duration SKEW = Duration.ofMinutes(5);

  @TempDir
  Path dir;

  @Test
  void verify_whenOpaqueXPkcs7MimeFromOpensslNodetach_accepts() {
    byte[] signed = SharedPki.sign("endorser", SharedPki.list(ENDORSER_DN, CA_DN), "-nodetach");
    assertThat(new String(signed, StandardCharsets.ISO_8859_1))
        .contains("Content-Type: application/x-pkcs7-mime; smime-type=signed-data");

    VerifiedImageList verified = verifier().verify("opaque.p7m", signed,
        List.of(new Endorser(ENDORSER_DN, CA_DN)));

    assertThat(verified.signed()).isTrue();
    assertThat(verified.signerDn()).isEqualTo(ENDORSER_DN);
  }

  @Test
  void verify_whenOpaquePkcs7MimeWithoutXPrefix_accepts() {
    String signed = new String(SharedPki.sign("endorser", SharedPki.list(ENDORSER_DN, CA_DN),
        "-nodetach"), StandardCharsets.ISO_8859_1)
        .replace("application/x-pkcs7-mime", "application/pkcs7-mime");

    VerificationReport report = verifier().check("opaque2.p7m",
        signed.getBytes(StandardCharsets.ISO_8859_1), null);

    assertThat(report.passed()).as(report.toString()).isTrue();
    assertThat(report.checks().get(0).detail()).contains("opaque");
  }

  @Test
  void verify_whenOpaqueContentAltered_refusesWithSignatureReason() {
    byte[] signed = new SmimeSignerFixture().signOpaqueThenAlter();

    assertThatThrownBy(() -> verifier().verify("altered.p7m", signed, null))
        .isInstanceOfSatisfying(ImageListException.class, e -> assertThat(e.reason())
            .isEqualTo(ImageListException.Reason.SIGNATURE_INVALID));
  }

  @Test
  void verify_whenUnsignedAndNotAllowed_refusesNotSmime() {
    byte[] plain = SharedPki.list(ENDORSER_DN, CA_DN).getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> verifier().verify("plain.json", plain, null, false))
        .isInstanceOfSatisfying(ImageListException.class, e -> assertThat(e.reason())
            .isEqualTo(ImageListException.Reason.NOT_SMIME))
        .hasMessageContaining("plain.json").hasMessageContaining("unsigned JSON");
  }

  @Test
  void verify_whenUnsignedAllowed_acceptsMarkedUnsignedAndWarnsEveryTime() {
    byte[] plain = SharedPki.list(ENDORSER_DN, CA_DN).getBytes(StandardCharsets.UTF_8);
    ImageListVerifier verifier = verifier();

    try (LogCapture log = new LogCapture(ImageListVerifier.class)) {
      VerificationReport first = verifier.check("plain.json", plain, null, true);
      verifier.check("plain.json", plain, null, true);

      VerifiedImageList verified = first.verifiedOrThrow();
      assertThat(verified.signed()).isFalse();
      assertThat(verified.signerDn()).isNull();
      assertThat(verified.warnings()).anyMatch(w -> w.contains("UNSIGNED"));
      assertThat(first.checks()).extracting(VerificationReport.Check::name)
          .containsExactly("mime", "json", "endorser", "created", "expires");
      assertThat(first.checks().get(0).outcome()).isEqualTo(VerificationReport.Outcome.WARN);
      assertThat(log.messages(Level.WARN)).hasSize(2)
          .allMatch(m -> m.contains("UNSIGNED") && m.contains("plain.json"));
    }
  }

  @Test
  void verify_whenUnsignedAllowedButExpired_refusesExpired() {
    byte[] plain = TestLists.list(ENDORSER_DN, CA_DN, "2020-01-01T00:00:00Z",
        "2021-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> verifier().verify("old.json", plain, null, true))
        .isInstanceOfSatisfying(ImageListException.class, e -> assertThat(e.reason())
            .isEqualTo(ImageListException.Reason.LIST_EXPIRED));
  }

  @Test
  void verify_whenUnsignedAllowedButSmimeBroken_stillRefusesMalformed() {
    String signed = new String(SharedPki.sign("endorser", SharedPki.list(ENDORSER_DN, CA_DN)),
        StandardCharsets.ISO_8859_1).replace("protocol=\"application/x-pkcs7-signature\"",
            "protocol=\"application/x-unknown\"");

    assertThatThrownBy(() -> verifier().verify("broken.signed",
        signed.getBytes(StandardCharsets.ISO_8859_1), null, true))
        .isInstanceOfSatisfying(ImageListException.class, e -> assertThat(e.reason())
            .isEqualTo(ImageListException.Reason.MALFORMED_MIME));
  }

  @Test
  void verify_whenIntermediateOnlyInsidePkcs7_accepts() {
    TestPki pki = SharedPki.get();
    assertThat(Files.exists(pki.certificates.resolve(pki.hash("sub") + ".0"))).isFalse();
    byte[] signed = SharedPki.sign("subendorser", SharedPki.list(SUB_ENDORSER_DN, SUB_DN),
        "-certfile", "sub.pem");

    VerificationReport report = verifier().check("sub.signed", signed, null);

    assertThat(report.passed()).as(report.toString()).isTrue();
    assertThat(report.checks()).filteredOn(c -> c.name().equals("chain")).singleElement()
        .extracting(VerificationReport.Check::detail).asString()
        .contains(SUB_ENDORSER_DN + " <- " + SUB_DN + " <- " + CA_DN);
  }

  @Test
  void verify_whenIntermediateOnlyInCaDirectory_accepts() throws Exception {
    TestPki pki = SharedPki.get();
    Path caDir = SharedPki.copyOfCertificates(dir.resolve("ca"));
    Files.copy(pki.dir.resolve("sub.pem"), caDir.resolve(pki.hash("sub") + ".0"));
    byte[] signed = SharedPki.sign("subendorser", SharedPki.list(SUB_ENDORSER_DN, SUB_DN));

    VerifiedImageList verified = verifier(caDir).verify("sub.signed", signed, null);

    assertThat(verified.signerCaDn()).isEqualTo(SUB_DN);
  }

  @Test
  void verify_whenIntermediateNowhere_refusesUntrustedChain() {
    byte[] signed = SharedPki.sign("subendorser", SharedPki.list(SUB_ENDORSER_DN, SUB_DN));

    assertThatThrownBy(() -> verifier().verify("sub.signed", signed, null))
        .isInstanceOfSatisfying(ImageListException.class, e -> assertThat(e.reason())
            .isEqualTo(ImageListException.Reason.UNTRUSTED_CHAIN))
        .hasMessageContaining(SUB_ENDORSER_DN);
  }

  @Test
  void verify_whenCertificateNotValidAtClock_refusesSignerNotValidNow() {
    byte[] signed = SharedPki.sign("endorser", SharedPki.list(ENDORSER_DN, CA_DN));
    Instant later = Instant.now().plus(Duration.ofDays(600));
    ImageListVerifier verifier = new ImageListVerifier(
        CaDirectory.load(SharedPki.get().certificates), Clock.fixed(later, ZoneOffset.UTC),
        SKEW);

    assertThatThrownBy(() -> verifier.verify("late.signed", signed, null))
        .isInstanceOfSatisfying(ImageListException.class, e -> assertThat(e.reason())
            .isEqualTo(ImageListException.Reason.SIGNER_NOT_VALID_NOW))
        .hasMessageContaining(ENDORSER_DN).hasMessageContaining("not at " + later);
  }

  @Test
  void verify_whenAppDbExtrasAndPerImageExpiry_decodesThem() {
    String image = TestLists.image(TestLists.IMAGE_ID,
        "    \"dc:date:expires\": \"2030-02-03T04:05:06Z\", \"ad:group\": \"x\",\n");
    String json = TestLists.list(ENDORSER_DN, CA_DN, "2026-01-01T00:00:00Z",
        "2099-01-01T00:00:00Z", "7", image)
        .replace("\"ad:vo\"", "\"ad:swid\": \"123\", \"ad:vo\"");
    byte[] signed = SharedPki.sign("endorser", json);

    VerifiedImageList verified = verifier().verify("appdb.signed", signed, null);

    Image decoded = verified.imageList().images().get(0);
    assertThat(decoded.expires()).isEqualTo(Instant.parse("2030-02-03T04:05:06Z"));
    assertThat(decoded.size()).isEqualTo(121243136L);
    assertThat(decoded.coreMinimum()).isEqualTo(2);
    assertThat(verified.imageList().vo()).isEqualTo("some1.vo.net");
    assertThat(verified.fileSha256()).isEqualTo(ImageListVerifier.sha256(signed));
  }

  @Test
  void verify_whenPerImageExpiryMalformed_skipsImageWithWarning() {
    String image = TestLists.image(TestLists.IMAGE_ID,
        "    \"dc:date:expires\": \"next tuesday\",\n");
    byte[] signed = SharedPki.sign("endorser", TestLists.list(ENDORSER_DN, CA_DN,
        "2026-01-01T00:00:00Z", "2099-01-01T00:00:00Z", "7", image));

    VerifiedImageList verified = verifier().verify("badexpiry.signed", signed, null);

    assertThat(verified.imageList().images()).isEmpty();
    assertThat(verified.warnings()).singleElement().asString()
        .contains("'dc:date:expires' is not an ISO-8601 timestamp: 'next tuesday'");
  }

  private static ImageListVerifier verifier() {
    return verifier(SharedPki.get().certificates);
  }

  private static ImageListVerifier verifier(Path caDir) {
    return new ImageListVerifier(CaDirectory.load(caDir), Clock.systemUTC(), SKEW);
  }

  /** Signs opaque with the library signer, then edits the title inside the PKCS#7. */
  private static final class SmimeSignerFixture {
    byte[] signOpaqueThenAlter() {
      TestPki pki = SharedPki.get();
      SmimeSigner signer = SmimeSigner.load(pki.dir.resolve("endorser.pem"),
          pki.dir.resolve("endorser.key"));
      byte[] signed = signer.sign(SharedPki.list(ENDORSER_DN, CA_DN)
          .getBytes(StandardCharsets.UTF_8), true);
      String text = new String(signed, StandardCharsets.ISO_8859_1);
      int body = text.indexOf("\r\n\r\n") + 4;
      byte[] der = Base64.getMimeDecoder().decode(text.substring(body));
      String derText = new String(der, StandardCharsets.ISO_8859_1);
      der[derText.indexOf("Test list")] = 'B';
      return (text.substring(0, body) + Base64.getMimeEncoder().encodeToString(der) + "\r\n")
          .getBytes(StandardCharsets.ISO_8859_1);
    }
  }
}
