package io.flotilla.provider.openstack;

import io.flotilla.provider.OptionReader;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * How to reach one OpenStack project, as the options block of an {@code openstack} cloud in
 * the site file sets it. Secrets are never written in the site file: the options name the
 * files or environment variables that hold them.
 *
 * @param endpoint the Keystone v3 URL, e.g. {@code https://keystone.example.org:5000/v3}
 *     ({@code endpoint})
 * @param region the catalog region whose Nova endpoint is used ({@code region})
 * @param auth how to authenticate: a password or an application credential
 * @param networkId the Neutron network new servers join ({@code network_id}); empty = Nova's
 *     default for the project
 * @param configDrive whether servers get a config drive ({@code config_drive}, default true)
 * @param maxConcurrency how many calls this cloud may have in flight ({@code max_concurrency})
 * @param callTimeout connect and read timeout of one HTTP call ({@code call_timeout_seconds})
 */
public record OpenStackOptions(
    URI endpoint,
    String region,
    Auth auth,
    Optional<String> networkId,
    boolean configDrive,
    int maxConcurrency,
    Duration callTimeout) {

  static final String ENDPOINT = "endpoint";
  static final String REGION = "region";
  static final String PROJECT = "project";
  static final String PROJECT_ID = "project_id";
  static final String PROJECT_DOMAIN = "project_domain";
  static final String USER_DOMAIN = "user_domain";
  static final String USERNAME = "username";
  static final String PASSWORD_FILE = "password_file";
  static final String PASSWORD_ENV = "password_env";
  static final String APPLICATION_CREDENTIAL_ID = "application_credential_id";
  static final String APPLICATION_CREDENTIAL_SECRET_FILE = "application_credential_secret_file";
  static final String APPLICATION_CREDENTIAL_SECRET_ENV = "application_credential_secret_env";
  static final String NETWORK_ID = "network_id";
  static final String CONFIG_DRIVE = "config_drive";
  static final String MAX_CONCURRENCY = "max_concurrency";
  static final String CALL_TIMEOUT_SECONDS = "call_timeout_seconds";

  static final String DEFAULT_DOMAIN = "Default";
  static final int DEFAULT_MAX_CONCURRENCY = 4;
  static final int MAX_MAX_CONCURRENCY = 64;
  static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(30);
  static final Duration MAX_CALL_TIMEOUT = Duration.ofMinutes(10);

  private static final List<String> KNOWN = List.of(
      ENDPOINT, REGION, PROJECT, PROJECT_ID, PROJECT_DOMAIN, USER_DOMAIN, USERNAME,
      PASSWORD_FILE, PASSWORD_ENV, APPLICATION_CREDENTIAL_ID, APPLICATION_CREDENTIAL_SECRET_FILE,
      APPLICATION_CREDENTIAL_SECRET_ENV, NETWORK_ID, CONFIG_DRIVE, MAX_CONCURRENCY,
      CALL_TIMEOUT_SECONDS);
  private static final List<String> PASSWORD_ONLY =
      List.of(USERNAME, USER_DOMAIN, PROJECT, PROJECT_ID, PROJECT_DOMAIN);
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern NAME = Pattern.compile("[^\\p{Cntrl}:]{1,255}");
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,255}");
  private static final Pattern NETWORK_UUID =
      Pattern.compile("[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}");
  private static final OptionReader READ = new OptionReader("openstack option");

  public OpenStackOptions {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(auth, "auth");
    Objects.requireNonNull(networkId, "networkId");
    Objects.requireNonNull(callTimeout, "callTimeout");
    checkEndpoint(endpoint);
    READ.checkPattern(
        REGION, region, NAME, "1 to 255 characters without ':' or control characters");
    networkId.ifPresent(id -> READ.checkPattern(NETWORK_ID, id, NETWORK_UUID, "a network UUID"));
    READ.checkMaxConcurrency(MAX_CONCURRENCY, maxConcurrency, MAX_MAX_CONCURRENCY);
    READ.checkCallTimeout(CALL_TIMEOUT_SECONDS, callTimeout, MAX_CALL_TIMEOUT);
  }

  /**
   * Reads the options block of an openstack cloud in the site file.
   *
   * @throws IllegalArgumentException naming the option and the reason, for an unknown key, a
   *     missing required key, a value of the wrong type or range, or options of both
   *     authentication methods at once
   */
  public static OpenStackOptions fromMap(Map<String, ?> options) {
    Objects.requireNonNull(options, "options");
    READ.rejectUnknown(options, KNOWN);
    return new OpenStackOptions(
        READ.uri(ENDPOINT, READ.requiredString(options, ENDPOINT)),
        READ.requiredString(options, REGION),
        auth(options),
        READ.optionalString(options, NETWORK_ID),
        bool(options, CONFIG_DRIVE, true),
        READ.maxConcurrency(MAX_CONCURRENCY, options.get(MAX_CONCURRENCY),
            DEFAULT_MAX_CONCURRENCY, MAX_MAX_CONCURRENCY),
        READ.callTimeout(CALL_TIMEOUT_SECONDS, options.get(CALL_TIMEOUT_SECONDS),
            DEFAULT_CALL_TIMEOUT, MAX_CALL_TIMEOUT));
  }

  /** How the provider proves who it is to Keystone. Holds names, never a secret. */
  public sealed interface Auth {

    /** Where the password or application credential secret is read from. */
    SecretSource secret();
  }

  /**
   * Keystone's password method, scoped to one project.
   *
   * @param username the user's name ({@code username})
   * @param userDomain the user's domain by name ({@code user_domain}, default "Default")
   * @param project the project to scope to: by name ({@code project}) or by id
   *     ({@code project_id})
   * @param projectDomain the project's domain by name ({@code project_domain}, default
   *     "Default"); unused when the project is given by id
   * @param secret where the password is read from ({@code password_file}|{@code password_env})
   */
  public record PasswordAuth(String username, String userDomain, ProjectRef project,
      String projectDomain, SecretSource secret) implements Auth {

    public PasswordAuth {
      READ.checkPattern(USERNAME, username, NAME, "1 to 255 characters without ':'");
      READ.checkPattern(USER_DOMAIN, userDomain, NAME, "a domain name");
      Objects.requireNonNull(project, "project");
      READ.checkPattern(PROJECT_DOMAIN, projectDomain, NAME, "a domain name");
      Objects.requireNonNull(secret, "secret");
    }
  }

  /**
   * Keystone's application_credential method; the credential fixes the project itself.
   *
   * @param id the credential's id ({@code application_credential_id})
   * @param secret where its secret is read from ({@code application_credential_secret_file}|
   *     {@code application_credential_secret_env})
   */
  public record ApplicationCredentialAuth(String id, SecretSource secret) implements Auth {

    public ApplicationCredentialAuth {
      READ.checkPattern(APPLICATION_CREDENTIAL_ID, id, ID, "an application credential id");
      Objects.requireNonNull(secret, "secret");
    }
  }

  /** A project by name (within {@link PasswordAuth#projectDomain()}) or by id. */
  public record ProjectRef(String value, boolean byId) {

    public ProjectRef {
      READ.checkPattern(byId ? PROJECT_ID : PROJECT, value, byId ? ID : NAME,
          byId ? "a project id" : "a project name");
    }
  }

  /** A secret alone in a file (one line, a trailing newline is ignored) or in a variable. */
  public sealed interface SecretSource {

    /**
     * Reads the secret now.
     *
     * @param environment the process environment ({@code System::getenv} outside tests)
     * @throws IllegalArgumentException naming the option and the file or variable that is
     *     missing, unreadable or empty; never the secret
     */
    String read(Function<String, String> environment);
  }

  /** The secret is the content of a file. */
  public record FileSecret(String option, Path file) implements SecretSource {

    public FileSecret {
      Objects.requireNonNull(option, "option");
      Objects.requireNonNull(file, "file");
    }

    @Override
    public String read(Function<String, String> environment) {
      String content;
      try {
        content = Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        // The exception's own text may quote file content for malformed input.
        throw invalid(option, "cannot read " + file + ": " + e.getClass().getSimpleName());
      }
      String value = content.strip();
      if (value.isEmpty()) {
        throw invalid(option, "file " + file + " is empty");
      }
      if (value.contains("\n") || value.contains("\r")) {
        throw invalid(option, "file " + file + " must hold one value on one line");
      }
      return value;
    }
  }

  /** The secret is the value of an environment variable of the manager. */
  public record EnvironmentSecret(String option, String variable) implements SecretSource {

    public EnvironmentSecret {
      Objects.requireNonNull(option, "option");
      READ.checkPattern(option, variable, ENV_NAME, "an environment variable name");
    }

    @Override
    public String read(Function<String, String> environment) {
      return READ.secretVariable(option, variable, environment);
    }
  }

  private static Auth auth(Map<String, ?> options) {
    boolean password = options.containsKey(USERNAME) || options.containsKey(PASSWORD_FILE)
        || options.containsKey(PASSWORD_ENV);
    boolean appCredential = options.containsKey(APPLICATION_CREDENTIAL_ID)
        || options.containsKey(APPLICATION_CREDENTIAL_SECRET_FILE)
        || options.containsKey(APPLICATION_CREDENTIAL_SECRET_ENV);
    if (password && appCredential) {
      throw invalid(APPLICATION_CREDENTIAL_ID, "give either " + USERNAME + " with a password or "
          + APPLICATION_CREDENTIAL_ID + " with its secret, not both");
    }
    if (appCredential) {
      for (String key : PASSWORD_ONLY) {
        if (options.containsKey(key)) {
          throw invalid(key, "is not used with an application credential, which fixes the "
              + "user and project itself; remove it");
        }
      }
      return new ApplicationCredentialAuth(READ.requiredString(options, APPLICATION_CREDENTIAL_ID),
          secret(options, APPLICATION_CREDENTIAL_SECRET_FILE, APPLICATION_CREDENTIAL_SECRET_ENV));
    }
    if (!password) {
      throw invalid(USERNAME, "missing: give " + USERNAME + " with " + PASSWORD_FILE + " or "
          + PASSWORD_ENV + ", or " + APPLICATION_CREDENTIAL_ID + " with "
          + APPLICATION_CREDENTIAL_SECRET_FILE + " or " + APPLICATION_CREDENTIAL_SECRET_ENV);
    }
    return new PasswordAuth(READ.requiredString(options, USERNAME),
        READ.optionalString(options, USER_DOMAIN).orElse(DEFAULT_DOMAIN),
        project(options),
        READ.optionalString(options, PROJECT_DOMAIN).orElse(DEFAULT_DOMAIN),
        secret(options, PASSWORD_FILE, PASSWORD_ENV));
  }

  private static ProjectRef project(Map<String, ?> options) {
    Optional<String> name = READ.optionalString(options, PROJECT);
    Optional<String> id = READ.optionalString(options, PROJECT_ID);
    if (name.isPresent() && id.isPresent()) {
      throw invalid(PROJECT_ID, "give either " + PROJECT + " or " + PROJECT_ID + ", not both");
    }
    if (id.isPresent()) {
      return new ProjectRef(id.get(), true);
    }
    return new ProjectRef(name.orElseThrow(() -> invalid(PROJECT,
        "missing: password authentication needs " + PROJECT + " or " + PROJECT_ID)), false);
  }

  private static SecretSource secret(Map<String, ?> options, String fileKey, String envKey) {
    Optional<String> file = READ.optionalString(options, fileKey);
    Optional<String> variable = READ.optionalString(options, envKey);
    if (file.isPresent() && variable.isPresent()) {
      throw invalid(fileKey, "give either " + fileKey + " or " + envKey + ", not both");
    }
    if (variable.isPresent()) {
      return new EnvironmentSecret(envKey, variable.get());
    }
    String path = file.orElseThrow(() -> invalid(fileKey,
        "missing: the secret must come from " + fileKey + " or " + envKey));
    try {
      return new FileSecret(fileKey, Path.of(path));
    } catch (RuntimeException e) {
      throw invalid(fileKey, "not a valid path: " + path);
    }
  }

  private static void checkEndpoint(URI endpoint) {
    if (endpoint.getRawUserInfo() != null) {
      // Never echo such a URL: the user part may be a password.
      throw invalid(ENDPOINT, "must not carry user information; use the credential options");
    }
    String scheme = endpoint.getScheme();
    if (!"http".equals(scheme) && !"https".equals(scheme)) {
      throw invalid(ENDPOINT, "must be an http or https URL, got " + endpoint);
    }
    if (endpoint.getHost() == null) {
      throw invalid(ENDPOINT, "must name a host, got " + endpoint);
    }
    String path = endpoint.getRawPath() == null ? "" : endpoint.getRawPath();
    if (endpoint.getRawQuery() != null || endpoint.getRawFragment() != null
        || !(path.endsWith("/v3") || path.endsWith("/v3/"))) {
      throw invalid(ENDPOINT, "must be a Keystone v3 URL whose path ends in /v3, without "
          + "query or fragment, got " + endpoint);
    }
  }

  private static boolean bool(Map<String, ?> options, String key, boolean fallback) {
    Object value = options.get(key);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Boolean flag)) {
      throw invalid(key,
          "must be true or false, got " + OptionReader.typeName(value) + " " + value);
    }
    return flag;
  }

  static IllegalArgumentException invalid(String key, String reason) {
    return READ.invalid(key, reason);
  }
}
