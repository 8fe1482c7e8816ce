package io.flotilla.provider.ec2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Ec2OptionsTest {

  private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

  @TempDir
  Path dir;

  @Test
  void fromMap_whenMinimalWithEnvironmentKey_takesDefaults() {
    Ec2Options options = Ec2Options.fromMap(minimal());

    assertThat(options.endpoint()).isEqualTo(URI.create("https://ec2.eu-west-1.amazonaws.com"));
    assertThat(options.region()).isEqualTo("eu-west-1");
    assertThat(options.credentials()).isEqualTo(
        new Ec2Options.EnvironmentCredentials("EC2_KEY_ID", "EC2_SECRET"));
    assertThat(options.subnetId()).isEmpty();
    assertThat(options.securityGroupIds()).isEmpty();
    assertThat(options.keyName()).isEmpty();
    assertThat(options.maxConcurrency()).isEqualTo(4);
    assertThat(options.callTimeout()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void fromMap_whenEveryOptionSet_readsEach() {
    Map<String, Object> map = minimal();
    map.put("subnet_id", "subnet-0123456789abcdef0");
    map.put("security_group_ids", List.of("sg-0123456789abcdef0", "sg-89abcdef"));
    map.put("key_name", "flotilla-ops");
    map.put("max_concurrency", 8);
    map.put("call_timeout_seconds", 12.5);

    Ec2Options options = Ec2Options.fromMap(map);

    assertThat(options.subnetId()).hasValue("subnet-0123456789abcdef0");
    assertThat(options.securityGroupIds())
        .containsExactly("sg-0123456789abcdef0", "sg-89abcdef");
    assertThat(options.keyName()).hasValue("flotilla-ops");
    assertThat(options.maxConcurrency()).isEqualTo(8);
    assertThat(options.callTimeout()).isEqualTo(Duration.ofMillis(12_500));
  }

  @Test
  void credentials_fromFiles_readsOneValueEachIgnoringTrailingNewline() throws Exception {
    Path id = Files.writeString(dir.resolve("id"), "AKIDEXAMPLE\n");
    Path secret = Files.writeString(dir.resolve("secret"), SECRET + "\n");
    Map<String, Object> map = base();
    map.put("access_key_id_file", id.toString());
    map.put("secret_access_key_file", secret.toString());

    Ec2Credentials credentials = Ec2Options.fromMap(map).credentials().read(name -> null);

    assertThat(credentials.accessKeyId()).isEqualTo("AKIDEXAMPLE");
    assertThat(credentials.secretAccessKey()).isEqualTo(SECRET);
  }

  @Test
  void credentials_fromEnvironment_readsTheNamedVariables() {
    Map<String, String> environment = Map.of("EC2_KEY_ID", "AKIDEXAMPLE", "EC2_SECRET", SECRET);

    Ec2Credentials credentials =
        Ec2Options.fromMap(minimal()).credentials().read(environment::get);

    assertThat(credentials).isEqualTo(new Ec2Credentials("AKIDEXAMPLE", SECRET));
  }

  @Test
  void credentials_toString_printsNoSecret() {
    Ec2Credentials credentials = new Ec2Credentials("AKIDEXAMPLE", SECRET);

    assertThat(credentials.toString()).doesNotContain(SECRET).doesNotContain("AKIDEXAMPLE");
    assertThat(Ec2Options.fromMap(minimal()).toString()).doesNotContain(SECRET);
  }

  @Test
  void credentials_whenVariableUnset_refusesNamingVariableNotValue() {
    Ec2Options options = Ec2Options.fromMap(minimal());

    assertThatThrownBy(() -> options.credentials().read(Map.of("EC2_KEY_ID", "AKID")::get))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ec2 option secret_access_key_env: environment variable EC2_SECRET is not "
            + "set or empty");
  }

  @Test
  void credentials_whenFileMissing_refusesNamingFile() {
    Map<String, Object> map = base();
    map.put("access_key_id_file", dir.resolve("nope").toString());
    map.put("secret_access_key_file", dir.resolve("nope2").toString());
    Ec2Options options = Ec2Options.fromMap(map);

    assertThatThrownBy(() -> options.credentials().read(name -> null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ec2 option access_key_id_file: cannot read " + dir.resolve("nope")
            + ": NoSuchFileException");
  }

  @Test
  void credentials_whenFileHoldsTwoLines_refusesWithoutQuotingIt() throws Exception {
    Path id = Files.writeString(dir.resolve("id"), "AKID\n" + SECRET + "\n");
    Map<String, Object> map = base();
    map.put("access_key_id_file", id.toString());
    map.put("secret_access_key_file", id.toString());
    Ec2Options options = Ec2Options.fromMap(map);

    assertThatThrownBy(() -> options.credentials().read(name -> null))
        .hasMessage("ec2 option access_key_id_file: file " + id + " must hold one value on one "
            + "line")
        .hasMessageNotContaining(SECRET);
  }

  @Test
  void fromMap_whenBothKeySourcesGiven_refuses() {
    Map<String, Object> map = minimal();
    map.put("access_key_id_file", "/etc/flotilla/id");

    assertThatThrownBy(() -> Ec2Options.fromMap(map))
        .hasMessageStartingWith("ec2 option access_key_id_file: give the key either in files");
  }

  @Test
  void fromMap_whenNoKeySource_refuses() {
    assertThatThrownBy(() -> Ec2Options.fromMap(base()))
        .hasMessageStartingWith("ec2 option access_key_id_file: missing");
  }

  @Test
  void fromMap_whenOnlyHalfTheFilePairGiven_refusesNamingTheOtherHalf() {
    Map<String, Object> map = base();
    map.put("access_key_id_file", "/etc/flotilla/id");

    assertThatThrownBy(() -> Ec2Options.fromMap(map))
        .hasMessage("ec2 option secret_access_key_file: missing; it is required");
  }

  @Test
  void fromMap_whenEndpointMissing_refuses() {
    Map<String, Object> map = minimal();
    map.remove("endpoint");

    assertThatThrownBy(() -> Ec2Options.fromMap(map))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ec2 option endpoint: missing; it is required");
  }

  @Test
  void fromMap_whenEndpointNotHttp_refuses() {
    Map<String, Object> map = minimal();
    map.put("endpoint", "ftp://ec2.example.org");

    assertThatThrownBy(() -> Ec2Options.fromMap(map))
        .hasMessage("ec2 option endpoint: must be an http or https URL, got ftp://ec2.example.org");
  }

  @Test
  void fromMap_whenEndpointCarriesUserInfo_refusesWithoutEchoingIt() {
    Map<String, Object> map = minimal();
    map.put("endpoint", "https://AKID:" + SECRET.replace("/", "") + "@ec2.example.org/");

    assertThatThrownBy(() -> Ec2Options.fromMap(map))
        .hasMessage("ec2 option endpoint: must not carry user information; use the key options");
  }

  @Test
  void fromMap_whenEndpointHasPath_refuses() {
    Map<String, Object> map = minimal();
    map.put("endpoint", "https://ec2.example.org/services/Cloud?x=1");

    assertThatThrownBy(() -> Ec2Options.fromMap(map))
        .hasMessageStartingWith("ec2 option endpoint: must have no path, query or fragment");
  }

  @Test
  void fromMap_whenRegionMalformed_refuses() {
    Map<String, Object> map = minimal();
    map.put("region", "EU West");

    assertThatThrownBy(() -> Ec2Options.fromMap(map))
        .hasMessage("ec2 option region: must look like us-east-1 (lowercase letters, digits, "
            + "dashes), got 'EU West'");
  }

  @Test
  void fromMap_whenRegionDiffersFromAwsEndpointHost_refuses() {
    Map<String, Object> map = minimal();
    map.put("region", "us-east-1");

    assertThatThrownBy(() -> Ec2Options.fromMap(map))
        .hasMessage("ec2 option region: is 'us-east-1' but the endpoint "
            + "https://ec2.eu-west-1.amazonaws.com serves region 'eu-west-1'");
  }

  @Test
  void fromMap_whenPrivateEndpoint_acceptsAnyRegion() {
    Map<String, Object> map = minimal();
    map.put("endpoint", "http://127.0.0.1:5000/");
    map.put("region", "site-a");

    assertThat(Ec2Options.fromMap(map).region()).isEqualTo("site-a");
  }

  @Test
  void fromMap_whenSecurityGroupMalformed_refusesNamingIt() {
    Map<String, Object> map = minimal();
    map.put("security_group_ids", List.of("sg-0123456789abcdef0", "default"));

    assertThatThrownBy(() -> Ec2Options.fromMap(map))
        .hasMessage("ec2 option security_group_ids: must be sg-<hex>, got 'default'");
  }

  @Test
  void fromMap_whenSecurityGroupsNotAList_refuses() {
    Map<String, Object> map = minimal();
    map.put("security_group_ids", "sg-0123456789abcdef0");

    assertThatThrownBy(() -> Ec2Options.fromMap(map))
        .hasMessage("ec2 option security_group_ids: must be a list of strings, got String");
  }

  @Test
  void fromMap_whenConcurrencyOutOfRange_refuses() {
    Map<String, Object> map = minimal();
    map.put("max_concurrency", 0);

    assertThatThrownBy(() -> Ec2Options.fromMap(map))
        .hasMessage("ec2 option max_concurrency: must be between 1 and 64, got 0");
  }

  @Test
  void fromMap_whenTimeoutNotANumber_refuses() {
    Map<String, Object> map = minimal();
    map.put("call_timeout_seconds", "30s");

    assertThatThrownBy(() -> Ec2Options.fromMap(map))
        .hasMessage("ec2 option call_timeout_seconds: must be a finite number, got String");
  }

  @Test
  void fromMap_whenUnknownKey_refusesNamingKnownOnes() {
    Map<String, Object> map = minimal();
    map.put("secret_access_key", SECRET);

    assertThatThrownBy(() -> Ec2Options.fromMap(map))
        .hasMessageStartingWith("ec2 option secret_access_key: unknown option; known options are")
        .hasMessageContaining("secret_access_key_file")
        .hasMessageNotContaining(SECRET);
  }

  private static Map<String, Object> base() {
    Map<String, Object> map = new HashMap<>();
    map.put("endpoint", "https://ec2.eu-west-1.amazonaws.com");
    map.put("region", "eu-west-1");
    return map;
  }

  private static Map<String, Object> minimal() {
    Map<String, Object> map = base();
    map.put("access_key_id_env", "EC2_KEY_ID");
    map.put("secret_access_key_env", "EC2_SECRET");
    return map;
  }
}
