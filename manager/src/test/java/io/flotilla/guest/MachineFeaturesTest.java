package io.flotilla.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flotilla.state.MachineRecord;
import io.flotilla.state.MachineSpecs;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MachineFeaturesTest {
  private static final Instant REQUESTED = Instant.parse("2025-03-01T10:00:00Z");

  @Test
  void of_beforeCloudAnswered_startsJobAtRequestTime() {
    MachineRecord machine = machine(new MachineSpecs(1, 2000, 0, 3600, 300, 60));

    MachineFeatures features = MachineFeatures.of(machine);

    assertThat(features.job()).containsEntry("jobstart_secs", "1740823200");
  }

  @Test
  void of_withoutHs06_omitsBothHs06Keys() {
    MachineFeatures features = MachineFeatures.of(
        machine(new MachineSpecs(1, 2000, 0, 3600, 300, 60)));

    assertThat(features.machine()).doesNotContainKey("hs06");
    assertThat(features.job()).doesNotContainKey("hs06_job");
  }

  @Test
  void of_listsKeysInSpecificationOrder() {
    MachineFeatures features = MachineFeatures.of(
        machine(new MachineSpecs(8, 16000, 100.0, 172800, 900, 60))
            .withShutdownTime(Instant.parse("2025-03-02T10:00:00Z")));

    assertThat(features.machine()).containsExactly(
        entry("total_cpu", "8"), entry("hs06", "100"), entry("shutdowntime", "1740909600"),
        entry("grace_secs", "900"), entry("jobslots", "1"), entry("phys_cores", "8"),
        entry("log_cores", "8"));
    assertThat(features.job().keySet()).containsExactly("allocated_cpu", "allocated_CPU",
        "hs06_job", "shutdowntime_job", "grace_secs_job", "jobstart_secs", "job_id",
        "wall_limit_secs", "cpu_limit_secs", "max_rss_bytes", "mem_limit_MB");
  }

  @Test
  void of_memoryLimits_useMibForRssAndDecimalMegabytesForLegacyKey() {
    MachineFeatures features = MachineFeatures.of(
        machine(new MachineSpecs(2, 2000, 0, 3600, 300, 60)));

    assertThat(features.job())
        .containsEntry("max_rss_bytes", "2097152000")
        .containsEntry("mem_limit_MB", "2097")
        .containsEntry("cpu_limit_secs", "7200");
  }

  @Test
  void of_withoutSpec_refusesNamingMachine() {
    MachineRecord machine = MachineRecord.requested("m-5", "atlas", "c", "i", null, "00",
        REQUESTED);

    assertThatThrownBy(() -> MachineFeatures.of(machine))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("machine m-5 has no spec recorded");
  }

  private static Map.Entry<String, String> entry(String key, String value) {
    return Map.entry(key, value);
  }

  private static MachineRecord machine(MachineSpecs spec) {
    return MachineRecord.requested("m-5", "atlas", "sandbox", "img", spec, "00", REQUESTED);
  }
}
