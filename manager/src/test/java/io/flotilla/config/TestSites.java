package io.flotilla.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The part of a minimal valid site file that configuration tests share, and its stubs. */
public final class TestSites {
  /** site, guest_api, trust and one endorser {@code e1}: sections these tests never vary. */
  public static final String HEAD = """
      site: TEST-SITE
      guest_api:
        advertised_url: http://127.0.0.1:8390/
      trust:
        ca_dir: certificates
      endorsers:
        - name: e1
          dn: /DC=org/DC=example/CN=endorser
          ca: /DC=org/DC=example/CN=CA
      """;

  private TestSites() {}

  /** The robot files the loader checks for; it checks only that they can be read. */
  public static void writeRobotStubs(Path dir) throws IOException {
    Files.writeString(dir.resolve("robot.pem"), "not read by the loader");
    Files.writeString(dir.resolve("robot.key"), "not read by the loader");
  }
}
