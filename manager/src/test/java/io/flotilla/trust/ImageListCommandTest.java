package io.flotilla.trust;

import static io.flotilla.trust.SharedPki.CA_DN;
import static io.flotilla.trust.SharedPki.ENDORSER_DN;
import static org.assertj.core.api.Assertions.assertThat;

import io.flotilla.cli.ImageListCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code flotilla imagelist ...} end to end, interoperating with the real openssl. Lives in
 * the trust test package to share its openssl-made PKI.
 */
class ImageListCommandTest {

  @TempDir
  Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @Test
  void verify_whenOpensslSignedList_printsEveryCheckAndExitsZero() throws Exception {
    Path signed = write("list.signed", SharedPki.sign("endorser",
        SharedPki.list(ENDORSER_DN, CA_DN)));

    int status = run("verify", "--capath", caPath(), "--endorser", ENDORSER_DN,
        "--endorser-ca", CA_DN, signed.toString());

    assertThat(status).as(out + "" + err).isZero();
    assertThat(out.toString().lines().map(l -> l.split(" +")[0] + " " + l.split(" +")[1]))
        .containsExactly("ok mime", "ok signature", "ok signer-count", "ok signer-validity",
            "ok chain", "ok namespace", "ok crl", "ok json", "ok endorser-dn", "ok endorser-ca",
            "ok endorser-trusted", "ok created", "ok expires", "ok unique-images",
            "ACCEPTED " + signed + ":");
    assertThat(out.toString()).contains("ok   signature        signed by " + ENDORSER_DN);
  }

  @Test
  void verify_whenHvDnDiffers_printsFailLineAndExitsOne() throws Exception {
    String otherDn = "/DC=org/DC=flotilla-test/CN=someone else";
    Path signed = write("list.signed", SharedPki.sign("endorser",
        SharedPki.list(otherDn, CA_DN)));

    int status = run("verify", "--capath", caPath(), signed.toString());

    assertThat(status).isEqualTo(1);
    assertThat(out.toString()).contains("FAIL endorser-dn      image list " + signed
        + ": hv:dn '" + otherDn + "' differs from the signer subject '" + ENDORSER_DN + "'")
        .contains("REFUSED " + signed + ": ENDORSER_DN_MISMATCH");
  }

  @Test
  void verify_whenEndorserNotTrusted_exitsOne() throws Exception {
    Path signed = write("list.signed", SharedPki.sign("endorser",
        SharedPki.list(ENDORSER_DN, CA_DN)));

    int status = run("verify", "--capath", caPath(), "--endorser", "/CN=someone",
        "--endorser-ca", CA_DN, signed.toString());

    assertThat(status).isEqualTo(1);
    assertThat(out.toString()).contains("FAIL endorser-trusted");
  }

  @Test
  void verify_whenFileIsNotAnImageListAtAll_exitsOne() throws Exception {
    Path garbage = write("garbage.bin", new byte[] {0, 1, 2, 'x'});

    int status = run("verify", "--capath", caPath(), garbage.toString());

    assertThat(status).isEqualTo(1);
    assertThat(out.toString()).startsWith("FAIL mime").contains("REFUSED " + garbage
        + ": NOT_SMIME");
  }

  @Test
  void verify_whenUnsignedAndAllowed_exitsZeroSayingUnsigned() throws Exception {
    Path plain = write("plain.json", SharedPki.list(ENDORSER_DN, CA_DN)
        .getBytes(StandardCharsets.UTF_8));

    int refused = run("verify", "--capath", caPath(), plain.toString());
    int allowed = run("verify", "--capath", caPath(), "--allow-unsigned", plain.toString());

    assertThat(refused).isEqualTo(1);
    assertThat(allowed).isZero();
    assertThat(out.toString()).contains("WARN mime").contains("ACCEPTED UNSIGNED " + plain);
  }

  @Test
  void verify_whenDuplicateImageIds_exitsOne() throws Exception {
    String image = TestLists.image(TestLists.IMAGE_ID, "");
    Path signed = write("dup.signed", SharedPki.sign("endorser", TestLists.list(ENDORSER_DN,
        CA_DN, "2026-01-01T00:00:00Z", "2099-01-01T00:00:00Z", "1", image + ", " + image)));

    int status = run("verify", "--capath", caPath(), signed.toString());

    assertThat(status).isEqualTo(1);
    assertThat(out.toString()).contains("FAIL unique-images");
  }

  @Test
  void verify_usageErrors_exitTwo() throws Exception {
    Path signed = write("list.signed", SharedPki.sign("endorser",
        SharedPki.list(ENDORSER_DN, CA_DN)));

    assertThat(run("verify", signed.toString())).as("missing --capath").isEqualTo(2);
    assertThat(run("verify", "--capath", caPath())).as("missing FILE").isEqualTo(2);
    assertThat(run("verify", "--capath", dir.resolve("nope").toString(), signed.toString()))
        .as("unreadable CA directory").isEqualTo(2);
    assertThat(run("verify", "--capath", caPath(), "--endorser", ENDORSER_DN,
        signed.toString())).as("--endorser without --endorser-ca").isEqualTo(2);
    assertThat(run("verify", "--capath", caPath(), dir.resolve("missing").toString()))
        .as("unreadable FILE").isEqualTo(2);
    assertThat(err.toString()).contains("--capath").contains("nope")
        .contains("--endorser and --endorser-ca must be given together");
  }

  @Test
  void sign_detached_verifiesWithOpensslSmimeVerifyCapath() throws Exception {
    Path json = write("list.json", SharedPki.list(ENDORSER_DN, CA_DN)
        .getBytes(StandardCharsets.UTF_8));
    Path signed = dir.resolve("list.signed");

    int status = run("sign", "--cert", pem("endorser.pem"), "--key", pem("endorser.key"),
        json.toString(), signed.toString());
    String verified = OpenSsl.exec(dir, List.of("sh", "-c", "openssl smime -verify -CApath '"
        + caPath() + "' -in list.signed -out content.json 2>&1"));

    assertThat(status).as(err.toString()).isZero();
    assertThat(verified).contains("Verification successful");
    assertThat(Files.readString(dir.resolve("content.json")).replace("\r\n", "\n"))
        .isEqualTo(Files.readString(json));
    assertThat(run("verify", "--capath", caPath(), signed.toString())).isZero();
  }

  @Test
  void sign_opaque_verifiesWithOpensslAndOurVerifier() throws Exception {
    Path json = write("list.json", SharedPki.list(ENDORSER_DN, CA_DN)
        .getBytes(StandardCharsets.UTF_8));

    int status = run("sign", "--cert", pem("endorser.pem"), "--key", pem("endorser.key"),
        "--opaque", json.toString(), dir.resolve("list.p7m").toString());
    String verified = OpenSsl.exec(dir, List.of("sh", "-c", "openssl smime -verify -CApath '"
        + caPath() + "' -in list.p7m -out /dev/null 2>&1"));

    assertThat(status).isZero();
    assertThat(verified).contains("Verification successful");
    assertThat(Files.readString(dir.resolve("list.p7m")))
        .contains("application/x-pkcs7-mime; smime-type=signed-data");
    assertThat(run("verify", "--capath", caPath(), dir.resolve("list.p7m").toString()))
        .isZero();
  }

  @Test
  void sign_whenKeyFileMissing_exitsTwoWithoutSigning() throws Exception {
    Path json = write("list.json", SharedPki.list(ENDORSER_DN, CA_DN)
        .getBytes(StandardCharsets.UTF_8));

    int status = run("sign", "--cert", pem("endorser.pem"), "--key", dir.resolve("no.key")
        .toString(), json.toString(), dir.resolve("out").toString());

    assertThat(status).isEqualTo(2);
    assertThat(dir.resolve("out")).doesNotExist();
    assertThat(err.toString()).contains("no.key");
  }

  @Test
  void new_thenSignThenVerify_listsImagesWithSizeAndSha512() throws Exception {
    byte[] content = new byte[3 * 1024 * 1024 + 17];
    for (int i = 0; i < content.length; i++) {
      content[i] = (byte) (i * 31);
    }
    Path image = write("disk.qcow2", content);
    Path json = dir.resolve("new.json");

    int created = run("new", "--identifier", TestLists.LIST_ID, "--title", "Made by new",
        "--endorser-dn", ENDORSER_DN, "--endorser-ca", CA_DN, "--uri",
        "https://lists.example.org/new.list", "--expires-days", "7", "-o", json.toString(),
        image.toString());
    int signed = run("sign", "--cert", pem("endorser.pem"), "--key", pem("endorser.key"),
        json.toString(), dir.resolve("new.signed").toString());
    VerifiedImageList verified = new ImageListVerifier(CaDirectory.load(
        SharedPki.get().certificates), java.time.Clock.systemUTC(), java.time.Duration.ZERO)
        .verify("new.signed", Files.readAllBytes(dir.resolve("new.signed")), null);

    assertThat(created).as(err.toString()).isZero();
    assertThat(signed).as(err.toString()).isZero();
    Image listed = verified.imageList().images().get(0);
    assertThat(listed.size()).isEqualTo(content.length);
    assertThat(listed.sha512()).isEqualTo(HexFormat.of().formatHex(
        MessageDigest.getInstance("SHA-512").digest(content)));
    assertThat(listed.format()).isEqualTo("QCOW2");
    assertThat(listed.uri()).isEqualTo(image.toUri().toString());
    assertThat(verified.imageList().identifier()).isEqualTo(TestLists.LIST_ID);
    assertThat(verified.imageList().expires()).isAfter(verified.imageList().created());
  }

  @Test
  void new_sameIdentifierTwice_keepsImageIdentifiers() throws Exception {
    Path image = write("a.img", new byte[] {1, 2, 3});

    run("new", "--identifier", TestLists.LIST_ID, "--title", "t", "--endorser-dn", "/CN=a",
        "--endorser-ca", "/CN=b", "--uri", "u", image.toString());
    String first = out.toString();
    out.getBuffer().setLength(0);
    run("new", "--identifier", TestLists.LIST_ID, "--title", "t", "--endorser-dn", "/CN=a",
        "--endorser-ca", "/CN=b", "--uri", "u", image.toString());

    String firstImageId = UnverifiedImageList.read("1", first.getBytes(StandardCharsets.UTF_8))
        .imageList().images().get(0).identifier();
    String secondImageId = UnverifiedImageList.read("2", out.toString()
        .getBytes(StandardCharsets.UTF_8)).imageList().images().get(0).identifier();
    assertThat(secondImageId).isEqualTo(firstImageId);
  }

  @Test
  void show_printsFieldsOfSignedAndUnsignedLists() throws Exception {
    Path signed = write("list.signed", SharedPki.sign("endorser",
        SharedPki.list(ENDORSER_DN, CA_DN), "-nodetach"));
    Path plain = write("list.json", SharedPki.list(ENDORSER_DN, CA_DN)
        .getBytes(StandardCharsets.UTF_8));

    int signedStatus = run("show", signed.toString());
    int plainStatus = run("show", plain.toString());
    int garbageStatus = run("show", write("g", new byte[] {'{'}).toString());

    assertThat(signedStatus).isZero();
    assertThat(plainStatus).isZero();
    assertThat(garbageStatus).isEqualTo(1);
    assertThat(out.toString()).contains("envelope:      application/pkcs7-mime")
        .contains("envelope:      unsigned JSON")
        .contains("dc:identifier: " + TestLists.LIST_ID)
        .contains("hv:dn:         " + ENDORSER_DN)
        .contains("- " + TestLists.IMAGE_ID + "  Image  version 3.3.0-1");
  }

  private int run(String... args) {
    CommandLine commandLine = new CommandLine(new ImageListCommand())
        .setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
    return commandLine.execute(args);
  }

  private Path write(String name, byte[] bytes) throws Exception {
    Path file = dir.resolve(name);
    Files.write(file, bytes);
    return file;
  }

  private static String caPath() {
    return SharedPki.get().certificates.toString();
  }

  private static String pem(String name) {
    return SharedPki.get().dir.resolve(name).toString();
  }
}
