package io.flotilla.provider.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

class SandboxOptionsTest {

  @Test
  void fromMap_whenEmpty_takesDefaults() {
    SandboxOptions options = SandboxOptions.fromMap(Map.of());

    assertThat(options).isEqualTo(SandboxOptions.defaults());
    assertThat(options.bootDelay()).isEqualTo(Duration.ofSeconds(1));
    assertThat(options.seed()).isEmpty();
    assertThat(options.maxInstances()).isEmpty();
  }

  @Test
  void fromMap_whenEveryOptionSet_readsEach() {
    SandboxOptions options = SandboxOptions.fromMap(Map.of(
        "boot_seconds", 0.25, "create_failure_rate", 0.1, "error_rate", 0.2,
        "destroy_failure_rate", 1, "seed", 42, "max_instances", 7));

    assertThat(options.bootDelay()).isEqualTo(Duration.ofMillis(250));
    assertThat(options.createFailureRate()).isEqualTo(0.1);
    assertThat(options.errorRate()).isEqualTo(0.2);
    assertThat(options.destroyFailureRate()).isEqualTo(1.0);
    assertThat(options.seed()).hasValue(42L);
    assertThat(options.maxInstances()).hasValue(7);
  }

  @Test
  void fromMap_whenRateAboveOne_refusesNamingOption() {
    assertThatThrownBy(() -> SandboxOptions.fromMap(Map.of("error_rate", 1.5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sandbox option error_rate: must be between 0 and 1, got 1.5");
  }

  @Test
  void fromMap_whenRateNegative_refusesNamingOption() {
    assertThatThrownBy(() -> SandboxOptions.fromMap(Map.of("create_failure_rate", -0.1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("sandbox option create_failure_rate: must be between 0 and 1");
  }

  @Test
  void fromMap_whenUnknownKey_refusesNamingKeyAndKnownOnes() {
    assertThatThrownBy(() -> SandboxOptions.fromMap(Map.of("boot_secs", 3)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("sandbox option boot_secs: unknown option")
        .hasMessageContaining("boot_seconds");
  }

  @Test
  void fromMap_whenBootSecondsIsText_refusesWithType() {
    assertThatThrownBy(() -> SandboxOptions.fromMap(Map.of("boot_seconds", "5")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sandbox option boot_seconds: must be a number, got String");
  }

  @Test
  void fromMap_whenBootSecondsNegative_refuses() {
    assertThatThrownBy(() -> SandboxOptions.fromMap(Map.of("boot_seconds", -1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("sandbox option boot_seconds: must be between 0 and 86400");
  }

  @Test
  void fromMap_whenSeedFractional_refuses() {
    assertThatThrownBy(() -> SandboxOptions.fromMap(Map.of("seed", 1.5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sandbox option seed: must be a whole number, got Double 1.5");
  }

  @Test
  void fromMap_whenSeedTooLarge_refuses() {
    BigInteger huge = BigInteger.TWO.pow(70);

    assertThatThrownBy(() -> SandboxOptions.fromMap(Map.of("seed", huge)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("sandbox option seed: must fit in 64 bits");
  }

  @Test
  void fromMap_whenMaxInstancesNegative_refuses() {
    assertThatThrownBy(() -> SandboxOptions.fromMap(Map.of("max_instances", -2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("sandbox option max_instances: must be between 0 and");
  }

  @Test
  void fromMap_whenThrottleSet_readsCountAndPeriod() {
    SandboxOptions options = SandboxOptions.fromMap(Map.of(
        "throttle_after", 10, "throttle_seconds", 2.5));

    assertThat(options.throttleAfter()).hasValue(10);
    assertThat(options.throttlePeriod()).isEqualTo(Duration.ofMillis(2500));
  }

  @Test
  void fromMap_whenThrottleAbsent_neverThrottles() {
    SandboxOptions options = SandboxOptions.fromMap(Map.of());

    assertThat(options.throttleAfter()).isEmpty();
    assertThat(options.throttlePeriod()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void fromMap_whenThrottleAfterFractional_refuses() {
    assertThatThrownBy(() -> SandboxOptions.fromMap(Map.of("throttle_after", 2.5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sandbox option throttle_after: must be a whole number, got Double 2.5");
  }

  @Test
  void fromMap_whenThrottleSecondsZero_refuses() {
    assertThatThrownBy(() -> SandboxOptions.fromMap(Map.of("throttle_seconds", 0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sandbox option throttle_seconds: must be above 0 and at most 86400 "
            + "seconds, got 0");
  }
}
