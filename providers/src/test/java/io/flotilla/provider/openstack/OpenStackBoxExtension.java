package io.flotilla.provider.openstack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Uses the real OpenStack box (tools/openstack-box) that is already running: reads
 * {@code $OSBOX_DIR/state/openrc} (default /tmp/osbox/state/openrc), checks that Keystone
 * answers, and makes sure the box holds a tiny image and flavour for the tests. It does not
 * start the box (about a minute and a half): .ci/run starts it before the tests and stops it
 * after; locally run {@code tools/openstack-box/start.sh} once.
 *
 * <p>Without a running box the test class is skipped, except when the environment variable CI
 * is "true": then it fails, so a CI run that lost the box is noticed. Register as a static
 * field with {@code @RegisterExtension}.
 */
final class OpenStackBoxExtension implements BeforeAllCallback {

  static final String DEFAULT_OSBOX_DIR = "/tmp/osbox";
  static final String IMAGE_NAME = "flotilla-test-img";
  static final String FLAVOUR_NAME = "flotilla-test-flv";

  private static final Pattern EXPORT =
      Pattern.compile("export\\s+([A-Z_][A-Z0-9_]*)=(?:'([^']*)'|\"([^\"]*)\"|(\\S*))");
  /** Image and flavour are made once per test JVM, whichever class comes first. */
  private static BoxState shared;

  private BoxState state;

  /** What the box offers the tests. */
  record BoxState(URI keystone, Map<String, String> openrc, OpenStackBoxClient client,
      String imageId, String flavourId, Path passwordFile) {}

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    state = connect(System::getenv);
  }

  private static synchronized BoxState connect(Function<String, String> environment)
      throws IOException, InterruptedException {
    if (shared != null) {
      return shared;
    }
    Path openrcFile = openrcPath(environment);
    if (!Files.isRegularFile(openrcFile)) {
      requireBox(openrcFile + " does not exist", environment.apply("CI"));
    }
    Map<String, String> openrc = parseOpenrc(Files.readString(openrcFile));
    URI keystone = URI.create(openrc.get("OS_AUTH_URL"));
    if (!answers(keystone)) {
      requireBox("Keystone at " + keystone + " (from " + openrcFile + ") does not answer",
          environment.apply("CI"));
    }
    OpenStackBoxClient client = new OpenStackBoxClient(keystone, openrc);
    client.login();
    Path passwordFile = Files.createTempFile("osbox-password-", ".txt",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    passwordFile.toFile().deleteOnExit();
    Files.writeString(passwordFile, openrc.get("OS_PASSWORD") + "\n");
    shared = new BoxState(keystone, openrc, client, client.ensureImage(IMAGE_NAME),
        client.ensureFlavour(FLAVOUR_NAME), passwordFile);
    return shared;
  }

  /** {@code $OSBOX_DIR/state/openrc}, OSBOX_DIR defaulting to /tmp/osbox. */
  static Path openrcPath(Function<String, String> environment) {
    String dir = environment.apply("OSBOX_DIR");
    return Path.of(dir == null || dir.isBlank() ? DEFAULT_OSBOX_DIR : dir, "state", "openrc");
  }

  /** Fails (CI is "true") or skips the test class (otherwise) when the box is not running. */
  static void requireBox(String reason, String ci) {
    String message = "the OpenStack box is not running: " + reason
        + "; start it with tools/openstack-box/start.sh (needs root, about 90 s)";
    if ("true".equals(ci)) {
      Assertions.fail("CI=true but " + message);
    }
    Assumptions.abort(message);
  }

  /** The {@code export NAME=value} lines of an openrc file. */
  static Map<String, String> parseOpenrc(String text) {
    Map<String, String> values = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      Matcher matcher = EXPORT.matcher(line.strip());
      if (matcher.matches()) {
        String value = matcher.group(2) != null ? matcher.group(2)
            : matcher.group(3) != null ? matcher.group(3) : matcher.group(4);
        values.put(matcher.group(1), value);
      }
    }
    return values;
  }

  private static boolean answers(URI keystone) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
        .proxy(HttpClient.Builder.NO_PROXY).build();
    try {
      http.send(HttpRequest.newBuilder(keystone).timeout(Duration.ofSeconds(5)).GET().build(),
          HttpResponse.BodyHandlers.discarding());
      return true;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  URI keystone() {
    return state.keystone();
  }

  String region() {
    return state.openrc().getOrDefault("OS_REGION_NAME", "RegionOne");
  }

  String password() {
    return state.openrc().get("OS_PASSWORD");
  }

  OpenStackBoxClient client() {
    return state.client();
  }

  String imageId() {
    return state.imageId();
  }

  String flavourId() {
    return state.flavourId();
  }

  /** Site-file options for the box's admin user with the password method. */
  Map<String, Object> passwordOptions() {
    Map<String, Object> options = new HashMap<>();
    options.put("endpoint", keystone().toString());
    options.put("region", region());
    options.put("username", state.openrc().get("OS_USERNAME"));
    options.put("user_domain", state.openrc().get("OS_USER_DOMAIN_NAME"));
    options.put("project", state.openrc().get("OS_PROJECT_NAME"));
    options.put("project_domain", state.openrc().get("OS_PROJECT_DOMAIN_NAME"));
    options.put("password_file", state.passwordFile().toString());
    options.put("call_timeout_seconds", 20);
    return options;
  }
}
