package io.flotilla.provider.opennebula;

import io.flotilla.provider.OptionReader;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * Where and how an OpenNebula cloud is reached and what a new VM looks like, as the site
 * file's {@code options} block sets it.
 *
 * <p>Keys: {@code endpoint} (http or https URL whose path ends in {@code /RPC2}),
 * {@code username}, exactly one of {@code password_file} (a file holding the password) or
 * {@code password_env} (an environment variable holding it), {@code template_id} (a VM
 * template to instantiate) or the inline sizes {@code cpu}, {@code vcpu} and
 * {@code memory_mb} (with a template they override its sizes), {@code network_id}
 * (optional NIC) and {@code call_timeout_seconds} (default 30).
 *
 * <p>Image delivery ({@link OpenNebulaCloud#deliver}) is on when {@code image_datastore_id}
 * names the image datastore to allocate images in; it then needs exactly one of
 * {@code image_base_url} (an http or https URL ending in {@code /} under which the manager's
 * image cache is served to the front-end) or {@code image_path_prefix} (an absolute path
 * ending in {@code /} where the front-end sees the cache folder on a shared file system).
 *
 * <p>Holds where the password is, never the password; {@link #readPassword} reads it.
 */
public final class OpenNebulaOptions {

  static final String ENDPOINT = "endpoint";
  static final String USERNAME = "username";
  static final String PASSWORD_FILE = "password_file";
  static final String PASSWORD_ENV = "password_env";
  static final String TEMPLATE_ID = "template_id";
  static final String CPU = "cpu";
  static final String VCPU = "vcpu";
  static final String MEMORY_MB = "memory_mb";
  static final String NETWORK_ID = "network_id";
  static final String CALL_TIMEOUT_SECONDS = "call_timeout_seconds";
  static final String IMAGE_DATASTORE_ID = "image_datastore_id";
  static final String IMAGE_BASE_URL = "image_base_url";
  static final String IMAGE_PATH_PREFIX = "image_path_prefix";

  private static final List<String> KNOWN = List.of(ENDPOINT, USERNAME, PASSWORD_FILE,
      PASSWORD_ENV, TEMPLATE_ID, CPU, VCPU, MEMORY_MB, NETWORK_ID, CALL_TIMEOUT_SECONDS,
      IMAGE_DATASTORE_ID, IMAGE_BASE_URL, IMAGE_PATH_PREFIX);
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  private static final int MAX_PASSWORD_FILE_BYTES = 4096;
  private static final OptionReader READ = new OptionReader("opennebula option");

  private final URI endpoint;
  private final String username;
  private final Optional<Path> passwordFile;
  private final Optional<String> passwordEnv;
  private final OptionalInt templateId;
  private final OptionalDouble cpu;
  private final OptionalInt vcpu;
  private final OptionalInt memoryMb;
  private final OptionalInt networkId;
  private final Duration callTimeout;
  private final OptionalInt imageDatastoreId;
  private final Optional<URI> imageBaseUrl;
  private final Optional<String> imagePathPrefix;

  private OpenNebulaOptions(Map<String, ?> options) {
    this.endpoint = endpoint(options.get(ENDPOINT));
    this.username = username(options.get(USERNAME));
    this.passwordFile = Optional.ofNullable(options.get(PASSWORD_FILE))
        .map(value -> Path.of(text(PASSWORD_FILE, value)));
    this.passwordEnv = Optional.ofNullable(options.get(PASSWORD_ENV))
        .map(value -> envName(text(PASSWORD_ENV, value)));
    if (passwordFile.isPresent() == passwordEnv.isPresent()) {
      throw invalid(PASSWORD_FILE, "set exactly one of " + PASSWORD_FILE + " and "
          + PASSWORD_ENV);
    }
    this.templateId = optionalInt(options, TEMPLATE_ID, 0, Integer.MAX_VALUE);
    this.cpu = optionalCpu(options.get(CPU));
    this.vcpu = optionalInt(options, VCPU, 1, 4096);
    this.memoryMb = optionalInt(options, MEMORY_MB, 1, 64 * 1024 * 1024);
    this.networkId = optionalInt(options, NETWORK_ID, 0, Integer.MAX_VALUE);
    this.callTimeout = callTimeout(options.get(CALL_TIMEOUT_SECONDS));
    if (templateId.isEmpty() && (cpu.isEmpty() || memoryMb.isEmpty())) {
      throw invalid(TEMPLATE_ID, "without a template, both " + CPU + " and " + MEMORY_MB
          + " are required");
    }
    this.imageDatastoreId = optionalInt(options, IMAGE_DATASTORE_ID, 0, Integer.MAX_VALUE);
    this.imageBaseUrl = Optional.ofNullable(options.get(IMAGE_BASE_URL))
        .map(OpenNebulaOptions::imageBaseUrl);
    this.imagePathPrefix = Optional.ofNullable(options.get(IMAGE_PATH_PREFIX))
        .map(OpenNebulaOptions::imagePathPrefix);
    checkImageDelivery();
  }

  /** Delivery needs a datastore and exactly one way for the front-end to reach the file. */
  private void checkImageDelivery() {
    boolean located = imageBaseUrl.isPresent() || imagePathPrefix.isPresent();
    if (imageDatastoreId.isEmpty()) {
      if (located) {
        throw invalid(IMAGE_DATASTORE_ID, "is required with " + IMAGE_BASE_URL + " or "
            + IMAGE_PATH_PREFIX + ": it names the datastore images are delivered to");
      }
      return;
    }
    if (imageBaseUrl.isPresent() == imagePathPrefix.isPresent()) {
      throw invalid(IMAGE_BASE_URL, "with " + IMAGE_DATASTORE_ID + ", set exactly one of "
          + IMAGE_BASE_URL + " and " + IMAGE_PATH_PREFIX);
    }
  }

  /**
   * Reads and checks the options block.
   *
   * @throws IllegalArgumentException naming the option and the reason, for an unknown key,
   *     a missing required key, a value of the wrong type or out of range
   */
  public static OpenNebulaOptions fromMap(Map<String, ?> options) {
    Objects.requireNonNull(options, "options");
    for (String key : options.keySet()) {
      if (!KNOWN.contains(key)) {
        throw invalid(key, "unknown option; known options are " + KNOWN);
      }
    }
    return new OpenNebulaOptions(options);
  }

  public URI endpoint() {
    return endpoint;
  }

  public String username() {
    return username;
  }

  public OptionalInt templateId() {
    return templateId;
  }

  public OptionalDouble cpu() {
    return cpu;
  }

  public OptionalInt vcpu() {
    return vcpu;
  }

  public OptionalInt memoryMb() {
    return memoryMb;
  }

  public OptionalInt networkId() {
    return networkId;
  }

  public Duration callTimeout() {
    return callTimeout;
  }

  /** The datastore delivered images are allocated in; empty when delivery is off. */
  public OptionalInt imageDatastoreId() {
    return imageDatastoreId;
  }

  /** The URL, ending in {@code /}, under which the front-end fetches cached image files. */
  public Optional<URI> imageBaseUrl() {
    return imageBaseUrl;
  }

  /** The front-end's path, ending in {@code /}, of the shared image cache folder. */
  public Optional<String> imagePathPrefix() {
    return imagePathPrefix;
  }

  /**
   * Reads the password from the file or environment variable the options name.
   *
   * @param env looks up environment variables ({@code System::getenv} outside tests)
   * @throws IllegalArgumentException naming the option when the password is missing, empty
   *     or unreadable; the message never contains the password
   */
  String readPassword(Function<String, String> env) {
    String password = passwordFile.isPresent()
        ? readPasswordFile(passwordFile.get())
        : readPasswordEnv(env, passwordEnv.orElseThrow());
    // A trailing newline is how editors and `echo` leave files; it is never part of it.
    String trimmed = password.strip();
    if (trimmed.isEmpty()) {
      throw invalid(passwordFile.isPresent() ? PASSWORD_FILE : PASSWORD_ENV,
          "the password is empty");
    }
    if (trimmed.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
      throw invalid(passwordFile.isPresent() ? PASSWORD_FILE : PASSWORD_ENV,
          "the password contains a control character");
    }
    return trimmed;
  }

  private static String readPasswordFile(Path file) {
    try {
      if (Files.size(file) > MAX_PASSWORD_FILE_BYTES) {
        throw invalid(PASSWORD_FILE, file + " is larger than " + MAX_PASSWORD_FILE_BYTES
            + " bytes; it should hold one password");
      }
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw invalid(PASSWORD_FILE, "cannot read " + file + ": "
          + e.getClass().getSimpleName());
    }
  }

  private static String readPasswordEnv(Function<String, String> env, String name) {
    String value = env.apply(name);
    if (value == null) {
      throw invalid(PASSWORD_ENV, "environment variable " + name + " is not set");
    }
    return value;
  }

  private static URI endpoint(Object value) {
    String text = text(ENDPOINT, required(ENDPOINT, value));
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw invalid(ENDPOINT, "not a URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme();
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw invalid(ENDPOINT, "scheme must be http or https, got " + text);
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw invalid(ENDPOINT, "has no host: " + text);
    }
    if (uri.getRawUserInfo() != null) {
      throw invalid(ENDPOINT, "must not carry credentials; use " + USERNAME + " and "
          + PASSWORD_FILE + " or " + PASSWORD_ENV);
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw invalid(ENDPOINT, "must not have a query or fragment: " + text);
    }
    if (uri.getPath() == null || !uri.getPath().endsWith("/RPC2")) {
      throw invalid(ENDPOINT, "path must end in /RPC2 (OpenNebula's XML-RPC endpoint), got "
          + text);
    }
    return uri;
  }

  private static URI imageBaseUrl(Object value) {
    String text = text(IMAGE_BASE_URL, value);
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw invalid(IMAGE_BASE_URL, "not a URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme();
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw invalid(IMAGE_BASE_URL, "scheme must be http or https, got " + text);
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw invalid(IMAGE_BASE_URL, "has no host: " + text);
    }
    if (uri.getRawUserInfo() != null || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      throw invalid(IMAGE_BASE_URL, "must not carry credentials, a query or a fragment: "
          + "OpenNebula stores the URL in the image's PATH, readable by its users");
    }
    if (uri.getRawPath() == null || !uri.getRawPath().endsWith("/")) {
      throw invalid(IMAGE_BASE_URL, "must end in / (file names are appended), got " + text);
    }
    return uri;
  }

  private static String imagePathPrefix(Object value) {
    String text = text(IMAGE_PATH_PREFIX, value);
    if (!text.startsWith("/") || !text.endsWith("/")) {
      throw invalid(IMAGE_PATH_PREFIX, "must be an absolute path ending in / (the front-end's"
          + " view of the image cache folder), got \"" + text + "\"");
    }
    if (text.contains("\"") || text.contains("/../") || text.contains("/./")
        || text.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
      throw invalid(IMAGE_PATH_PREFIX, "must not contain quotes, control characters or . and"
          + " .. segments, got \"" + text + "\"");
    }
    return text;
  }

  private static String username(Object value) {
    String text = text(USERNAME, required(USERNAME, value));
    if (text.isBlank()) {
      throw invalid(USERNAME, "must not be empty");
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == ':' || Character.isWhitespace(c) || Character.isISOControl(c)) {
        throw invalid(USERNAME, "must not contain ':', whitespace or control characters"
            + " (the session string is user:password), got \"" + text + "\"");
      }
    }
    return text;
  }

  private static String envName(String name) {
    if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw invalid(PASSWORD_ENV, "must be an environment variable name, got \"" + name
          + "\"");
    }
    return name;
  }

  private static OptionalDouble optionalCpu(Object value) {
    if (value == null) {
      return OptionalDouble.empty();
    }
    if (!(value instanceof Number number) || !Double.isFinite(number.doubleValue())) {
      throw invalid(CPU, "must be a number, got " + describe(value));
    }
    double cpu = number.doubleValue();
    if (cpu <= 0 || cpu > 4096) {
      throw invalid(CPU, "must be above 0 and at most 4096, got " + value);
    }
    return OptionalDouble.of(cpu);
  }

  private static OptionalInt optionalInt(Map<String, ?> options, String key, int min, int max) {
    Object value = options.get(key);
    if (value == null) {
      return OptionalInt.empty();
    }
    long number = READ.integer(key, value);
    if (number < min || number > max) {
      throw invalid(key, "must be between " + min + " and " + max + ", got " + value);
    }
    return OptionalInt.of((int) number);
  }

  private static Duration callTimeout(Object value) {
    if (value == null) {
      return DEFAULT_TIMEOUT;
    }
    if (!(value instanceof Number number) || !Double.isFinite(number.doubleValue())) {
      throw invalid(CALL_TIMEOUT_SECONDS, "must be a number, got " + describe(value));
    }
    double seconds = number.doubleValue();
    if (seconds <= 0 || seconds > 600) {
      throw invalid(CALL_TIMEOUT_SECONDS, "must be above 0 and at most 600, got " + value);
    }
    return Duration.ofNanos(Math.round(seconds * 1e9));
  }

  private static Object required(String key, Object value) {
    if (value == null) {
      throw invalid(key, "is required");
    }
    return value;
  }

  private static String text(String key, Object value) {
    if (!(value instanceof String text)) {
      throw invalid(key, "must be a string, got " + describe(value));
    }
    return text;
  }

  private static String describe(Object value) {
    return value.getClass().getSimpleName() + " " + value;
  }

  private static IllegalArgumentException invalid(String key, String reason) {
    return READ.invalid(key, reason);
  }

  /** Names where the password is kept, never the password. */
  @Override
  public String toString() {
    return "OpenNebulaOptions[endpoint=" + endpoint + ", username=" + username
        + ", password=" + passwordFile.map(path -> "file " + path)
            .orElseGet(() -> "env " + passwordEnv.orElseThrow())
        + ", templateId=" + templateId + ", cpu=" + cpu + ", vcpu=" + vcpu
        + ", memoryMb=" + memoryMb + ", networkId=" + networkId
        + ", callTimeout=" + callTimeout + ", imageDatastoreId=" + imageDatastoreId
        + ", imageBaseUrl=" + imageBaseUrl.map(URI::toString).orElse("-")
        + ", imagePathPrefix=" + imagePathPrefix.orElse("-") + "]";
  }
}
