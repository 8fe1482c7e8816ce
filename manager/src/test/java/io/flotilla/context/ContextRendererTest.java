package io.flotilla.context;

import static io.flotilla.context.ContextFixtures.atlas;
import static io.flotilla.context.ContextFixtures.gunzip;
import static io.flotilla.context.ContextFixtures.site;
import static io.flotilla.context.ContextFixtures.text;
import static io.flotilla.context.ContextFixtures.urlRoot;
import static io.flotilla.context.ContextFixtures.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flotilla.config.ConfigException;
import io.flotilla.config.SiteConfig;
import io.flotilla.emulator.GuestConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContextRendererTest {
  private static final String SYSLOG = "  syslog:\n    collector: logs.example.org:514\n"
      + "    protocol: tcp\n";

  @TempDir Path dir;

  @Test
  void render_legacyTemplateKey_givesBuiltInCloudConfigUnchanged() {
    SiteConfig config = site(dir, "", "    template: cloud-init/pilot.yaml\n");

    RenderedContext context = new ContextRenderer(config).render(atlas(config), "sandbox",
        values("sandbox"));

    String userData = text(context.userData());
    assertThat(userData).startsWith("#cloud-config\n# Flotilla pilot VM: VO atlas at site"
        + " TEST-SITE, machine m-1.\n");
    assertThat(userData).contains("      export MACHINEFEATURES='" + urlRoot()
        + "/machinefeatures'\n      export JOBFEATURES='" + urlRoot() + "/jobfeatures'\n");
    assertThat(context.gzipped()).isFalse();
    GuestConfig guest = GuestConfig.fromUserData(context.userData());
    assertThat(guest.jobOutputs()).isEqualTo(urlRoot() + "/joboutputs");
    assertThat(guest.heartbeat()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void render_withSiteLoggingAndSiteTemplate_joinsSiteThenVoPartsInOrder() throws Exception {
    Files.writeString(dir.resolve("site-part.yaml"),
        "#cloud-config\n# site {{site}}\nbootcmd:\n  - [sh, -c, 'echo {{option_motd}}']\n");
    SiteConfig config = site(dir, SYSLOG + "  template: site-part.yaml\n"
        + "  options:\n    motd: hello\n", "");

    String userData = text(new ContextRenderer(config).render(atlas(config), "ec2",
        values("aws")).userData());

    assertThat(userData).startsWith("Content-Type: multipart/mixed; boundary=\"==flotilla-");
    assertThat(userData).containsSubsequence(
        "filename=\"site-logging.cfg\"", "flotilla_site: \"*.* @@logs.example.org:514\"",
        "filename=\"site.cfg\"", "# site TEST-SITE", "echo hello",
        "filename=\"vo-atlas.cfg\"", "#cloud-config\n# Flotilla pilot VM");
    assertThat(userData).contains("Content-Type: text/cloud-config; charset=\"utf-8\"\n"
        + "MIME-Version: 1.0\nContent-Transfer-Encoding: 7bit\n"
        + "Content-Disposition: attachment; filename=\"site-logging.cfg\"\n"
        + "Merge-Type: list(append)+dict(no_replace,recurse_list)+str()\n\n#cloud-config\n");
    assertThat(userData).endsWith("==--\n");
    assertThat(GuestConfig.fromUserData(userData.getBytes()).machineId()).isEqualTo("m-1");
  }

  @Test
  void render_sameInput_givesSameBytes() {
    SiteConfig config = site(dir, SYSLOG, "");
    ContextRenderer renderer = new ContextRenderer(config);

    assertThat(renderer.render(atlas(config), "ec2", values("aws")))
        .isEqualTo(renderer.render(atlas(config), "ec2", values("aws")));
  }

  @Test
  void render_withGzip_compressesTheWholeMultipartPayload() {
    SiteConfig plain = site(dir, SYSLOG, "");
    byte[] expected = new ContextRenderer(plain).render(atlas(plain), "ec2", values("aws"))
        .userData();
    SiteConfig zipped = site(dir, SYSLOG, "    context:\n      gzip: true\n");

    RenderedContext context = new ContextRenderer(zipped).render(atlas(zipped), "ec2",
        values("aws"));

    assertThat(context.gzipped()).isTrue();
    assertThat(context.userData()).startsWith(0x1f, 0x8b);
    assertThat(gunzip(context.userData())).isEqualTo(expected);
    assertThat(GuestConfig.fromUserData(context.userData()).machineId()).isEqualTo("m-1");
  }

  @Test
  void render_ec2OverLimit_refusesWithSizeLimitAndGzipAdvice() throws Exception {
    Files.writeString(dir.resolve("big.yaml"), "#cloud-config\n# {{vo}}\n"
        + "# padding\n".repeat(2000));
    SiteConfig config = site(dir, "", "    template: big.yaml\n");

    assertThatThrownBy(() -> new ContextRenderer(config).render(atlas(config), "ec2",
        values("aws")))
        .isInstanceOf(ContextException.class)
        .hasMessageContaining("VO atlas on cloud aws (ec2): user-data is 20022 bytes, EC2"
            + " allows at most 16384 bytes")
        .hasMessageContaining("set gzip: true in the VO's context (compressed it would be");
  }

  @Test
  void render_ec2OverLimitAlreadyGzipped_saysTheTemplateMustShrink() throws Exception {
    StringBuilder noise = new StringBuilder("#cloud-config\n");
    java.util.Random random = new java.util.Random(1);
    for (int i = 0; i < 2500; i++) {
      noise.append("# ").append(Long.toHexString(random.nextLong())).append('\n');
    }
    Files.writeString(dir.resolve("noise.yaml"), noise.toString());
    SiteConfig config = site(dir, "",
        "    context:\n      template: noise.yaml\n      gzip: true\n");

    assertThatThrownBy(() -> new ContextRenderer(config).render(atlas(config), "ec2",
        values("aws")))
        .hasMessageContaining("EC2 allows at most 16384 bytes")
        .hasMessageContaining("gzip-compressed already");
  }

  @Test
  void render_openStackLimit_acceptsExactlyTheLargestAndRefusesOneMore() throws Exception {
    String head = "#cloud-config\n";
    Files.writeString(dir.resolve("max.yaml"), head + "#".repeat(49_149 - head.length() - 1)
        + "\n");
    Files.writeString(dir.resolve("over.yaml"), head + "#".repeat(49_150 - head.length() - 1)
        + "\n");
    SiteConfig max = site(dir, "", "    template: max.yaml\n");
    assertThat(new ContextRenderer(max).render(atlas(max), "openstack", values("os"))
        .userData()).hasSize(49_149);
    assertThat(Base64.getEncoder().encodeToString(new byte[49_149])).hasSize(65_532);

    SiteConfig over = site(dir, "", "    template: over.yaml\n");
    assertThatThrownBy(() -> new ContextRenderer(over).render(atlas(over), "openstack",
        values("os")))
        .hasMessageContaining("user-data is 49150 bytes (65536 as base64), OpenStack Nova"
            + " allows at most 65535 bytes of base64 (49149 bytes)");
  }

  @Test
  void render_mustachePlaceholderWithoutValue_namesTemplateAndPlaceholder() throws Exception {
    Files.writeString(dir.resolve("vo.yaml"), "#cloud-config\n# {{vo}}\n# {{option_queue}}\n");
    SiteConfig config = site(dir, "", "    template: vo.yaml\n");

    assertThatThrownBy(() -> new ContextRenderer(config).render(atlas(config), "ec2",
        values("aws")))
        .isInstanceOf(ContextException.class)
        .hasMessage("template " + dir.resolve("vo.yaml") + ": placeholder 'option_queue' on"
            + " line 3 has no value");
  }

  @Test
  void render_unknownVacuumPlaceholders_areRefusedByName() throws Exception {
    Files.writeString(dir.resolve("vo.yaml"), "#cloud-config\n# ##user_data_space##\n"
        + "# ##user_data_option_cvmfs_proxy## ##user_data_heartbeat_machines_url##\n");
    SiteConfig config = site(dir, "", "    template: vo.yaml\n");

    assertThatThrownBy(() -> new ContextRenderer(config).render(atlas(config), "ec2",
        values("aws")))
        .hasMessage("template " + dir.resolve("vo.yaml") + ": placeholder"
            + " ##user_data_option_cvmfs_proxy## has no value (set options.cvmfs_proxy in the"
            + " VO's context or the site's context); placeholder"
            + " ##user_data_heartbeat_machines_url## is unknown (Flotilla does not provide it)");
  }

  @Test
  void render_voPartCloudInitWouldNotRun_isRefused() throws Exception {
    Files.writeString(dir.resolve("b64.txt"), "I2Nsb3VkLWNvbmZpZwo=\n");
    SiteConfig config = site(dir, "", "    template: b64.txt\n");

    assertThatThrownBy(() -> new ContextRenderer(config).render(atlas(config), "ec2",
        values("aws")))
        .hasMessageContaining("b64.txt renders user-data cloud-init would not run");
  }

  @Test
  void render_shellScriptVoPart_becomesTextXShellscriptAfterSitePart() throws Exception {
    Files.writeString(dir.resolve("vo.sh"), "#!/bin/sh\necho {{machine_id}}\n");
    SiteConfig config = site(dir, SYSLOG, "    template: vo.sh\n");

    String userData = text(new ContextRenderer(config).render(atlas(config), "ec2",
        values("aws")).userData());

    assertThat(userData).containsSubsequence("text/cloud-config", "site-logging.cfg",
        "Content-Type: text/x-shellscript; charset=\"utf-8\"", "vo-atlas.cfg",
        "#!/bin/sh\necho m-1\n\n--==flotilla-");
  }

  @Test
  void render_cernVmVacExample_fillsVacNamesAndOptions() throws Exception {
    Files.writeString(dir.resolve("vac.user_data"),
        ContextFixtures.resource("context/vac-example.user_data"));
    SiteConfig config = site(dir, "  options:\n    cvmfs_proxy: http://squid.site:3128\n",
        "    context:\n      format: cernvm\n      template: vac.user_data\n");

    String userData = text(new ContextRenderer(config).render(atlas(config), "opennebula",
        values("one")).userData());

    assertThat(userData).startsWith("#!/bin/sh\n").contains("hostname m-1\n")
        .contains("[cernvm]\nrepositories = grid\nproxy=http://squid.site:3128\n")
        .contains("cvmfs_http_proxy=http://squid.site:3128\n[ucernvm-end]")
        .contains("All other ##user_data__## sustitutions")
        .doesNotContainPattern("##user_data_[a-z]");
  }

  @Test
  void render_cernVmBuiltIn_acceptsSpecAndVacSpellings() throws Exception {
    Files.writeString(dir.resolve("both.user_data"), "[amiconfig]\nplugins=cernvm\n"
        + "# ##user_data_manager_machinefeatures_url## ##user_data_machinefeatures_url##\n"
        + "# ##user_data_vmtype## ##user_data_vmlm_hostname## ##user_data_root_image_url##\n");
    SiteConfig config = site(dir, "",
        "    context:\n      format: cernvm\n      template: both.user_data\n");

    String userData = text(new ContextRenderer(config).render(atlas(config), "ec2",
        values("aws")).userData());

    assertThat(userData).isEqualTo("[amiconfig]\nplugins=cernvm\n# " + urlRoot()
        + "/machinefeatures " + urlRoot() + "/machinefeatures\n"
        + "# atlas manager.example.org ami-123\n");
  }

  @Test
  void render_cernVmBuiltInWithoutCvmfsProxy_isRefusedNamingTheOption() {
    SiteConfig config = site(dir, "", "    context:\n      format: cernvm\n");

    assertThatThrownBy(() -> new ContextRenderer(config).render(atlas(config), "ec2",
        values("aws")))
        .hasMessageStartingWith("template built-in cernvm/pilot.user_data: placeholder"
            + " ##user_data_option_cvmfs_proxy## has no value");
  }

  @Test
  void render_cernVmBuiltIn_writesTheProfileScriptInItsShellPart() {
    SiteConfig config = site(dir, SYSLOG, "    context:\n      format: cernvm\n"
        + "      options:\n        cvmfs_proxy: 'http://a:3128;http://b:3128'\n");

    String userData = text(new ContextRenderer(config).render(atlas(config), "ec2",
        values("aws")).userData());

    assertThat(userData).startsWith("#!/bin/sh\n")
        .contains("export JOBOUTPUTS='" + urlRoot() + "/joboutputs'\n")
        .contains("export FLOTILLA_HEARTBEAT_SECONDS=60\n")
        .contains("\nexit 0\n[amiconfig]\n")
        .contains("cvmfs_http_proxy='http://a:3128;http://b:3128'\n[ucernvm-end]\n")
        .doesNotContain("Content-Type");
  }

  @Test
  void render_x509ProxyPlaceholder_isRefusedWithTheReason() throws Exception {
    Files.writeString(dir.resolve("p.user_data"), "#!/bin/sh\n##user_data_option_x509_proxy##\n");
    SiteConfig config = site(dir, "",
        "    context:\n      format: cernvm\n      template: p.user_data\n");

    assertThatThrownBy(() -> new ContextRenderer(config).render(atlas(config), "ec2",
        values("aws")))
        .hasMessageContaining("Flotilla never puts a credential in user-data");
  }

  @Test
  void openNebulaContext_isBase64UserDataWithTokenNetworkAndMjfVariables() {
    SiteConfig config = site(dir, "", "");

    RenderedContext context = new ContextRenderer(config).render(atlas(config), "opennebula",
        values("one"));

    assertThat(context.openNebulaContext()).containsExactly(
        java.util.Map.entry("NETWORK", "YES"), java.util.Map.entry("TOKEN", "YES"),
        java.util.Map.entry("USER_DATA",
            Base64.getEncoder().encodeToString(context.userData())),
        java.util.Map.entry("USERDATA_ENCODING", "base64"),
        java.util.Map.entry("MACHINEFEATURES", urlRoot() + "/machinefeatures"),
        java.util.Map.entry("JOBFEATURES", urlRoot() + "/jobfeatures"),
        java.util.Map.entry("JOBOUTPUTS", urlRoot() + "/joboutputs"));
    assertThat(context.openNebulaContextScript()).startsWith(
        "# Context variables generated by OpenNebula\nNETWORK='YES'\nTOKEN='YES'\n");
  }

  @Test
  void openNebulaContextScript_quotesASingleQuoteAsShellDoes() {
    RenderedContext context = new RenderedContext("opennebula", new byte[0], false,
        java.util.Map.of("joboutputs", "it's"));

    assertThat(context.openNebulaContextScript()).endsWith("JOBOUTPUTS='it'\\''s'\n");
  }

  @Test
  void toString_showsNeitherUserDataNorMetadataValues() {
    SiteConfig config = site(dir, "", "");

    RenderedContext context = new ContextRenderer(config).render(atlas(config), "openstack",
        values("os"));

    assertThat(context.toString()).doesNotContain(ContextFixtures.TOKEN)
        .contains("metadata keys=[jobfeatures, joboutputs, machinefeatures]");
  }

  @Test
  void siteFile_voContextErrors_areReportedWithField() {
    assertThatThrownBy(() -> site(dir, "  syslog:\n    collector: nohostport\n",
        "    template: a.yaml\n    context:\n      format: ami\n      template: b.yaml\n"
            + "      mjf_local_copies: true\n      options:\n        Bad-Name: x\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("context.syslog.collector: must be HOST:PORT")
        .hasMessageContaining("vos[0].context.format: must be one of [cloud-init, cernvm],"
            + " got 'ami'")
        .hasMessageContaining("vos[0].template: is given twice")
        .hasMessageContaining("vos[0].context.options.Bad-Name: option names are");
  }

  @Test
  void siteFile_mjfLocalCopiesWithCernVm_isRefused() {
    assertThatThrownBy(() -> site(dir, "", "    context:\n      format: cernvm\n"
        + "      mjf_local_copies: true\n"))
        .hasMessageContaining("vos[0].context.mjf_local_copies: needs format cloud-init");
  }

  @Test
  void siteFile_missingTemplate_stopsTheRendererBeforeAnyMachine() {
    SiteConfig config = site(dir, "", "    template: nowhere.yaml\n");

    assertThatThrownBy(() -> new ContextRenderer(config))
        .hasMessageContaining("template 'nowhere.yaml' is neither a file nor a built-in");
  }
}
