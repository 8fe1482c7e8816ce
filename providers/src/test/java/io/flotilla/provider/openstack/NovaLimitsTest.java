package io.flotilla.provider.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flotilla.provider.CloudException;
import io.flotilla.provider.CloudException.Kind;
import io.flotilla.provider.ProjectQuota;
import org.junit.jupiter.api.Test;

/** Nova's {@code GET /limits} answers, as the box's Nova writes them, read into a quota. */
class NovaLimitsTest {

  @Test
  void parse_readsLimitsAndUsage_withMinusOneAsUnlimited() {
    String body = "{\"limits\": {\"rate\": [], \"absolute\": {\"maxTotalInstances\": 10,"
        + " \"maxTotalCores\": -1, \"maxTotalRAMSize\": 51200, \"maxServerMeta\": 128,"
        + " \"totalRAMUsed\": 4096, \"totalCoresUsed\": 4, \"totalInstancesUsed\": 2}}}";

    ProjectQuota quota = NovaLimits.parse("c", body);

    assertThat(quota).isEqualTo(new ProjectQuota(new ProjectQuota.Limits(10L, null, 51200L),
        new ProjectQuota.Usage(2L, 4L, 4096L)));
  }

  @Test
  void parse_whenFieldsAbsent_isUnlimitedAndUnknown() {
    ProjectQuota quota = NovaLimits.parse("c", "{\"limits\": {\"absolute\": {}}}");

    assertThat(quota).isEqualTo(new ProjectQuota(ProjectQuota.Limits.UNKNOWN,
        ProjectQuota.Usage.UNKNOWN));
  }

  @Test
  void parse_whenAmountNotAWholeNumber_failsTransientNamingTheField() {
    assertThatThrownBy(() -> NovaLimits.parse("c",
        "{\"limits\": {\"absolute\": {\"maxTotalCores\": \"many\"}}}"))
        .isInstanceOfSatisfying(CloudException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.TRANSIENT))
        .hasMessage("openstack cloud c: read limits failed: Nova's answer is unusable at"
            + " limits.absolute.maxTotalCores: expected a whole number, got \"many\"");
  }

  @Test
  void parse_whenUsageNegative_orBodyNotLimits_fails() {
    assertThatThrownBy(() -> NovaLimits.parse("c",
        "{\"limits\": {\"absolute\": {\"totalCoresUsed\": -3}}}"))
        .hasMessageEndingWith("limits.absolute.totalCoresUsed: expected 0 or more, got -3");
    assertThatThrownBy(() -> NovaLimits.parse("c", "<html>bad gateway</html>"))
        .hasMessageEndingWith("unusable at limits.absolute: expected a JSON object");
  }
}
