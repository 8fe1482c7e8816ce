package io.flotilla.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flotilla.config.ControlConfig.Flavour;
import io.flotilla.config.ControlConfig.ImagePolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlConfigReaderTest {
  @TempDir Path dir;

  private static final String SITE = TestSites.HEAD + """
      image_lists:
        - name: list1
          url: file:list.signed
          endorsers: [e1]
      clouds:
        - name: sandbox
          type: sandbox
      CLOUD
      vos:
        - name: atlas
          image: c0482bc2-bf41-5d49-aaaa-a750174a186b
          clouds: [sandbox]
          flavour: small
          lifetime: 2h
          grace: 5m
          robot_certificate: robot.pem
          robot_key: robot.key
      VO
      EXTRA
      """;

  @BeforeEach
  void robotFiles() throws IOException {
    TestSites.writeRobotStubs(dir);
  }

  private SiteConfig load(String cloud, String vo, String extra) throws IOException {
    Path file = dir.resolve("site.yaml");
    Files.writeString(file, SITE.replace("CLOUD", cloud).replace("VO", vo)
        .replace("EXTRA", extra));
    return SiteConfigLoader.load(file);
  }

  @Test
  void load_readsSharesLimitsQuotasAndAccounting() throws IOException {
    SiteConfig config = load("""
            limits: {processors: 64, ram_mb: 131072}
            creation_cap: 8
            ram_rounding_mb: 512
            flavours: {small: {processors: 2, ram_mb: 4096}}
        """, """
            target_share: 70
            fizzle: 90s
            abort_includes_700: true
            quota: {instances: 20}
            fqan: /atlas/Role=pilot
        """, """
        planning:
          site_shutdown_time: 2030-01-31T18:00:00Z
          image_revocation: drain
        accounting:
          apel_dir: apel/outgoing
        """);

    ControlConfig control = config.control();
    assertThat(control.vo("atlas").targetShare()).isEqualTo(70);
    assertThat(control.vo("atlas").fizzle()).isEqualTo(Duration.ofSeconds(90));
    assertThat(control.vo("atlas").abortIncludes700()).isTrue();
    assertThat(control.vo("atlas").quota().instances()).isEqualTo(20);
    assertThat(control.space("sandbox").limits().processors()).isEqualTo(64);
    assertThat(control.space("sandbox").creationCap()).isEqualTo(8);
    assertThat(control.space("sandbox").flavours()).containsEntry("small", new Flavour(2, 4096));
    assertThat(control.imageRevocation()).isEqualTo(ImagePolicy.DRAIN);
    assertThat(control.accounting().apelDir()).isEqualTo(dir.resolve("apel/outgoing"));
    assertThat(control.shareMode()).isTrue();
  }

  @Test
  void load_withoutNewKeys_keepsTheFixedCountVo() throws IOException {
    SiteConfig config = load("", "    machines: 3\n", "");

    assertThat(config.control().vo("atlas").shareMode()).isFalse();
    assertThat(config.vos().get(0).machines()).isEqualTo(3);
    assertThat(config.control().accounting().apelDir()).isNull();
  }

  @Test
  void load_whenValuesAreWrong_namesFileFieldAndReason() throws IOException {
    assertThatThrownBy(() -> load("""
            limits: {processors: -1}
            flavours: {small: {processors: 2}}
        """, """
            target_share: 50
            machines: 2
            fqan: atlas
        """, """
        planning:
          image_revocation: sometimes
        """))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactlyInAnyOrder(
            dir.resolve("site.yaml") + ": clouds[0].limits.processors: must be between 0 and"
                + " 100000000, got -1",
            dir.resolve("site.yaml") + ": clouds[0].flavours.small: must give exactly"
                + " processors (1-4096) and ram_mb (a whole number of MiB above 0), got"
                + " {processors=2}",
            dir.resolve("site.yaml") + ": vos[0].machines: cannot be combined with"
                + " target_share: a VO either keeps a fixed number of machines or takes a"
                + " share of each space",
            dir.resolve("site.yaml") + ": vos[0].fqan: must be a VOMS FQAN such as"
                + " /atlas/Role=production, got 'atlas'",
            dir.resolve("site.yaml") + ": planning.image_revocation: must be keep, drain or"
                + " terminate, got 'sometimes'"));
  }
}
