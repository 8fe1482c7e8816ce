package io.flotilla.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flotilla.config.SiteConfig.NewImagePolicy;
import io.flotilla.config.SiteConfig.SubscriptionConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The image_lists[] options allow_images, new_images and allow_unsigned. */
class SubscriptionOptionsTest {
  @TempDir Path dir;

  private static final String SITE = TestSites.HEAD + """
      image_lists:
        - name: list1
          url: file:list.signed
          endorsers: [e1]
      %s
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

  private SubscriptionConfig load(String options) throws IOException {
    Path file = dir.resolve("site.yaml");
    Files.writeString(file, SITE.formatted(options.indent(4).stripTrailing()));
    return SiteConfigLoader.load(file).imageLists().get(0);
  }

  @Test
  void load_whenOptionsOmitted_allowsEveryImageAcceptsNewOnesAndRequiresSignatures()
      throws IOException {
    SubscriptionConfig list = load("");

    assertThat(list.allowImages()).isEmpty();
    assertThat(list.newImages()).isEqualTo(NewImagePolicy.ACCEPT);
    assertThat(list.allowUnsigned()).isFalse();
  }

  @Test
  void load_whenOptionsGiven_readsThem() throws IOException {
    SubscriptionConfig list = load("""
        allow_images: [id-1, id-2]
        new_images: hold
        allow_unsigned: true""");

    assertThat(list.allowImages()).containsExactly("id-1", "id-2");
    assertThat(list.newImages()).isEqualTo(NewImagePolicy.HOLD);
    assertThat(list.allowUnsigned()).isTrue();
  }

  @Test
  void load_whenOptionsInvalid_namesFieldAndReason() {
    assertThatThrownBy(() -> load("""
        allow_images: []
        new_images: maybe
        allow_unsigned: yes please"""))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("image_lists[0].allow_images: must name at least one image;"
            + " omit it to allow all")
        .hasMessageContaining("image_lists[0].new_images: must be accept, refuse or hold, got"
            + " 'maybe'")
        .hasMessageContaining("image_lists[0].allow_unsigned: must be true or false, got"
            + " 'yes please'");
  }
}
