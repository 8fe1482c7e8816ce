package io.flotilla.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EmulatorOptionsTest {

  @Test
  void fromMap_whenEmpty_takesDefaults() {
    assertThat(EmulatorOptions.fromMap(Map.of())).isEqualTo(EmulatorOptions.defaults());
  }

  @Test
  void fromMap_whenEveryOptionSet_readsEach() {
    EmulatorOptions options = EmulatorOptions.fromMap(Map.of(
        "job_seconds_min", 0.5, "job_seconds_max", 2, "jobs_per_vm_min", 0,
        "jobs_per_vm_max", 4, "empty_queue_vos", List.of("lhcb", " cms "),
        "silent_rate", 0.25, "seed", 99L));

    assertThat(options.jobMin()).isEqualTo(Duration.ofMillis(500));
    assertThat(options.jobMax()).isEqualTo(Duration.ofSeconds(2));
    assertThat(options.jobsPerVmMin()).isZero();
    assertThat(options.jobsPerVmMax()).isEqualTo(4);
    assertThat(options.emptyQueueVos()).containsExactlyInAnyOrder("lhcb", "cms");
    assertThat(options.silentRate()).isEqualTo(0.25);
    assertThat(options.seed()).hasValue(99L);
  }

  @Test
  void fromMap_whenUnknownKey_refusesNamingIt() {
    assertThatThrownBy(() -> EmulatorOptions.fromMap(Map.of("jobs_per_vm", 3)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("emulator option jobs_per_vm: unknown option");
  }

  @Test
  void fromMap_whenMaxBelowMin_refuses() {
    assertThatThrownBy(() -> EmulatorOptions.fromMap(
            Map.of("job_seconds_min", 10, "job_seconds_max", 5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("emulator option job_seconds_max: must be at least"
            + " job_seconds_min");
  }

  @Test
  void fromMap_whenJobsPerVmFractional_refuses() {
    assertThatThrownBy(() -> EmulatorOptions.fromMap(Map.of("jobs_per_vm_max", 2.5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("emulator option jobs_per_vm_max: must be a whole number that fits in 64"
            + " bits, got Double 2.5");
  }

  @Test
  void fromMap_whenSilentRateAboveOne_refuses() {
    assertThatThrownBy(() -> EmulatorOptions.fromMap(Map.of("silent_rate", 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("emulator option silent_rate: must be between 0 and 1, got 2");
  }

  @Test
  void fromMap_whenVoListHoldsBlank_refusesNamingIndex() {
    assertThatThrownBy(() -> EmulatorOptions.fromMap(
            Map.of("empty_queue_vos", List.of("atlas", " "))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("emulator option empty_queue_vos[1]: must be a non-blank VO name,"
            + " got String");
  }

  @Test
  void fromMap_whenVosNotList_refuses() {
    assertThatThrownBy(() -> EmulatorOptions.fromMap(Map.of("empty_queue_vos", "lhcb")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("emulator option empty_queue_vos: must be a list of VO names, got String");
  }
}
