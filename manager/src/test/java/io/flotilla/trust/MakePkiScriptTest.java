package io.flotilla.trust;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs examples/pki/make-pki.sh and sign-imagelist.sh and verifies what they produce. */
class MakePkiScriptTest {

  private static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();

  @TempDir
  Path dir;

  @Test
  void makePki_whenExampleListSigned_verifiesWithCurrentClock() throws Exception {
    Path pkiDir = dir.resolve("pki");
    runScript("make-pki.sh", pkiDir.toString(), "some1.vo.net", "another.vo.org");
    Path signed = dir.resolve("imagelist.signed");
    runScript("sign-imagelist.sh", pkiDir.toString(),
        EXAMPLES.resolve("sandbox/imagelist.json").toString(), signed.toString());
    ImageListVerifier verifier = new ImageListVerifier(
        CaDirectory.load(pkiDir.resolve("certificates")), Clock.systemUTC(),
        Duration.ofMinutes(5));
    Endorser endorser = new Endorser(
        "/DC=XXX/DC=YYY/C=ZZ/O=Hosts/O=AA.net/CN=some.unknown.source",
        "/DC=XXX/DC=YYY/CN=SOME TEST CA");

    VerifiedImageList verified =
        verifier.verify("imagelist.signed", Files.readAllBytes(signed), List.of(endorser));

    assertThat(verified.imageList().vo()).isEqualTo("some1.vo.net");
    assertThat(verified.imageList().images()).hasSize(2);
  }

  @Test
  void makePki_writesRobotPerVoAndIsIdempotent() throws Exception {
    Path pkiDir = dir.resolve("pki");
    runScript("make-pki.sh", pkiDir.toString(), "some1.vo.net");
    Path robot = pkiDir.resolve("vo/some1.vo.net/robot.pem");
    String firstRobot = Files.readString(robot);

    String second = runScript("make-pki.sh", pkiDir.toString(), "some1.vo.net");

    assertThat(second).contains("already complete");
    assertThat(Files.readString(robot)).isEqualTo(firstRobot);
    assertThat(OpenSsl.run(dir, "x509", "-in", robot.toString(), "-noout", "-subject",
        "-nameopt", "compat").strip())
        .isEqualTo("subject=/DC=XXX/DC=YYY/O=Robots/CN=Robot: some1.vo.net pilot");
    assertThat(Files.getPosixFilePermissions(pkiDir.resolve("vo/some1.vo.net/robot.key")))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE);
    assertThat(OpenSsl.run(dir, "verify", "-CApath", pkiDir.resolve("certificates").toString(),
        "-crl_check_all", robot.toString())).contains("OK");
  }

  private String runScript(String script, String... args) {
    List<String> command = new java.util.ArrayList<>();
    command.add("bash");
    command.add(EXAMPLES.resolve("pki").resolve(script).toString());
    command.addAll(List.of(args));
    return OpenSsl.exec(dir, command);
  }
}
