package io.flotilla.provider.ec2;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How to reach one EC2 account, as the options block of an {@code ec2} cloud in the site file
 * sets it. The access key is never written in the site file: the options name the files or
 * the environment variables that hold it ({@link CredentialSource}).
 *
 * @param endpoint the EC2 Query API URL; every call goes there and nowhere else
 *     ({@code endpoint})
 * @param region the region the endpoint serves, also used to sign requests ({@code region})
 * @param credentials where the access key is read from ({@code access_key_id_file} and
 *     {@code secret_access_key_file}, or {@code access_key_id_env} and
 *     {@code secret_access_key_env})
 * @param subnetId the VPC subnet new instances join ({@code subnet_id}); empty = the default
 * @param securityGroupIds security groups of new instances ({@code security_group_ids})
 * @param keyName an EC2 key pair for the instances ({@code key_name}); empty = none
 * @param maxConcurrency how many calls this cloud may have in flight ({@code max_concurrency})
 * @param callTimeout connect and read timeout of one HTTP call ({@code call_timeout_seconds})
 */
public record Ec2Options(
    URI endpoint,
    String region,
    CredentialSource credentials,
    Optional<String> subnetId,
    List<String> securityGroupIds,
    Optional<String> keyName,
    int maxConcurrency,
    Duration callTimeout) {

  static final String ENDPOINT = "endpoint";
  static final String REGION = "region";
  static final String ACCESS_KEY_ID_FILE = "access_key_id_file";
  static final String SECRET_ACCESS_KEY_FILE = "secret_access_key_file";
  static final String ACCESS_KEY_ID_ENV = "access_key_id_env";
  static final String SECRET_ACCESS_KEY_ENV = "secret_access_key_env";
  static final String SUBNET_ID = "subnet_id";
  static final String SECURITY_GROUP_IDS = "security_group_ids";
  static final String KEY_NAME = "key_name";
  static final String MAX_CONCURRENCY = "max_concurrency";
  static final String CALL_TIMEOUT_SECONDS = "call_timeout_seconds";

  static final int DEFAULT_MAX_CONCURRENCY = 4;
  static final int MAX_MAX_CONCURRENCY = 64;
  static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(30);
  static final Duration MAX_CALL_TIMEOUT = Duration.ofMinutes(10);

  private static final List<String> KNOWN = List.of(
      ENDPOINT, REGION, ACCESS_KEY_ID_FILE, SECRET_ACCESS_KEY_FILE, ACCESS_KEY_ID_ENV,
      SECRET_ACCESS_KEY_ENV, SUBNET_ID, SECURITY_GROUP_IDS, KEY_NAME, MAX_CONCURRENCY,
      CALL_TIMEOUT_SECONDS);
  private static final Pattern REGION_NAME = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");
  private static final Pattern AWS_HOST =
      Pattern.compile("ec2\\.([a-z0-9-]+)\\.amazonaws\\.com(\\.cn)?");
  private static final Pattern SUBNET = Pattern.compile("subnet-[0-9a-f]{8,17}");
  private static final Pattern SECURITY_GROUP = Pattern.compile("sg-[0-9a-f]{8,17}");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final String ENV_SHAPE = "an environment variable name";
  private static final int MAX_KEY_NAME = 255;
  private static final OptionReader READ = new OptionReader("ec2 option");

  public Ec2Options {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(credentials, "credentials");
    Objects.requireNonNull(subnetId, "subnetId");
    Objects.requireNonNull(keyName, "keyName");
    Objects.requireNonNull(callTimeout, "callTimeout");
    securityGroupIds = List.copyOf(securityGroupIds);
    checkEndpoint(endpoint);
    checkRegion(region);
    checkRegionMatchesAwsHost(endpoint, region);
    subnetId.ifPresent(id -> READ.checkPattern(SUBNET_ID, id, SUBNET, "subnet-<hex>"));
    securityGroupIds.forEach(
        id -> READ.checkPattern(SECURITY_GROUP_IDS, id, SECURITY_GROUP, "sg-<hex>"));
    keyName.ifPresent(Ec2Options::checkKeyName);
    READ.checkMaxConcurrency(MAX_CONCURRENCY, maxConcurrency, MAX_MAX_CONCURRENCY);
    READ.checkCallTimeout(CALL_TIMEOUT_SECONDS, callTimeout, MAX_CALL_TIMEOUT);
  }

  /**
   * Reads the options block of an ec2 cloud in the site file.
   *
   * @throws IllegalArgumentException naming the option and the reason, for an unknown key, a
   *     missing required key, a value of the wrong type or a value out of range
   */
  public static Ec2Options fromMap(Map<String, ?> options) {
    Objects.requireNonNull(options, "options");
    READ.rejectUnknown(options, KNOWN);
    return new Ec2Options(
        READ.uri(ENDPOINT, READ.requiredString(options, ENDPOINT)),
        READ.requiredString(options, REGION),
        credentialSource(options),
        READ.optionalString(options, SUBNET_ID),
        READ.stringList(options, SECURITY_GROUP_IDS),
        READ.optionalString(options, KEY_NAME),
        READ.maxConcurrency(MAX_CONCURRENCY, options.get(MAX_CONCURRENCY),
            DEFAULT_MAX_CONCURRENCY, MAX_MAX_CONCURRENCY),
        READ.callTimeout(CALL_TIMEOUT_SECONDS, options.get(CALL_TIMEOUT_SECONDS),
            DEFAULT_CALL_TIMEOUT, MAX_CALL_TIMEOUT));
  }

  /** Where the access key pair is read from. Holds names, never the secret itself. */
  public sealed interface CredentialSource {

    /**
     * Reads the key pair now.
     *
     * @param environment the process environment ({@code System::getenv} outside tests)
     * @throws IllegalArgumentException naming the option and the file or variable that is
     *     missing, unreadable or empty; never the secret
     */
    Ec2Credentials read(Function<String, String> environment);
  }

  /** The key id and the secret each sit alone in a file (a trailing newline is ignored). */
  public record FileCredentials(Path accessKeyIdFile, Path secretAccessKeyFile)
      implements CredentialSource {

    public FileCredentials {
      Objects.requireNonNull(accessKeyIdFile, "accessKeyIdFile");
      Objects.requireNonNull(secretAccessKeyFile, "secretAccessKeyFile");
    }

    @Override
    public Ec2Credentials read(Function<String, String> environment) {
      return new Ec2Credentials(
          readSecretFile(ACCESS_KEY_ID_FILE, accessKeyIdFile),
          readSecretFile(SECRET_ACCESS_KEY_FILE, secretAccessKeyFile));
    }
  }

  /** The key id and the secret are in two environment variables of the manager. */
  public record EnvironmentCredentials(String accessKeyIdVariable, String secretAccessKeyVariable)
      implements CredentialSource {

    public EnvironmentCredentials {
      READ.checkPattern(ACCESS_KEY_ID_ENV, accessKeyIdVariable, ENV_NAME, ENV_SHAPE);
      READ.checkPattern(SECRET_ACCESS_KEY_ENV, secretAccessKeyVariable, ENV_NAME, ENV_SHAPE);
    }

    @Override
    public Ec2Credentials read(Function<String, String> environment) {
      return new Ec2Credentials(
          READ.secretVariable(ACCESS_KEY_ID_ENV, accessKeyIdVariable, environment),
          READ.secretVariable(SECRET_ACCESS_KEY_ENV, secretAccessKeyVariable, environment));
    }
  }

  private static String readSecretFile(String option, Path file) {
    String content;
    try {
      content = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      // The exception's own text may quote file content for malformed input; name the
      // type and the file only.
      throw invalid(option, "cannot read " + file + ": " + e.getClass().getSimpleName());
    }
    String value = content.strip();
    if (value.isEmpty()) {
      throw invalid(option, "file " + file + " is empty");
    }
    if (value.chars().anyMatch(Character::isWhitespace)) {
      throw invalid(option, "file " + file + " must hold one value on one line");
    }
    return value;
  }

  private static CredentialSource credentialSource(Map<String, ?> options) {
    boolean files = options.containsKey(ACCESS_KEY_ID_FILE)
        || options.containsKey(SECRET_ACCESS_KEY_FILE);
    boolean environment = options.containsKey(ACCESS_KEY_ID_ENV)
        || options.containsKey(SECRET_ACCESS_KEY_ENV);
    if (files && environment) {
      throw invalid(ACCESS_KEY_ID_FILE, "give the key either in files (" + ACCESS_KEY_ID_FILE
          + ", " + SECRET_ACCESS_KEY_FILE + ") or in environment variables ("
          + ACCESS_KEY_ID_ENV + ", " + SECRET_ACCESS_KEY_ENV + "), not both");
    }
    if (environment) {
      return new EnvironmentCredentials(
          READ.requiredString(options, ACCESS_KEY_ID_ENV),
          READ.requiredString(options, SECRET_ACCESS_KEY_ENV));
    }
    if (!files) {
      throw invalid(ACCESS_KEY_ID_FILE, "missing: the access key must come from files ("
          + ACCESS_KEY_ID_FILE + ", " + SECRET_ACCESS_KEY_FILE + ") or environment variables ("
          + ACCESS_KEY_ID_ENV + ", " + SECRET_ACCESS_KEY_ENV + ")");
    }
    return new FileCredentials(
        path(ACCESS_KEY_ID_FILE, READ.requiredString(options, ACCESS_KEY_ID_FILE)),
        path(SECRET_ACCESS_KEY_FILE, READ.requiredString(options, SECRET_ACCESS_KEY_FILE)));
  }

  private static Path path(String option, String value) {
    try {
      return Path.of(value);
    } catch (RuntimeException e) {
      throw invalid(option, "not a valid path: " + value);
    }
  }

  private static void checkEndpoint(URI endpoint) {
    if (endpoint.getRawUserInfo() != null) {
      // Never echo such a URL: the user part may be a password.
      throw invalid(ENDPOINT, "must not carry user information; use the key options");
    }
    String scheme = endpoint.getScheme();
    if (!"http".equals(scheme) && !"https".equals(scheme)) {
      throw invalid(ENDPOINT, "must be an http or https URL, got " + endpoint);
    }
    if (endpoint.getHost() == null) {
      throw invalid(ENDPOINT, "must name a host, got " + endpoint);
    }
    String path = endpoint.getRawPath();
    if (endpoint.getRawQuery() != null || endpoint.getRawFragment() != null
        || !(path == null || path.isEmpty() || path.equals("/"))) {
      throw invalid(ENDPOINT, "must have no path, query or fragment, got " + endpoint);
    }
  }

  private static void checkRegion(String region) {
    if (region.length() > 32 || !REGION_NAME.matcher(region).matches()) {
      throw invalid(REGION, "must look like us-east-1 (lowercase letters, digits, dashes), got '"
          + region + "'");
    }
  }

  /** An AWS endpoint names its region; signing for another one would fail every call. */
  private static void checkRegionMatchesAwsHost(URI endpoint, String region) {
    Matcher aws = AWS_HOST.matcher(endpoint.getHost());
    if (aws.matches() && !aws.group(1).equals(region)) {
      throw invalid(REGION, "is '" + region + "' but the endpoint " + endpoint
          + " serves region '" + aws.group(1) + "'");
    }
  }

  private static void checkKeyName(String keyName) {
    if (keyName.isBlank() || keyName.length() > MAX_KEY_NAME) {
      throw invalid(KEY_NAME, "must be 1 to " + MAX_KEY_NAME + " characters, got "
          + keyName.length());
    }
  }

  static IllegalArgumentException invalid(String key, String reason) {
    return READ.invalid(key, reason);
  }
}
