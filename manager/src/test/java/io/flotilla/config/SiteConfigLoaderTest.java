package io.flotilla.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SiteConfigLoaderTest {
  @TempDir Path dir;

  private static final String VALID = TestSites.HEAD + """
      image_lists:
        - name: list1
          url: file:list.signed
          endorsers: [e1]
      clouds:
        - name: sandbox
          type: sandbox
      vos:
        - name: atlas
          image: c0482bc2-bf41-5d49-aaaa-a750174a186b
          clouds: [sandbox]
          machines: 3
          flavour: small
          lifetime: 2h
          grace: 5m
          robot_certificate: robot.pem
          robot_key: robot.key
      """;

  @BeforeEach
  void robotFiles() throws IOException {
    TestSites.writeRobotStubs(dir);
  }

  private SiteConfig load(String yaml) throws IOException {
    Path file = dir.resolve("site.yaml");
    Files.writeString(file, yaml);
    return SiteConfigLoader.load(file);
  }

  @Test
  void load_whenValid_appliesDefaultsAndResolvesPaths() throws IOException {
    SiteConfig config = load(VALID);

    assertThat(config.site()).isEqualTo("TEST-SITE");
    assertThat(config.guestApi().advertisedUrl()).isEqualTo("http://127.0.0.1:8390");
    assertThat(config.guestApi().bindHost()).isEqualTo("127.0.0.1");
    assertThat(config.trust().caDir()).isEqualTo(dir.resolve("certificates"));
    assertThat(config.imageLists().get(0).url())
        .isEqualTo(dir.resolve("list.signed").toUri().toString());
    VoConfig vo = config.vo("atlas").orElseThrow();
    assertThat(vo.lifetime()).isEqualTo(Duration.ofHours(2));
    assertThat(vo.grace()).isEqualTo(Duration.ofMinutes(5));
    assertThat(vo.abortCodes().contains(300)).isTrue();
    assertThat(vo.abortCodes().contains(700)).isFalse();
    assertThat(config.cluster().members()).containsExactly("127.0.0.1");
  }

  @Test
  void load_whenValuesInvalid_namesFileFieldAndReasonForEach() {
    String yaml = VALID.replace("type: sandbox", "type: azure")
        .replace("machines: 3", "machines: -1")
        .replace("lifetime: 2h", "lifetime: soon")
        .replace("dn: /DC=org/DC=example/CN=endorser", "dn: CN=endorser,DC=example");

    assertThatThrownBy(() -> load(yaml))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactlyInAnyOrder(
            dir.resolve("site.yaml") + ": clouds[0].type: unknown cloud type 'azure', expected"
                + " one of " + SiteConfigLoader.CLOUD_TYPES,
            dir.resolve("site.yaml") + ": vos[0].machines: must be between 0 and 100000, got -1",
            dir.resolve("site.yaml") + ": vos[0].lifetime: must be a duration such as 90s, 5m"
                + " or 2h, got 'soon'",
            dir.resolve("site.yaml") + ": endorsers[0].dn: must be a DN in OpenSSL slash form"
                + " such as /DC=ch/DC=cern/CN=name, got 'CN=endorser,DC=example'"));
  }

  @Test
  void load_whenKeyMisspelt_reportsUnknownOption() {
    String yaml = VALID.replace("machines: 3", "machine: 3");

    assertThatThrownBy(() -> load(yaml)).hasMessageEndingWith(
        "vos[0].machine: unknown option (check its spelling against examples/)");
  }

  @Test
  void load_whenReferencesDangle_namesTheMissingThing() {
    String yaml = VALID.replace("clouds: [sandbox]", "clouds: [openstack-1]")
        .replace("endorsers: [e1]", "endorsers: [e2]")
        .replace("robot_key: robot.key", "robot_key: missing.key");

    assertThatThrownBy(() -> load(yaml))
        .hasMessageContaining("vos[0].clouds: names cloud 'openstack-1', which is not defined")
        .hasMessageContaining("image_lists[0].endorsers: names endorser 'e2', which is not"
            + " defined")
        .hasMessageContaining("vos[0].robot_key: file " + dir.resolve("missing.key")
            + " does not exist or cannot be read");
  }

  @Test
  void load_whenGraceNotShorterThanLifetime_refuses() {
    String yaml = VALID.replace("grace: 5m", "grace: 3h");

    assertThatThrownBy(() -> load(yaml))
        .hasMessageEndingWith("vos[0].grace: must be shorter than lifetime (2h), got 3h");
  }

  @Test
  void load_whenYamlBroken_givesLineAndColumn() {
    assertThatThrownBy(() -> load("site: [unclosed\nvos: x\n"))
        .hasMessageContaining("site.yaml: (syntax): not valid YAML at line");
  }

  @Test
  void load_whenFileMissing_saysSo() {
    Path missing = dir.resolve("nope.yaml");

    assertThatThrownBy(() -> SiteConfigLoader.load(missing))
        .hasMessage(missing + ": (file): does not exist");
  }

  @Test
  void load_whenAdvertisedUrlNotHttp_refuses() {
    String yaml = VALID.replace("http://127.0.0.1:8390/", "ftp://example");

    assertThatThrownBy(() -> load(yaml)).hasMessageEndingWith(
        "guest_api.advertised_url: must be an http:// or https:// URL with a host,"
            + " got 'ftp://example'");
  }

  @Test
  void load_whenDurationAbsurd_refusesInsteadOfOverflowing() {
    String yaml = VALID.replace("lifetime: 2h", "lifetime: 99999999999999999999s")
        .replace("grace: 5m", "grace: 99999d");

    assertThatThrownBy(() -> load(yaml))
        .hasMessageContaining("vos[0].lifetime: must be a duration such as 90s, 5m or 2h,"
            + " got '99999999999999999999s'")
        .hasMessageContaining("vos[0].grace: must be between 1s and 3650d, got 99999d");
  }

  @Test
  void load_whenCycleLongerThanTenMinutes_refuses() {
    String yaml = VALID + "lifecycle:\n  cycle: 100000000h\n";

    assertThatThrownBy(() -> load(yaml)).hasMessageEndingWith(
        "lifecycle.cycle: must be between 100ms and 10m, got 100000000h");
  }

  @Test
  void load_whenBindAddressIsAName_refusesBeforeAnyLookup() {
    String yaml = VALID.replace("  advertised_url:", "  bind: not-an-ip\n  advertised_url:");

    assertThatThrownBy(() -> load(yaml)).hasMessageEndingWith(
        "guest_api.bind: must be an IP address such as 127.0.0.1 or ::1, got 'not-an-ip'");
  }

  @Test
  void load_whenKeyGivenTwice_refusesNamingTheKey() {
    String yaml = "site: A\n" + VALID;

    assertThatThrownBy(() -> load(yaml)).hasMessageContaining("Duplicate field 'site'");
  }
}
