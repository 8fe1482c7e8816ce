package io.flotilla.emulator;

import static io.flotilla.emulator.UserDataFixtures.cloudConfig;
import static io.flotilla.emulator.UserDataFixtures.cloudConfigBytes;
import static io.flotilla.emulator.UserDataFixtures.gzip;
import static io.flotilla.emulator.UserDataFixtures.multipart;
import static io.flotilla.emulator.UserDataFixtures.profile;
import static io.flotilla.emulator.UserDataFixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class GuestConfigTest {

  private static final String BASE = "http://127.0.0.1:8443/guest";

  @Test
  void fromUserData_whenCloudConfig_readsEveryVariable() {
    GuestConfig config = GuestConfig.fromUserData(cloudConfigBytes(BASE, "m-17", 30));

    assertThat(config.machineFeatures()).isEqualTo(BASE + "/mf/m-17");
    assertThat(config.jobFeatures()).isEqualTo(BASE + "/jf/m-17");
    assertThat(config.jobOutputs()).isEqualTo(BASE + "/out/m-17");
    assertThat(config.credentialUrl()).isEqualTo(BASE + "/cred/m-17");
    assertThat(config.heartbeat()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.machineId()).isEqualTo("m-17");
  }

  @Test
  void toString_leavesCapabilityUrlsOut() {
    GuestConfig config = GuestConfig.fromUserData(cloudConfigBytes(BASE, "m-17", 30));

    assertThat(config.toString()).doesNotContain("http").contains("m-17");
  }

  @Test
  void fromUserData_whenGzipped_readsSameConfig() {
    byte[] plain = cloudConfigBytes(BASE, "m-2", 5);

    assertThat(GuestConfig.fromUserData(gzip(plain))).isEqualTo(GuestConfig.fromUserData(plain));
  }

  @Test
  void fromUserData_whenMultipart_readsCloudConfigPart() {
    String yaml = cloudConfig(profile(BASE, "m-3", 5));

    GuestConfig plain = GuestConfig.fromUserData(utf8(multipart(yaml, false)));
    GuestConfig base64 = GuestConfig.fromUserData(utf8(multipart(yaml, true)));

    assertThat(plain.machineId()).isEqualTo("m-3");
    assertThat(base64).isEqualTo(plain);
  }

  @Test
  void fromUserData_whenGzippedMultipartWithCrlf_readsCloudConfigPart() {
    String message = multipart(cloudConfig(profile(BASE, "m-4", 5)), true)
        .replace("\n", "\r\n");

    assertThat(GuestConfig.fromUserData(gzip(utf8(message))).machineId()).isEqualTo("m-4");
  }

  @Test
  void fromUserData_whenContentIsBase64Encoded_decodesIt() {
    String encoded = Base64.getEncoder().encodeToString(utf8(profile(BASE, "m-5", 5)));
    String yaml = "#cloud-config\nwrite_files:\n  - path: /etc/profile.d/flotilla.sh\n"
        + "    encoding: b64\n    content: " + encoded + "\n";

    assertThat(GuestConfig.fromUserData(utf8(yaml)).machineId()).isEqualTo("m-5");
  }

  @Test
  void fromUserData_whenDoubleQuotedAndBareValues_readsThemLikeShell() {
    String profile = "export MACHINEFEATURES=\"" + BASE + "/mf/x\"\n"
        + "export JOBFEATURES=" + BASE + "/jf/x/\n"
        + "export JOBOUTPUTS='" + BASE + "/out/x'\n"
        + "export FLOTILLA_CREDENTIAL_URL=\"" + BASE + "/cred/x?t=a&u=b\"\n"
        + "export FLOTILLA_HEARTBEAT_SECONDS='60'\n"
        + "export FLOTILLA_MACHINE_ID=x\n";

    GuestConfig config = GuestConfig.fromUserData(utf8(cloudConfig(profile)));

    assertThat(config.jobFeatures()).isEqualTo(BASE + "/jf/x");
    assertThat(config.credentialUrl()).isEqualTo(BASE + "/cred/x?t=a&u=b");
    assertThat(config.heartbeat()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void fromUserData_whenShellScript_refusesNamingType() {
    assertThatThrownBy(() -> GuestConfig.fromUserData(utf8("#!/bin/sh\necho hi\n")))
        .isInstanceOf(UserDataException.class)
        .hasMessage("user-data: not a #cloud-config document nor a MIME message"
            + " (first line starts with '#!/bin/sh')");
  }

  @Test
  void fromUserData_whenNoProfileFile_refuses() {
    assertThatThrownBy(() -> GuestConfig.fromUserData(utf8("#cloud-config\nruncmd: []\n")))
        .isInstanceOf(UserDataException.class)
        .hasMessage("user-data: no #cloud-config write_files entry with path "
            + "/etc/profile.d/flotilla.sh");
  }

  @Test
  void fromUserData_whenVariableMissing_refusesNamingIt() {
    String profile = profile(BASE, "m-6", 5).replace("export JOBOUTPUTS", "export OTHER");

    assertThatThrownBy(() -> GuestConfig.fromUserData(utf8(cloudConfig(profile))))
        .isInstanceOf(UserDataException.class)
        .hasMessage("/etc/profile.d/flotilla.sh: JOBOUTPUTS is not set");
  }

  @Test
  void fromUserData_whenUrlNotHttp_refusesWithoutQuotingIt() {
    String profile = profile(BASE, "m-7", 5).replace(BASE + "/mf", "file:///secret/mf");

    assertThatThrownBy(() -> GuestConfig.fromUserData(utf8(cloudConfig(profile))))
        .isInstanceOf(UserDataException.class)
        .hasMessage("/etc/profile.d/flotilla.sh: MACHINEFEATURES must be an absolute http://"
            + " or https:// URL");
  }

  @Test
  void fromUserData_whenHeartbeatNotNumber_refuses() {
    String profile = profile(BASE, "m-8", 5).replace("SECONDS=5", "SECONDS=soon");

    assertThatThrownBy(() -> GuestConfig.fromUserData(utf8(cloudConfig(profile))))
        .isInstanceOf(UserDataException.class)
        .hasMessage("/etc/profile.d/flotilla.sh: FLOTILLA_HEARTBEAT_SECONDS must be a whole"
            + " number of seconds, got 'soon'");
  }

  @Test
  void fromUserData_whenYamlBroken_refusesWithoutQuotingContent() {
    String yaml = "#cloud-config\nwrite_files:\n  - path: [" + BASE + "/cred/secret\n";

    assertThatThrownBy(() -> GuestConfig.fromUserData(utf8(yaml)))
        .isInstanceOf(UserDataException.class)
        .hasMessageStartingWith("user-data: #cloud-config is not valid YAML (line")
        .hasMessageNotContaining("secret");
  }

  @Test
  void fromUserData_whenMultipartLacksClosingBoundary_refuses() {
    String message = multipart(cloudConfig(profile(BASE, "m-9", 5)), false);
    String truncated = message.substring(0, message.lastIndexOf("--=="));

    assertThatThrownBy(() -> GuestConfig.fromUserData(utf8(truncated)))
        .isInstanceOf(UserDataException.class)
        .hasMessage("user-data: multipart has no closing boundary");
  }

  @Test
  void fromUserData_whenGzipCorrupt_refuses() {
    byte[] gz = gzip(cloudConfigBytes(BASE, "m-10", 5));
    byte[] corrupt = java.util.Arrays.copyOf(gz, gz.length / 2);

    assertThatThrownBy(() -> GuestConfig.fromUserData(corrupt))
        .isInstanceOf(UserDataException.class)
        .hasMessageStartingWith("user-data: gzip data is corrupt");
  }

  @Test
  void fromUserData_whenNotUtf8_refuses() {
    assertThatThrownBy(() -> GuestConfig.fromUserData(new byte[] {'#', (byte) 0xff, 0x00}))
        .isInstanceOf(UserDataException.class)
        .hasMessage("user-data: not UTF-8 text");
  }
}
