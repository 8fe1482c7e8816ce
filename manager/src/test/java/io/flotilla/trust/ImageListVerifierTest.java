package io.flotilla.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageListVerifierTest {

  private static final String CA_DN = "/DC=org/DC=flotilla-test/CN=Flotilla Test CA";
  private static final String ENDORSER_DN =
      "/DC=org/DC=flotilla-test/O=Hosts/CN=lists.example.org";
  private static final String CLOUDKEEPER_CA_DN =
      "/C=AU/ST=Some-State/O=Internet Widgits Pty Ltd";
  private static final Instant FIXED_NOW = Instant.parse("2026-06-01T00:00:00Z");
  private static final Duration SKEW = Duration.ofMinutes(5);

  @TempDir
  static Path sharedDir;

  @TempDir
  Path dir;

  private static TestPki pki;

  @BeforeAll
  static void createPki() {
    pki = TestPki.create(sharedDir, CA_DN);
    pki.issue("root", "endorser", ENDORSER_DN, "ee_ext");
  }

  @Test
  void verify_whenCloudkeeperList_refusesForDnMismatchAfterSignatureAndChainPass()
      throws IOException {
    ImageListVerifier verifier = cloudkeeperVerifier();

    VerificationReport report = verifier.check("imagelist01.signed",
        resource("imagelist01.signed"), null);

    assertThat(report.failure()).get()
        .extracting(ImageListException::reason)
        .isEqualTo(ImageListException.Reason.ENDORSER_DN_MISMATCH);
    assertThat(report.failure().get()).hasMessage("image list imagelist01.signed: hv:dn "
        + "'/DC=XXX/DC=YYY/C=ZZZ/O=Hosts/O=AA.net/CN=some.unknown.source' differs from the "
        + "signer subject '" + CLOUDKEEPER_CA_DN + "'");
    assertThat(report.checks()).extracting(VerificationReport.Check::name).containsExactly(
        "mime", "signature", "signer-count", "signer-validity", "chain", "namespace", "crl",
        "json", "endorser-dn");
    assertThat(report.checks().subList(0, 8)).allMatch(VerificationReport.Check::passed);
  }

  @Test
  void verify_whenInvalidCloudkeeperList_refusesWithSignatureReason() throws IOException {
    ImageListVerifier verifier = cloudkeeperVerifier();

    assertThatThrownBy(() -> verifier.verify("imagelist_invalid.signed",
        resource("imagelist_invalid.signed"), null))
        .isInstanceOfSatisfying(ImageListException.class, e -> assertThat(e.reason())
            .isEqualTo(ImageListException.Reason.SIGNATURE_INVALID))
        .hasMessageStartingWith("image list imagelist_invalid.signed: ")
        .hasMessageContaining("/CN=TEST");
  }

  @Test
  void verify_whenBodyChangedByOneByte_refusesWithSignatureReason() throws IOException {
    byte[] bytes = resource("imagelist01.signed");
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    int index = text.indexOf("Dummy image list number 1");
    bytes[index] = 'd';
    ImageListVerifier verifier = cloudkeeperVerifier();

    assertThatThrownBy(() -> verifier.verify("tampered", bytes, null))
        .isInstanceOfSatisfying(ImageListException.class, e -> assertThat(e.reason())
            .isEqualTo(ImageListException.Reason.SIGNATURE_INVALID));
  }

  @Test
  void verify_whenSignedWithTestKeyAndMatchingEndorser_accepts() throws IOException {
    Path caDir = cloudkeeperCaDir();
    String json = list(CLOUDKEEPER_CA_DN, CLOUDKEEPER_CA_DN, "2026-05-01T00:00:00Z",
        "2026-07-01T00:00:00Z");
    Files.writeString(dir.resolve("in.json"), json);
    OpenSsl.run(dir, "smime", "-sign", "-in", "in.json", "-signer", "cert.pem", "-inkey",
        "ck.key", "-md", "sha1", "-out", "out.signed");
    ImageListVerifier verifier =
        new ImageListVerifier(CaDirectory.load(caDir), fixedClock(), SKEW);

    VerifiedImageList verified = verifier.verify("ck", Files.readAllBytes(
        dir.resolve("out.signed")), List.of(new Endorser(CLOUDKEEPER_CA_DN, CLOUDKEEPER_CA_DN)));

    assertThat(verified.signerDn()).isEqualTo(CLOUDKEEPER_CA_DN);
  }

  @Test
  void verify_whenOpensslSignedDetached_acceptsAndDecodes() {
    byte[] signed = pki.sign("endorser", currentList().getBytes(StandardCharsets.UTF_8));

    VerifiedImageList verified = verifier(pki).verify("fresh.signed", signed,
        List.of(new Endorser(ENDORSER_DN, CA_DN)));

    assertThat(verified.signerDn()).isEqualTo(ENDORSER_DN);
    assertThat(verified.signerCaDn()).isEqualTo(CA_DN);
    ImageList list = verified.imageList();
    assertThat(list.identifier()).isEqualTo("4e186b44-2c64-40ea-97d5-e9e5c0bce059");
    assertThat(list.images()).singleElement().satisfies(image -> {
      assertThat(image.size()).isEqualTo(121243136L);
      assertThat(image.coreMinimum()).isEqualTo(2);
      assertThat(image.ramMinimum()).isEqualTo(2048L);
      assertThat(image.format()).isEqualTo("OVA");
    });
  }

  @Test
  void verify_whenOpaqueSignedData_accepts() {
    byte[] signed = pki.sign("endorser", currentList().getBytes(StandardCharsets.UTF_8),
        "-nodetach");

    VerifiedImageList verified = verifier(pki).verify("opaque.p7m", signed, null);

    assertThat(verified.imageList().images()).hasSize(1);
  }

  @Test
  void verify_whenSha1MicalgAndPkcs7SignatureProtocol_accepts() {
    byte[] signed = pki.sign("endorser", currentList().getBytes(StandardCharsets.UTF_8),
        "-md", "sha1");
    String text = new String(signed, StandardCharsets.ISO_8859_1)
        .replace("application/x-pkcs7-signature", "application/pkcs7-signature");

    VerifiedImageList verified = verifier(pki).verify("sha1.signed",
        text.getBytes(StandardCharsets.ISO_8859_1), null);

    assertThat(verified.signerDn()).isEqualTo(ENDORSER_DN);
  }

  @Test
  void verify_whenSignedFileLineEndingsConvertedToLf_stillVerifies() {
    byte[] signed = pki.sign("endorser", currentList().getBytes(StandardCharsets.UTF_8));
    String lf = new String(signed, StandardCharsets.ISO_8859_1).replace("\r\n", "\n");

    VerifiedImageList verified = verifier(pki).verify("lf.signed",
        lf.getBytes(StandardCharsets.ISO_8859_1), null);

    assertThat(verified.imageList().identifier()).isNotBlank();
  }

  @Test
  void verify_whenTwoSigners_refusesWithSignerCount() {
    pki.issue("root", "second", "/DC=org/DC=flotilla-test/CN=second signer", "ee_ext");
    byte[] signed = pki.sign("endorser", currentList().getBytes(StandardCharsets.UTF_8),
        "-signer", "second.pem", "-inkey", "second.key");

    assertRefused(() -> verifier(pki).verify("two.signed", signed, null),
        ImageListException.Reason.SIGNER_COUNT);
  }

  @Test
  void verify_whenListExpired_refusesNamingExpiry() {
    String json = list(ENDORSER_DN, CA_DN, "2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z");
    byte[] signed = pki.sign("endorser", json.getBytes(StandardCharsets.UTF_8));

    assertRefused(() -> verifier(pki).verify("old.signed", signed, null),
        ImageListException.Reason.LIST_EXPIRED)
        .hasMessageContaining("old.signed")
        .hasMessageContaining("dc:date:expires 2021-01-01T00:00:00Z has passed");
  }

  @Test
  void verify_whenCreatedInFuture_refusesNotYetValid() {
    Instant future = Instant.now().plus(1, ChronoUnit.DAYS);
    String json = list(ENDORSER_DN, CA_DN, future.toString(), "2099-01-01T00:00:00Z");
    byte[] signed = pki.sign("endorser", json.getBytes(StandardCharsets.UTF_8));

    assertRefused(() -> verifier(pki).verify("future.signed", signed, null),
        ImageListException.Reason.LIST_NOT_YET_VALID);
  }

  @Test
  void verify_whenHvCaDiffers_refusesWithCaMismatchNamingBoth() {
    String json = list(ENDORSER_DN, "/DC=org/CN=Other CA", "2020-01-01T00:00:00Z",
        "2099-01-01T00:00:00Z");
    byte[] signed = pki.sign("endorser", json.getBytes(StandardCharsets.UTF_8));

    assertRefused(() -> verifier(pki).verify("ca.signed", signed, null),
        ImageListException.Reason.ENDORSER_CA_MISMATCH)
        .hasMessageContaining("'/DC=org/CN=Other CA'").hasMessageContaining("'" + CA_DN + "'");
  }

  @Test
  void verify_whenEndorserNotInTrustedList_refuses() {
    byte[] signed = pki.sign("endorser", currentList().getBytes(StandardCharsets.UTF_8));
    List<Endorser> trusted = List.of(new Endorser("/DC=org/CN=someone else", CA_DN));

    assertRefused(() -> verifier(pki).verify("x.signed", signed, trusted),
        ImageListException.Reason.ENDORSER_NOT_TRUSTED).hasMessageContaining(ENDORSER_DN);
  }

  @Test
  void verify_whenOldDnX509Spelling_accepts() {
    String json = currentList().replace("\"hv:dn\"", "\"hv:dn_x509\"");
    byte[] signed = pki.sign("endorser", json.getBytes(StandardCharsets.UTF_8));

    assertThat(verifier(pki).verify("old-spelling", signed, null).imageList().endorserDn())
        .isEqualTo(ENDORSER_DN);
  }

  @Test
  void verify_whenRequiredListKeyMissing_refusesNamingKey() {
    String json = currentList()
        .replace("\"dc:identifier\": \"4e186b44", "\"dc:xidentifier\": \"4e");
    byte[] signed = pki.sign("endorser", json.getBytes(StandardCharsets.UTF_8));

    assertRefused(() -> verifier(pki).verify("nokey", signed, null),
        ImageListException.Reason.MALFORMED_LIST)
        .hasMessage("image list nokey: required key 'hv:imagelist/dc:identifier' is missing "
            + "or not a string");
  }

  @Test
  void verify_whenImageLacksChecksum_skipsItWithWarning() {
    String json = currentList().replace("\"sl:checksum:sha512\"", "\"sl:checksum:md5\"");
    byte[] signed = pki.sign("endorser", json.getBytes(StandardCharsets.UTF_8));

    VerifiedImageList verified = verifier(pki).verify("nosum", signed, null);

    assertThat(verified.imageList().images()).isEmpty();
    assertThat(verified.warnings()).singleElement().asString()
        .contains("c0482bc2-bf41-5d49-aaaa-a750174a186b")
        .contains("'sl:checksum:sha512' is missing");
  }

  @Test
  void verify_whenUnsignedJson_refusesNotSmime() throws IOException {
    assertRefused(() -> verifier(pki).verify("plain.json", resource("imagelist01.unsigned"),
        null), ImageListException.Reason.NOT_SMIME).hasMessageContaining("unsigned JSON");
  }

  @Test
  void verify_whenSignerFromUntrustedCa_refusesUntrustedChain(@TempDir Path otherDir) {
    TestPki other = TestPki.create(otherDir, "/DC=org/CN=Rogue CA");
    other.issue("root", "rogue", ENDORSER_DN, "ee_ext");
    byte[] signed = other.sign("rogue", currentList().getBytes(StandardCharsets.UTF_8));

    assertRefused(() -> verifier(pki).verify("rogue.signed", signed, null),
        ImageListException.Reason.UNTRUSTED_CHAIN).hasMessageContaining("/DC=org/CN=Rogue CA");
  }

  @Test
  void verify_whenSignerRevoked_refusesRevoked() {
    TestPki own = TestPki.create(dir, CA_DN);
    own.issue("root", "endorser", ENDORSER_DN, "ee_ext");
    own.revoke("root", "endorser");
    byte[] signed = own.sign("endorser", currentList().getBytes(StandardCharsets.UTF_8));

    assertRefused(() -> verifier(own).verify("revoked.signed", signed, null),
        ImageListException.Reason.REVOKED).hasMessageContaining(ENDORSER_DN);
  }

  @Test
  void verify_whenCrlMissing_refusesCrlMissing() {
    TestPki own = TestPki.create(dir, CA_DN);
    own.issue("root", "endorser", ENDORSER_DN, "ee_ext");
    own.deleteCrl("root");
    byte[] signed = own.sign("endorser", currentList().getBytes(StandardCharsets.UTF_8));

    assertRefused(() -> verifier(own).verify("nocrl.signed", signed, null),
        ImageListException.Reason.CRL_MISSING).hasMessageContaining("no CRL of issuing CA "
            + CA_DN);
  }

  @Test
  void verify_whenCrlPastNextUpdate_refusesCrlStale() {
    TestPki own = TestPki.create(dir, CA_DN);
    own.issue("root", "endorser", ENDORSER_DN, "ee_ext");
    Instant now = Instant.now();
    own.writeCrl("root", now.minus(10, ChronoUnit.DAYS), now.minus(1, ChronoUnit.DAYS));
    byte[] signed = own.sign("endorser", currentList().getBytes(StandardCharsets.UTF_8));

    assertRefused(() -> verifier(own).verify("stale.signed", signed, null),
        ImageListException.Reason.CRL_STALE).hasMessageContaining("expired: nextUpdate");
  }

  private static org.assertj.core.api.AbstractThrowableAssert<?, ? extends Throwable>
      assertRefused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call,
          ImageListException.Reason reason) {
    return assertThatThrownBy(call).isInstanceOfSatisfying(ImageListException.class,
        e -> assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason));
  }

  private static ImageListVerifier verifier(TestPki testPki) {
    return new ImageListVerifier(CaDirectory.load(testPki.certificates), Clock.systemUTC(),
        SKEW);
  }

  private ImageListVerifier cloudkeeperVerifier() throws IOException {
    return new ImageListVerifier(CaDirectory.load(cloudkeeperCaDir()), fixedClock(), SKEW);
  }

  private static Clock fixedClock() {
    return Clock.fixed(FIXED_NOW, ZoneOffset.UTC);
  }

  /** The cloudkeeper test CA in a hashed dir, with a CRL made from its published test key. */
  private Path cloudkeeperCaDir() throws IOException {
    Path caDir = dir.resolve("ca");
    Files.createDirectories(caDir);
    Files.write(caDir.resolve("9da13359.0"), resource("ca/9da13359.0"));
    Files.write(dir.resolve("cert.pem"), resource("ca/9da13359.0"));
    Files.write(dir.resolve("ck.key"), resource("ca/9da13359.testkey.pem"));
    Files.writeString(dir.resolve("index.txt"), "");
    Files.writeString(dir.resolve("ck.cnf"), "[ca]\ndefault_ca = ck\n[ck]\n"
        + "database = " + dir.resolve("index.txt") + "\ncertificate = "
        + dir.resolve("cert.pem") + "\nprivate_key = " + dir.resolve("ck.key")
        + "\ndefault_md = sha256\n");
    OpenSsl.run(dir, "ca", "-config", "ck.cnf", "-gencrl", "-crl_lastupdate",
        "20260501000000Z", "-crl_nextupdate", "20260701000000Z", "-out",
        caDir.resolve("9da13359.r0").toString());
    return caDir;
  }

  private static String currentList() {
    return list(ENDORSER_DN, CA_DN, "2026-01-01T00:00:00Z", "2099-01-01T00:00:00Z");
  }

  /** An AppDB-style list (string numbers, ad:* keys) naming the given endorser and dates. */
  private static String list(String dn, String ca, String created, String expires) {
    return "{\n \"hv:imagelist\": {\n"
        + "  \"dc:date:created\": \"" + created + "\",\n"
        + "  \"dc:date:expires\": \"" + expires + "\",\n"
        + "  \"dc:identifier\": \"4e186b44-2c64-40ea-97d5-e9e5c0bce059\",\n"
        + "  \"dc:title\": \"Test list\",\n  \"ad:vo\": \"some1.vo.net\",\n"
        + "  \"hv:endorser\": {\"hv:x509\": {\"dc:creator\": \"Tester\",\n"
        + "    \"hv:ca\": \"" + ca + "\",\n    \"hv:dn\": \"" + dn + "\",\n"
        + "    \"hv:email\": \"t@example.org\"}},\n"
        + "  \"hv:images\": [ {\"hv:image\": {\n"
        + "    \"dc:identifier\": \"c0482bc2-bf41-5d49-aaaa-a750174a186b\",\n"
        + "    \"dc:title\": \"Image\", \"ad:mpuri\": \"https://appdb.example/x\",\n"
        + "    \"hv:uri\": \"https://images.example.org/img.ova\",\n"
        + "    \"hv:size\": \"121243136\", \"hv:version\": \"3.3.0-1\",\n"
        + "    \"hv:format\": \"OVA\", \"hv:hypervisor\": \"KVM\",\n"
        + "    \"hv:core_minimum\": \"2\", \"hv:ram_minimum\": 2048,\n"
        + "    \"sl:arch\": \"x86_64\", \"sl:os\": \"Linux\",\n"
        + "    \"sl:checksum:sha512\": \"" + "ab".repeat(64) + "\"\n"
        + "  }} ],\n"
        + "  \"hv:uri\": \"https://lists.example.org/image.list\",\n"
        + "  \"hv:version\": \"20150618211400\"\n }\n}\n";
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = ImageListVerifierTest.class.getResourceAsStream(
        "/imagelists/" + name)) {
      if (in == null) {
        throw new IOException("test resource /imagelists/" + name + " missing");
      }
      return in.readAllBytes();
    }
  }
}
