package io.flotilla.context;

import io.flotilla.config.SiteConfig;
import io.flotilla.config.SiteConfigLoader;
import io.flotilla.config.VoConfig;
import io.flotilla.guest.GuestUrls;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Site files for context tests: one VO "atlas" whose settings a test supplies. */
final class ContextFixtures {
  static final String TOKEN = "tok-abc_DEF";
  static final String MACHINE = "m-1";

  private ContextFixtures() {}

  /**
   * Writes site.yaml into {@code dir}: {@code siteContext} is the YAML of the top-level
   * context mapping (or empty), {@code voExtra} lines added to the VO (indented 4 spaces).
   */
  static SiteConfig site(Path dir, String siteContext, String voExtra) {
    try {
      Files.writeString(dir.resolve("robot.pem"), "not read");
      Files.writeString(dir.resolve("robot.key"), "not read");
      Files.createDirectories(dir.resolve("ca"));
      String yaml = "site: TEST-SITE\n"
          + "guest_api:\n  advertised_url: http://127.0.0.1:8390\n"
          + "trust:\n  ca_dir: ca\n"
          + "endorsers:\n  - name: e\n    dn: /DC=x/CN=e\n    ca: /DC=x/CN=ca\n"
          + "image_lists:\n  - name: l\n    url: file:list.signed\n    endorsers: [e]\n"
          + "clouds:\n  - name: aws\n    type: ec2\n  - name: os\n    type: openstack\n"
          + "  - name: one\n    type: opennebula\n  - name: sandbox\n    type: sandbox\n"
          + (siteContext.isEmpty() ? "" : "context:\n" + siteContext)
          + "vos:\n  - name: atlas\n    image: img-1\n    clouds: [aws]\n    flavour: small\n"
          + "    heartbeat: 60s\n"
          + "    robot_certificate: robot.pem\n    robot_key: robot.key\n"
          + voExtra;
      Path file = dir.resolve("site.yaml");
      Files.writeString(file, yaml);
      return SiteConfigLoader.load(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static VoConfig atlas(SiteConfig config) {
    return config.vo("atlas").orElseThrow();
  }

  static ContextValues values(String cloud) {
    return values(cloud, "http://127.0.0.1:8390", MACHINE, TOKEN);
  }

  static ContextValues values(String cloud, String base, String machine, String token) {
    return new ContextValues(machine, "atlas", "TEST-SITE", cloud,
        GuestUrls.of(base, machine, token), 60, "ami-123", "manager.example.org",
        "flotilla 1.0");
  }

  static String urlRoot() {
    return "http://127.0.0.1:8390/machines/" + MACHINE + "/" + TOKEN;
  }

  static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  static byte[] gunzip(byte[] bytes) {
    try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(bytes))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String resource(String name) {
    try (InputStream in = ContextFixtures.class.getResourceAsStream("/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
