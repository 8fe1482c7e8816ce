package io.flotilla.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GuestUrlsTest {
  private static final String TOKEN = "Abc-_0123456789abcdefghijklmnopqrstuvwxyzAB";

  @Test
  void of_buildsTheFourUrlsWithoutTrailingSlash() {
    GuestUrls urls = GuestUrls.of("http://127.0.0.1:8080", "m-1", TOKEN);

    String root = "http://127.0.0.1:8080/machines/m-1/" + TOKEN;
    assertThat(urls.machineFeatures()).isEqualTo(root + "/machinefeatures");
    assertThat(urls.jobFeatures()).isEqualTo(root + "/jobfeatures");
    assertThat(urls.jobOutputs()).isEqualTo(root + "/joboutputs");
    assertThat(urls.credential()).isEqualTo(root + "/credential");
  }

  @Test
  void of_withTrailingSlashOnBase_dropsIt() {
    GuestUrls urls = GuestUrls.of("https://guest.example.org/", "m-1", TOKEN);

    assertThat(urls.jobOutputs()).isEqualTo("https://guest.example.org/machines/m-1/" + TOKEN
        + "/joboutputs");
  }

  @Test
  void toString_masksTheToken() {
    GuestUrls urls = GuestUrls.of("http://127.0.0.1:8080", "m-1", TOKEN);

    assertThat(urls.toString()).doesNotContain(TOKEN)
        .contains("http://127.0.0.1:8080/machines/m-1/***/machinefeatures",
            "http://127.0.0.1:8080/machines/m-1/***/credential");
  }

  @Test
  void of_withNonHttpBase_refusesNamingIt() {
    assertThatThrownBy(() -> GuestUrls.of("ftp://host", "m-1", TOKEN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("guest base URL 'ftp://host': expected an http:// or https:// URL");
  }

  @Test
  void of_withIdNeedingEscapes_refuses() {
    assertThatThrownBy(() -> GuestUrls.of("http://h", "m/1", TOKEN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("machine id 'm/1': expected only letters, digits and . _ ~ -");
  }

  @Test
  void of_withMalformedToken_refusesWithoutShowingIt() {
    assertThatThrownBy(() -> GuestUrls.of("http://h", "m-1", "se cret"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("guest token of machine m-1: expected base64url characters only");
  }

  @Test
  void maskToken_replacesOnlyTheTokenSegment() {
    assertThat(GuestApi.maskToken("/machines/m-1/" + TOKEN + "/jobfeatures/job_id"))
        .isEqualTo("/machines/m-1/***/jobfeatures/job_id");
    assertThat(GuestApi.maskToken("/machines/m-1/" + TOKEN)).isEqualTo("/machines/m-1/***");
    assertThat(GuestApi.maskToken("/machines/m-1")).isEqualTo("/machines/m-1");
    assertThat(GuestApi.maskToken("/other/path")).isEqualTo("/other/path");
  }
}
