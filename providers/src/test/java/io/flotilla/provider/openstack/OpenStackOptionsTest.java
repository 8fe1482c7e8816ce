package io.flotilla.provider.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flotilla.provider.openstack.OpenStackOptions.ApplicationCredentialAuth;
import io.flotilla.provider.openstack.OpenStackOptions.EnvironmentSecret;
import io.flotilla.provider.openstack.OpenStackOptions.FileSecret;
import io.flotilla.provider.openstack.OpenStackOptions.PasswordAuth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.jclouds.openstack.keystone.config.KeystoneProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenStackOptionsTest {

  private static final String KEYSTONE = "https://keystone.example.org:5000/v3";

  @Test
  void fromMap_passwordFromFile_readsAllOptionsWithDefaults() {
    OpenStackOptions options = OpenStackOptions.fromMap(password());

    assertThat(options.endpoint().toString()).isEqualTo(KEYSTONE);
    assertThat(options.region()).isEqualTo("RegionOne");
    assertThat(options.configDrive()).isTrue();
    assertThat(options.networkId()).isEmpty();
    assertThat(options.maxConcurrency()).isEqualTo(4);
    assertThat(options.callTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(options.auth()).isInstanceOfSatisfying(PasswordAuth.class, auth -> {
      assertThat(auth.username()).isEqualTo("pilot");
      assertThat(auth.userDomain()).isEqualTo("Default");
      assertThat(auth.project().value()).isEqualTo("atlas");
      assertThat(auth.project().byId()).isFalse();
      assertThat(auth.projectDomain()).isEqualTo("Default");
      assertThat(auth.secret()).isEqualTo(
          new FileSecret("password_file", Path.of("/etc/flotilla/os-password")));
    });
  }

  @Test
  void fromMap_everyOption_isRead() {
    Map<String, Object> map = password();
    map.remove("project");
    map.put("project_id", "0123abcd");
    map.put("user_domain", "grid");
    map.put("network_id", "6f1b8e2a-5c2d-4f7e-9a3b-0c1d2e3f4a5b");
    map.put("config_drive", false);
    map.put("max_concurrency", 8);
    map.put("call_timeout_seconds", 2.5);

    OpenStackOptions options = OpenStackOptions.fromMap(map);

    assertThat(options.networkId()).contains("6f1b8e2a-5c2d-4f7e-9a3b-0c1d2e3f4a5b");
    assertThat(options.configDrive()).isFalse();
    assertThat(options.maxConcurrency()).isEqualTo(8);
    assertThat(options.callTimeout()).isEqualTo(Duration.ofMillis(2500));
    PasswordAuth auth = (PasswordAuth) options.auth();
    assertThat(auth.project().byId()).isTrue();
    assertThat(auth.userDomain()).isEqualTo("grid");
  }

  @Test
  void fromMap_applicationCredentialFromEnv_isRead() {
    OpenStackOptions options = OpenStackOptions.fromMap(Map.of("endpoint", KEYSTONE,
        "region", "RegionOne", "application_credential_id", "4f2a9c",
        "application_credential_secret_env", "OS_APP_SECRET"));

    assertThat(options.auth()).isEqualTo(new ApplicationCredentialAuth("4f2a9c",
        new EnvironmentSecret("application_credential_secret_env", "OS_APP_SECRET")));
    assertThat(options.auth().secret().read(Map.of("OS_APP_SECRET", "s3cret\n")::get))
        .isEqualTo("s3cret");
  }

  @Test
  void fromMap_bothAuthMethods_isRefused() {
    Map<String, Object> map = password();
    map.put("application_credential_id", "4f2a9c");

    assertThatThrownBy(() -> OpenStackOptions.fromMap(map))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("openstack option application_credential_id: give either username with "
            + "a password or application_credential_id with its secret, not both");
  }

  @Test
  void fromMap_projectWithApplicationCredential_isRefusedNamingIt() {
    assertThatThrownBy(() -> OpenStackOptions.fromMap(Map.of("endpoint", KEYSTONE,
        "region", "RegionOne", "application_credential_id", "4f2a9c",
        "application_credential_secret_env", "S", "project", "atlas")))
        .hasMessageStartingWith("openstack option project: is not used with an application "
            + "credential");
  }

  @Test
  void fromMap_noAuth_isRefused() {
    assertThatThrownBy(() -> OpenStackOptions.fromMap(Map.of("endpoint", KEYSTONE,
        "region", "RegionOne")))
        .hasMessageStartingWith("openstack option username: missing");
  }

  @Test
  void fromMap_passwordInline_isAnUnknownOption() {
    Map<String, Object> map = password();
    map.put("password", "hunter2");

    assertThatThrownBy(() -> OpenStackOptions.fromMap(map))
        .hasMessageStartingWith("openstack option password: unknown option")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void fromMap_passwordFileAndEnv_isRefused() {
    Map<String, Object> map = password();
    map.put("password_env", "OS_PASSWORD");

    assertThatThrownBy(() -> OpenStackOptions.fromMap(map))
        .hasMessage("openstack option password_file: give either password_file or "
            + "password_env, not both");
  }

  @Test
  void fromMap_projectAndProjectId_isRefused() {
    Map<String, Object> map = password();
    map.put("project_id", "0123");

    assertThatThrownBy(() -> OpenStackOptions.fromMap(map))
        .hasMessageStartingWith("openstack option project_id: give either project or");
  }

  @Test
  void fromMap_endpointNotV3_isRefused() {
    Map<String, Object> map = password();
    map.put("endpoint", "https://keystone.example.org:5000/v2.0");

    assertThatThrownBy(() -> OpenStackOptions.fromMap(map))
        .hasMessageStartingWith("openstack option endpoint: must be a Keystone v3 URL");
  }

  @Test
  void fromMap_endpointWithUserInfo_isRefusedWithoutEchoingIt() {
    Map<String, Object> map = password();
    map.put("endpoint", "https://pilot:hunter2@keystone.example.org/v3");

    assertThatThrownBy(() -> OpenStackOptions.fromMap(map))
        .hasMessageStartingWith("openstack option endpoint: must not carry user information")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void fromMap_badValues_nameTheOption() {
    assertRefused("network_id", "net-1", "openstack option network_id: must be a network UUID");
    assertRefused("config_drive", "yes", "openstack option config_drive: must be true or false");
    assertRefused("max_concurrency", 0, "openstack option max_concurrency: must be between 1");
    assertRefused("call_timeout_seconds", -1,
        "openstack option call_timeout_seconds: must be above 0");
    assertRefused("region", 5, "openstack option region: must be a string");
    assertRefused("username", "a:b", "openstack option username: must be 1 to 255");
  }

  @Test
  void fileSecret_emptyOrMissing_isRefusedNamingTheFile(@TempDir Path dir) throws Exception {
    Path empty = Files.writeString(dir.resolve("empty"), "\n");
    FileSecret emptySecret = new FileSecret("password_file", empty);
    FileSecret missing = new FileSecret("password_file", dir.resolve("nope"));

    assertThatThrownBy(() -> emptySecret.read(name -> null))
        .hasMessage("openstack option password_file: file " + empty + " is empty");
    assertThatThrownBy(() -> missing.read(name -> null))
        .hasMessage("openstack option password_file: cannot read " + dir.resolve("nope")
            + ": NoSuchFileException");
  }

  @Test
  void environmentSecret_unset_isRefusedNamingTheVariable() {
    EnvironmentSecret secret = new EnvironmentSecret("password_env", "OS_PASSWORD");

    assertThatThrownBy(() -> secret.read(name -> null))
        .hasMessage("openstack option password_env: environment variable OS_PASSWORD is not "
            + "set or empty");
  }

  @Test
  void jcloudsProperties_password_scopesToTheProjectInItsDomain() {
    OpenStackOptions options = OpenStackOptions.fromMap(password());

    Properties properties = NovaCloud.jcloudsProperties(options, new Properties());

    assertThat(properties.getProperty(KeystoneProperties.KEYSTONE_VERSION)).isEqualTo("3");
    assertThat(properties.getProperty(KeystoneProperties.SCOPE)).isEqualTo("project:atlas");
    assertThat(properties.getProperty(KeystoneProperties.PROJECT_DOMAIN_NAME))
        .isEqualTo("Default");
    assertThat(properties.getProperty("jclouds.max-retries")).isEqualTo("2");
    assertThat(NovaCloud.jcloudsIdentity(options.auth())).isEqualTo("Default:pilot");
  }

  @Test
  void jcloudsProperties_applicationCredential_selectsOurMethod() {
    OpenStackOptions options = OpenStackOptions.fromMap(Map.of("endpoint", KEYSTONE,
        "region", "RegionOne", "application_credential_id", "4f2a9c",
        "application_credential_secret_env", "S"));

    Properties properties = NovaCloud.jcloudsProperties(options, new Properties());

    assertThat(properties.getProperty(KeystoneProperties.CREDENTIAL_TYPE))
        .isEqualTo(KeystoneAuthModule.APPLICATION_CREDENTIALS);
    assertThat(properties.getProperty(KeystoneProperties.SCOPE)).isNull();
    assertThat(NovaCloud.jcloudsIdentity(options.auth())).isEqualTo("4f2a9c");
  }

  @Test
  void pythonRegexQuote_escapesEverythingButLettersAndDigits() {
    assertThat(NovaCloud.pythonRegexQuote("m-1.a_b*")).isEqualTo("m\\-1\\.a\\_b\\*");
  }

  private static void assertRefused(String key, Object value, String messageStart) {
    Map<String, Object> map = password();
    map.put(key, value);
    assertThatThrownBy(() -> OpenStackOptions.fromMap(map))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(messageStart);
  }

  private static Map<String, Object> password() {
    Map<String, Object> map = new HashMap<>();
    map.put("endpoint", KEYSTONE);
    map.put("region", "RegionOne");
    map.put("username", "pilot");
    map.put("project", "atlas");
    map.put("password_file", "/etc/flotilla/os-password");
    return map;
  }
}
