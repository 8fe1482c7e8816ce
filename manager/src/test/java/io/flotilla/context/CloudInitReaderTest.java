package io.flotilla.context;

import static io.flotilla.context.ContextFixtures.atlas;
import static io.flotilla.context.ContextFixtures.site;
import static io.flotilla.context.ContextFixtures.urlRoot;
import static io.flotilla.context.ContextFixtures.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flotilla.config.SiteConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads rendered contextualisation with cloud-init's own code, run by Debian's
 * {@code /usr/bin/python3} (the Debian cloud-init package). Skipped when cloud-init is not
 * installed, except under CI ({@code CI=true}), where that is a failure.
 */
class CloudInitReaderTest {
  private static final String PYTHON = "/usr/bin/python3";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SITE_CONTEXT = "  syslog:\n    collector: logs.example.org:514\n"
      + "  template: site-part.yaml\n";

  @TempDir Path dir;

  @BeforeAll
  static void needsCloudInit() throws Exception {
    boolean present = Files.isExecutable(Path.of(PYTHON))
        && new ProcessBuilder(PYTHON, "-c", "import cloudinit").redirectErrorStream(true)
            .start().waitFor() == 0;
    if (!present && "true".equals(System.getenv("CI"))) {
      fail("cloud-init is not importable by " + PYTHON + ": install Debian's cloud-init"
          + " package (.ci/run does: apt-get install --no-install-recommends cloud-init)");
    }
    Assumptions.assumeTrue(present, "cloud-init not installed for " + PYTHON);
  }

  @Test
  void schema_everyFormatOfCloudInitUserData_validatesStrictly() throws Exception {
    Files.writeString(dir.resolve("site-part.yaml"), "#cloud-config\n"
        + "bootcmd:\n  - [sh, -c, 'echo site {{site}}']\n");
    List<String> voContexts = List.of("", "    context:\n      gzip: true\n",
        "    context:\n      mjf_local_copies: true\n");
    for (String siteContext : List.of("", SITE_CONTEXT)) {
      for (String voContext : voContexts) {
        SiteConfig config = site(dir, siteContext, voContext);
        byte[] userData = new ContextRenderer(config).render(atlas(config), "ec2",
            values("aws")).userData();

        JsonNode result = userData(userData);

        assertThat(result.path("write_files").toString()).as(siteContext + voContext)
            .contains("/etc/profile.d/flotilla.sh");
      }
    }
  }

  @Test
  void multipart_splitsIntoTypedPartsInOrderAndMergesTheirLists() throws Exception {
    Files.writeString(dir.resolve("site-part.yaml"), "#cloud-config\n"
        + "runcmd:\n  - [echo, site]\n");
    SiteConfig config = site(dir, SITE_CONTEXT, "    context:\n      mjf_local_copies: true\n");
    byte[] userData = new ContextRenderer(config).render(atlas(config), "ec2", values("aws"))
        .userData();

    JsonNode result = userData(userData);

    assertThat(result.path("parts").toString()).isEqualTo("["
        + "{\"type\":\"text/cloud-config\",\"filename\":\"site-logging.cfg\"},"
        + "{\"type\":\"text/cloud-config\",\"filename\":\"site.cfg\"},"
        + "{\"type\":\"text/cloud-config\",\"filename\":\"flotilla-mjf.cfg\"},"
        + "{\"type\":\"text/cloud-config\",\"filename\":\"vo-atlas.cfg\"}]");
    assertThat(result.path("write_files").toString()).contains("/etc/flotilla/mjf-urls.sh",
        "/etc/profile.d/zz-flotilla-mjf.sh", "/etc/profile.d/flotilla.sh");
    assertThat(result.path("runcmd").get(0).toString()).isEqualTo("[\"echo\",\"site\"]");
    assertThat(result.path("runcmd").toString()).contains("flotilla-mjf-refresh.timer",
        "flotilla-heartbeat.service");
    assertThat(result.path("rsyslog").path("remotes").path("flotilla_site").asText())
        .isEqualTo("*.* @logs.example.org:514");
  }

  @Test
  void multipart_shellVoPart_isTypedAsAShellScript() throws Exception {
    Files.writeString(dir.resolve("site-part.yaml"), "#cloud-config\n{}\n");
    Files.writeString(dir.resolve("vo.sh"), "#!/bin/sh\necho {{vo}}\n");
    SiteConfig config = site(dir, SITE_CONTEXT, "    template: vo.sh\n");
    byte[] userData = new ContextRenderer(config).render(atlas(config), "ec2", values("aws"))
        .userData();

    JsonNode result = userData(userData);

    assertThat(result.path("parts").findValuesAsText("type")).containsExactly(
        "text/cloud-config", "text/cloud-config", "text/x-shellscript");
  }

  @Test
  void configDrive_isReadBackWithOurUserDataAndMetadata() throws Exception {
    SiteConfig config = site(dir, "", "    context:\n      gzip: true\n");
    RenderedContext context = new ContextRenderer(config).render(atlas(config), "openstack",
        values("os"));
    Path out = dir.resolve("out");
    ContextPreview.write(context, out, "vm-1");

    JsonNode result = run("configdrive.py", out.resolve("config-drive").toString());

    assertThat(result.path("instance_id").asText()).isEqualTo(ContextPreview.MACHINE_ID);
    assertThat(result.path("hostname").asText()).isEqualTo("vm-1");
    assertThat(result.path("meta").path("machinefeatures").asText())
        .isEqualTo(urlRoot() + "/machinefeatures");
    assertThat(result.path("meta").path("joboutputs").asText())
        .isEqualTo(urlRoot() + "/joboutputs");
    assertThat(Base64.getDecoder().decode(result.path("userdata_b64").asText()))
        .isEqualTo(context.userData());
  }

  @Test
  void openNebulaContext_isReadBackWithOurUserDataAndMjfVariables() throws Exception {
    SiteConfig config = site(dir, "", "");
    RenderedContext context = new ContextRenderer(config).render(atlas(config), "opennebula",
        values("one"));
    Path out = dir.resolve("one");
    ContextPreview.write(context, out, "vm-1");

    JsonNode result = run("opennebula.py", out.toString());

    assertThat(Base64.getDecoder().decode(result.path("userdata_b64").asText()))
        .isEqualTo(context.userData());
    assertThat(result.path("metadata").path("JOBFEATURES").asText())
        .isEqualTo(urlRoot() + "/jobfeatures");
    assertThat(result.path("metadata").path("USERDATA_ENCODING").asText()).isEqualTo("base64");
    assertThat(result.path("metadata").path("TOKEN").asText()).isEqualTo("YES");
  }

  @Test
  void openNebulaContext_gzippedUserData_comesBackAsTheSameBytes() throws Exception {
    SiteConfig config = site(dir, "", "    context:\n      gzip: true\n");
    RenderedContext context = new ContextRenderer(config).render(atlas(config), "opennebula",
        values("one"));
    Path out = dir.resolve("one");
    ContextPreview.write(context, out, "vm-1");

    JsonNode result = run("opennebula.py", out.toString());

    assertThat(Base64.getDecoder().decode(result.path("userdata_b64").asText()))
        .isEqualTo(context.userData()).startsWith(0x1f, 0x8b);
  }

  private JsonNode userData(byte[] bytes) throws Exception {
    Path file = Files.createTempFile(dir, "user-data", "");
    Files.write(file, bytes);
    return run("userdata.py", file.toString());
  }

  static JsonNode run(String script, String argument) throws Exception {
    Path path = Path.of(CloudInitReaderTest.class.getResource("/cloudinit/" + script).toURI());
    List<String> command = new ArrayList<>(List.of(PYTHON, path.toString(), argument));
    Process process = new ProcessBuilder(command).start();
    byte[] out = process.getInputStream().readAllBytes();
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(script + ": " + err).isZero();
    return JSON.readTree(out);
  }
}
