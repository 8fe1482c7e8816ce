package io.flotilla.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flotilla.config.ConfigException;
import io.flotilla.config.SiteConfig;
import io.flotilla.config.SiteConfigLoader;
import io.flotilla.provider.ec2.Ec2Cloud;
import io.flotilla.provider.ec2.Ec2GuestHost;
import io.flotilla.provider.opennebula.OpenNebulaCloud;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bundled examples' clouds open as providers; their mistakes are refused by field. */
class CloudProvidersTest {

  private static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();

  @TempDir Path dir;
  private List<CloudProviders.OpenedCloud> opened = List.of();

  @AfterEach
  void closeClouds() {
    opened.forEach(cloud -> cloud.provider().close());
  }

  @Test
  void openAll_openNebulaExample_isAcceptedWithoutEmulator() throws IOException {
    Path site = copyExample("opennebula", UnaryOperator.identity());
    writeSecret("generated/one_password", "example-password");

    opened = CloudProviders.openAll(SiteConfigLoader.load(site));

    assertThat(opened).singleElement().satisfies(cloud -> {
      assertThat(cloud.provider()).isInstanceOf(OpenNebulaCloud.class);
      assertThat(cloud.provider().name()).isEqualTo("one");
      assertThat(cloud.guests()).isEmpty();
      assertThat(cloud.operationTime()).isEqualTo(Duration.ofSeconds(90));
    });
  }

  @Test
  void openAll_ec2Example_readsKeysBesideTheSiteAndPlaysGuestsThroughEc2()
      throws IOException {
    Path site = copyExample("ec2-moto", UnaryOperator.identity());
    writeEc2Keys();

    opened = CloudProviders.openAll(SiteConfigLoader.load(site));

    assertThat(opened).singleElement().satisfies(cloud -> {
      assertThat(cloud.provider()).isInstanceOf(Ec2Cloud.class);
      assertThat(cloud.concurrency()).isEqualTo(4);
      assertThat(cloud.operationTime()).isEqualTo(Duration.ofSeconds(30));
      assertThat(cloud.guests()).get().satisfies(guests ->
          assertThat(guests.host()).isInstanceOf(Ec2GuestHost.class));
    });
  }

  @Test
  void openAll_whenProviderOptionWrong_refusesNamingFileCloudAndOption() throws IOException {
    Path site = copyExample("ec2-moto", yaml -> yaml.replace("region: us-east-1",
        "region: US_EAST"));
    writeEc2Keys();
    SiteConfig config = SiteConfigLoader.load(site);

    assertThatThrownBy(() -> CloudProviders.openAll(config))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .containsExactly(site + ": clouds[0].options: ec2 option region: must look like "
                + "us-east-1 (lowercase letters, digits, dashes), got 'US_EAST'"));
  }

  @Test
  void openAll_whenKeyFileMissing_refusesAsAnOptionsProblem() throws IOException {
    Path site = copyExample("ec2-moto", UnaryOperator.identity());
    SiteConfig config = SiteConfigLoader.load(site);

    assertThatThrownBy(() -> CloudProviders.openAll(config))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .singleElement().asString()
            .startsWith(site + ": clouds[0].options: ec2 option access_key_id_file:")
            .contains(dir.resolve("generated/ec2/access_key_id").toString()));
  }

  @Test
  void openAll_whenEmulatorOptionWrong_refusesNamingTheEmulatorSection() throws IOException {
    Path site = copyExample("ec2-moto", yaml -> yaml.replace("silent_rate: 0.0",
        "silent_rate: 2"));
    writeEc2Keys();
    SiteConfig config = SiteConfigLoader.load(site);

    assertThatThrownBy(() -> CloudProviders.openAll(config))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .singleElement().asString()
            .startsWith(site + ": clouds[0].emulator: ")
            .contains("silent_rate"));
  }

  private Path copyExample(String example, UnaryOperator<String> edit) throws IOException {
    String yaml = Files.readString(EXAMPLES.resolve(example).resolve("site.yaml"));
    Path site = dir.resolve("site.yaml");
    Files.writeString(site, edit.apply(yaml));
    // The loader checks that robot files exist; opening clouds never reads them.
    for (String vo : List.of("some1.vo.net", "dteam")) {
      writeSecret("generated/pki/vo/" + vo + "/robot.pem", "unread");
      writeSecret("generated/pki/vo/" + vo + "/robot.key", "unread");
    }
    return site;
  }

  private void writeEc2Keys() throws IOException {
    writeSecret("generated/ec2/access_key_id", "AKIDFLOTILLATEST");
    writeSecret("generated/ec2/secret_access_key", "test-secret");
  }

  private void writeSecret(String relative, String value) throws IOException {
    Path file = dir.resolve(relative);
    Files.createDirectories(file.getParent());
    Files.writeString(file, value + "\n");
  }
}
