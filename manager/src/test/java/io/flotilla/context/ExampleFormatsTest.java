package io.flotilla.context;

import static org.assertj.core.api.Assertions.assertThat;

import io.flotilla.cli.FlotillaCommand;
import io.flotilla.config.SiteConfig;
import io.flotilla.config.SiteConfigLoader;
import io.flotilla.config.VoConfig;
import io.flotilla.emulator.GuestConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loads examples/formats/site.yaml (with its PKI made in a temporary copy) and renders every
 * VO for every cloud type through {@code flotilla context render}.
 */
class ExampleFormatsTest {
  private static final List<String> TYPES = List.of("sandbox", "ec2", "openstack",
      "opennebula");

  @TempDir static Path work;
  static Path siteFile;

  @BeforeAll
  static void copyExampleAndMakePki() throws Exception {
    Path examples = Path.of("..", "examples").toAbsolutePath().normalize();
    Path copy = work.resolve("formats");
    Files.createDirectories(copy.resolve("templates"));
    Files.copy(examples.resolve("formats/site.yaml"), copy.resolve("site.yaml"));
    try (Stream<Path> templates = Files.list(examples.resolve("formats/templates"))) {
      for (Path template : templates.toList()) {
        Files.copy(template, copy.resolve("templates").resolve(template.getFileName()));
      }
    }
    Process pki = new ProcessBuilder(examples.resolve("pki/make-pki.sh").toString(),
        copy.resolve("generated/pki").toString(), "legacy.vo", "atlas", "cms", "lhcb", "vac.vo")
        .redirectErrorStream(true).redirectOutput(work.resolve("pki.log").toFile()).start();
    assertThat(pki.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(pki.exitValue()).as(Files.readString(work.resolve("pki.log"))).isZero();
    siteFile = copy.resolve("site.yaml");
  }

  @Test
  void everyVoForEveryCloudType_rendersThroughTheCommand() throws Exception {
    SiteConfig config = SiteConfigLoader.load(siteFile);
    assertThat(config.vos()).extracting(VoConfig::name)
        .containsExactly("legacy.vo", "atlas", "cms", "lhcb", "vac.vo");
    for (VoConfig vo : config.vos()) {
      for (String type : TYPES) {
        Path out = work.resolve("out-" + vo.name() + "-" + type);

        String stdout = render(vo.name(), type, out, 0);

        assertThat(stdout).as(vo.name() + " " + type).contains("context " + type
            + ": user-data ");
        byte[] userData = Files.readAllBytes(out.resolve("user-data"));
        assertThat(new String(userData, StandardCharsets.ISO_8859_1))
            .as(vo.name() + " " + type).doesNotContain("##user_data_")
            .doesNotStartWith("I2Nsb3VkLWNvbmZpZ");
        if (vo.context().format() == io.flotilla.config.ContextConfig.Format.CLOUD_INIT) {
          assertThat(GuestConfig.fromUserData(userData).credentialUrl())
              .contains(ContextPreview.TOKEN);
        }
        assertThat(out.resolve("config-drive/openstack/latest/user_data").toFile().exists())
            .isEqualTo(type.equals("openstack"));
        assertThat(out.resolve("context.sh").toFile().exists())
            .isEqualTo(type.equals("opennebula"));
      }
    }
  }

  @Test
  void render_gzipVo_writesGzipBytesNeverBase64() throws Exception {
    Path out = work.resolve("atlas-ec2");

    render("atlas", "ec2", out, 0);

    byte[] userData = Files.readAllBytes(out.resolve("user-data"));
    assertThat(userData).startsWith(0x1f, 0x8b);
  }

  @Test
  void render_unknownVoOrCloud_isRefusedWithExitStatus2() throws Exception {
    assertThat(render("nobody", "ec2", work.resolve("x"), 2)).isEmpty();
    assertThat(render("atlas", "azure", work.resolve("y"), 2)).isEmpty();
    assertThat(work.resolve("x")).doesNotExist();
  }

  private static String render(String vo, String cloud, Path out, int expectedStatus) {
    PrintStream originalOut = System.out;
    PrintStream originalErr = System.err;
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    int status;
    try {
      System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
      status = FlotillaCommand.commandLine().execute("context", "render", siteFile.toString(),
          "--vo", vo, "--cloud", cloud, "--out", out.toString());
    } finally {
      System.setOut(originalOut);
      System.setErr(originalErr);
    }
    assertThat(status).as(stderr.toString(StandardCharsets.UTF_8)).isEqualTo(expectedStatus);
    return stdout.toString(StandardCharsets.UTF_8);
  }
}
