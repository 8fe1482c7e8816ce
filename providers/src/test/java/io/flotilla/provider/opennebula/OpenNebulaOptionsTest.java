package io.flotilla.provider.opennebula;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenNebulaOptionsTest {

  private static Map<String, Object> base() {
    Map<String, Object> options = new HashMap<>();
    options.put("endpoint", "https://one.example.org:2633/RPC2");
    options.put("username", "flotilla");
    options.put("password_env", "ONE_PASSWORD");
    options.put("cpu", 1);
    options.put("memory_mb", 2048);
    return options;
  }

  private static Map<String, Object> with(String key, Object value) {
    Map<String, Object> options = base();
    if (value == null) {
      options.remove(key);
    } else {
      options.put(key, value);
    }
    return options;
  }

  @Test
  void fromMap_whenInlineSizes_readsEveryOption() {
    Map<String, Object> map = base();
    map.put("vcpu", 2);
    map.put("network_id", 4);
    map.put("call_timeout_seconds", 2.5);

    OpenNebulaOptions options = OpenNebulaOptions.fromMap(map);

    assertThat(options.endpoint().toString()).isEqualTo("https://one.example.org:2633/RPC2");
    assertThat(options.username()).isEqualTo("flotilla");
    assertThat(options.cpu()).hasValue(1.0);
    assertThat(options.vcpu()).hasValue(2);
    assertThat(options.memoryMb()).hasValue(2048);
    assertThat(options.networkId()).hasValue(4);
    assertThat(options.templateId()).isEmpty();
    assertThat(options.callTimeout()).isEqualTo(Duration.ofMillis(2500));
  }

  @Test
  void fromMap_whenTemplateWithoutSizes_accepts() {
    Map<String, Object> map = with("cpu", null);
    map.remove("memory_mb");
    map.put("template_id", 12);

    assertThat(OpenNebulaOptions.fromMap(map).templateId()).hasValue(12);
  }

  @Test
  void fromMap_whenNoTemplateAndNoMemory_refusesNamingOption() {
    assertThatThrownBy(() -> OpenNebulaOptions.fromMap(with("memory_mb", null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("opennebula option template_id: without a template, both cpu and "
            + "memory_mb are required");
  }

  @Test
  void fromMap_whenEndpointNotRpc2_refusesNamingOption() {
    assertThatThrownBy(() -> OpenNebulaOptions.fromMap(
        with("endpoint", "https://one.example.org/api")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("opennebula option endpoint: path must end in /RPC2");
  }

  @Test
  void fromMap_whenEndpointCarriesCredentials_refusesWithoutEchoingThem() {
    assertThatThrownBy(() -> OpenNebulaOptions.fromMap(
        with("endpoint", "https://u:s3cret@one.example.org/RPC2")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("opennebula option endpoint: must not carry credentials")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void fromMap_whenSchemeFtp_refuses() {
    assertThatThrownBy(() -> OpenNebulaOptions.fromMap(
        with("endpoint", "ftp://one.example.org/RPC2")))
        .hasMessageStartingWith("opennebula option endpoint: scheme must be http or https");
  }

  @Test
  void fromMap_whenBothPasswordSources_refuses() {
    assertThatThrownBy(() -> OpenNebulaOptions.fromMap(with("password_file", "/x")))
        .hasMessage("opennebula option password_file: set exactly one of password_file and "
            + "password_env");
  }

  @Test
  void fromMap_whenUsernameHasColon_refuses() {
    assertThatThrownBy(() -> OpenNebulaOptions.fromMap(with("username", "a:b")))
        .hasMessageStartingWith("opennebula option username: must not contain ':'");
  }

  @Test
  void fromMap_whenUnknownKeyOrWrongType_refusesNamingKey() {
    assertThatThrownBy(() -> OpenNebulaOptions.fromMap(with("memory", 5)))
        .hasMessageStartingWith("opennebula option memory: unknown option");
    assertThatThrownBy(() -> OpenNebulaOptions.fromMap(with("vcpu", 1.5)))
        .hasMessage("opennebula option vcpu: must be a whole number, got Double 1.5");
    assertThatThrownBy(() -> OpenNebulaOptions.fromMap(with("call_timeout_seconds", 0)))
        .hasMessage("opennebula option call_timeout_seconds: must be above 0 and at most "
            + "600, got 0");
  }

  @Test
  void readPassword_whenFileHasNewline_trimsAndToStringHidesIt(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("one_password");
    Files.writeString(file, "s3cret-pw\n");
    Map<String, Object> map = with("password_env", null);
    map.put("password_file", file.toString());

    OpenNebulaOptions options = OpenNebulaOptions.fromMap(map);

    assertThat(options.readPassword(name -> null)).isEqualTo("s3cret-pw");
    assertThat(options.toString()).contains("file " + file).doesNotContain("s3cret");
  }

  @Test
  void readPassword_whenEnvMissingOrEmpty_refusesNamingOption() {
    OpenNebulaOptions options = OpenNebulaOptions.fromMap(base());

    assertThatThrownBy(() -> options.readPassword(name -> null))
        .hasMessage("opennebula option password_env: environment variable ONE_PASSWORD is "
            + "not set");
    assertThatThrownBy(() -> options.readPassword(name -> "  \n"))
        .hasMessage("opennebula option password_env: the password is empty");
  }
}
