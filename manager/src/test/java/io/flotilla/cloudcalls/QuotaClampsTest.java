package io.flotilla.cloudcalls;

import static org.assertj.core.api.Assertions.assertThat;

import io.flotilla.config.ControlConfig.Quota;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class QuotaClampsTest {
  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  private static final Quota SITE = new Quota(50, 200, 400_000, Double.POSITIVE_INFINITY);

  private final QuotaClamps clamps = new QuotaClamps();

  @Test
  void lower_lowersOnlyTheNamedResource_toWhatTheSpaceHeld() {
    clamps.lower("aws", "vcpus", new QuotaClamps.Held(7, 28, 57_344), T0.plusSeconds(600));

    assertThat(clamps.apply("aws", SITE, T0))
        .isEqualTo(new Quota(50, 28, 400_000, Double.POSITIVE_INFINITY));
    assertThat(clamps.apply("other", SITE, T0)).isEqualTo(SITE);
  }

  @Test
  void lower_whenTheResourceIsUnknown_lowersInstances() {
    clamps.lower("aws", null, new QuotaClamps.Held(7, 28, 57_344), T0.plusSeconds(600));

    assertThat(clamps.apply("aws", SITE, T0).instances()).isEqualTo(7);
  }

  @Test
  void apply_afterTheRecheckTime_givesTheConfiguredLimitAgain() {
    clamps.lower("aws", "ram", new QuotaClamps.Held(7, 28, 57_344), T0.plusSeconds(600));

    assertThat(clamps.apply("aws", SITE, T0.plusSeconds(599)).ramMb()).isEqualTo(57_344);
    assertThat(clamps.apply("aws", SITE, T0.plusSeconds(600))).isEqualTo(SITE);
    assertThat(clamps.current("aws", T0.plusSeconds(600))).isEmpty();
  }

  @Test
  void lower_publishesTheRefusalAndTheLoweredLimit() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    clamps.bindTo(meters);

    clamps.lower("aws", "instances", new QuotaClamps.Held(7, 28, 57_344), T0.plusSeconds(600));

    assertThat(meters.get("flotilla.cloud.quota.refusals").tag("cloud", "aws").counter()
        .count()).isEqualTo(1);
    assertThat(meters.get("flotilla.cloud.quota.lowered.limit").tag("cloud", "aws")
        .tag("resource", "instances").gauge().value()).isEqualTo(7);
    assertThat(meters.get("flotilla.cloud.quota.lowered.limit").tag("cloud", "aws")
        .tag("resource", "processors").gauge().value()).isNaN();
  }
}
