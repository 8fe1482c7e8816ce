package io.flotilla.context;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The manager's host name and version, as user-data templates may quote them. */
public final class ManagerIdentity {
  private ManagerIdentity() {}

  /**
   * This host's name from {@code $HOSTNAME} or {@code /etc/hostname}, without a DNS lookup;
   * {@code localhost} when neither gives one.
   */
  public static String hostname() {
    String fromEnv = System.getenv("HOSTNAME");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv.strip();
    }
    try {
      String fromFile = Files.readString(Path.of("/etc/hostname"), StandardCharsets.UTF_8);
      return fromFile.isBlank() ? "localhost" : fromFile.strip();
    } catch (IOException e) {
      return "localhost";
    }
  }

  /** {@code flotilla VERSION} from the jar's manifest, or a development marker. */
  public static String version() {
    String version = ManagerIdentity.class.getPackage().getImplementationVersion();
    return "flotilla " + (version == null ? "development-build" : version);
  }
}
