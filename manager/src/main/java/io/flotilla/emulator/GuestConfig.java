package io.flotilla.emulator;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What a pilot VM learns from its user-data: the guest URLs of its manager, its heartbeat
 * period and its machine id, read from the profile script the user-data writes.
 *
 * <p>The URLs are capabilities for this one machine: {@link #toString()} leaves them out.
 *
 * @param machineFeatures {@code $MACHINEFEATURES}, without trailing slash
 * @param jobFeatures {@code $JOBFEATURES}, without trailing slash
 * @param jobOutputs {@code $JOBOUTPUTS}, without trailing slash
 * @param credentialUrl {@code $FLOTILLA_CREDENTIAL_URL}
 * @param heartbeat {@code $FLOTILLA_HEARTBEAT_SECONDS}
 * @param machineId {@code $FLOTILLA_MACHINE_ID}
 */
public record GuestConfig(
    String machineFeatures,
    String jobFeatures,
    String jobOutputs,
    String credentialUrl,
    Duration heartbeat,
    String machineId) {

  static final String MACHINEFEATURES = "MACHINEFEATURES";
  static final String JOBFEATURES = "JOBFEATURES";
  static final String JOBOUTPUTS = "JOBOUTPUTS";
  static final String CREDENTIAL_URL = "FLOTILLA_CREDENTIAL_URL";
  static final String HEARTBEAT_SECONDS = "FLOTILLA_HEARTBEAT_SECONDS";
  static final String MACHINE_ID = "FLOTILLA_MACHINE_ID";
  private static final long MAX_HEARTBEAT_SECONDS = 86_400;

  public GuestConfig {
    Objects.requireNonNull(machineFeatures, "machineFeatures");
    Objects.requireNonNull(jobFeatures, "jobFeatures");
    Objects.requireNonNull(jobOutputs, "jobOutputs");
    Objects.requireNonNull(credentialUrl, "credentialUrl");
    Objects.requireNonNull(heartbeat, "heartbeat");
    Objects.requireNonNull(machineId, "machineId");
  }

  /**
   * Reads the configuration a machine's user-data gives its guest.
   *
   * @throws UserDataException naming the part, variable and reason when the user-data is not
   *     readable or a variable is missing or malformed
   */
  public static GuestConfig fromUserData(byte[] userData) {
    String script = UserDataReader.profileScript(userData);
    return fromProfile(ShellAssignments.parse(script, UserDataReader.PROFILE_PATH));
  }

  static GuestConfig fromProfile(Map<String, String> vars) {
    return new GuestConfig(
        url(vars, MACHINEFEATURES),
        url(vars, JOBFEATURES),
        url(vars, JOBOUTPUTS),
        url(vars, CREDENTIAL_URL),
        Duration.ofSeconds(heartbeatSeconds(vars)),
        machineId(vars));
  }

  private static String required(Map<String, String> vars, String name) {
    String value = vars.get(name);
    if (value == null || value.isBlank()) {
      throw invalid(name, "is not set");
    }
    return value.strip();
  }

  private static String url(Map<String, String> vars, String name) {
    String value = required(vars, name);
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      throw invalid(name, "is not a valid URL (" + e.getReason() + ")");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
      throw invalid(name, "must be an absolute http:// or https:// URL");
    }
    return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
  }

  private static long heartbeatSeconds(Map<String, String> vars) {
    String value = required(vars, HEARTBEAT_SECONDS);
    long seconds;
    try {
      seconds = Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw invalid(HEARTBEAT_SECONDS, "must be a whole number of seconds, got '" + value + "'");
    }
    if (seconds < 1 || seconds > MAX_HEARTBEAT_SECONDS) {
      throw invalid(HEARTBEAT_SECONDS,
          "must be between 1 and " + MAX_HEARTBEAT_SECONDS + ", got " + seconds);
    }
    return seconds;
  }

  private static String machineId(Map<String, String> vars) {
    String value = required(vars, MACHINE_ID);
    if (!value.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw invalid(MACHINE_ID, "must be printable ASCII without spaces");
    }
    return value;
  }

  private static UserDataException invalid(String name, String reason) {
    return new UserDataException(UserDataReader.PROFILE_PATH + ": " + name + " " + reason);
  }

  /** Leaves the URLs out: each is a capability for this machine. */
  @Override
  public String toString() {
    return "GuestConfig[machineId=" + machineId + ", heartbeat=" + heartbeat + "]";
  }
}
