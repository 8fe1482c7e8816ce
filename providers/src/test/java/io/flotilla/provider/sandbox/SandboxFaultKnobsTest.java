package io.flotilla.provider.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flotilla.provider.CloudException;
import io.flotilla.provider.CloudException.Kind;
import io.flotilla.provider.CloudMachine;
import io.flotilla.provider.MachineSpec;
import io.flotilla.provider.Tags;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The sandbox's knobs for the manager's failure tests: hidden machines, outages, quotas. */
class SandboxFaultKnobsTest {
  private SandboxCloud cloud;

  @AfterEach
  void close() {
    if (cloud != null) {
      cloud.close();
    }
  }

  @Test
  void hideNew_keepsANewMachineOutOfListings_butADescribeFindsIt() {
    cloud = new SandboxCloud("hiding", SandboxOptions.fromMap(Map.of("boot_seconds", 0,
        "hide_new_seconds", 3600)));

    CloudMachine created = cloud.create(spec());

    assertThat(cloud.listTagged(Map.of())).isEmpty();
    assertThat(cloud.describe(created.cloudId())).isPresent();
  }

  @Test
  void unreachableFor_failsEveryApiCallAsTransient_thenRecovers() throws InterruptedException {
    cloud = new SandboxCloud("flaky", SandboxOptions.fromMap(Map.of("boot_seconds", 0)));
    CloudMachine created = cloud.create(spec());

    cloud.unreachableFor(Duration.ofMillis(300));

    assertThatThrownBy(() -> cloud.listTagged(Map.of())).isInstanceOf(CloudException.class)
        .hasMessageStartingWith("sandbox cloud flaky: list failed: cloud unreachable"
            + " (injected outage until")
        .extracting(e -> ((CloudException) e).kind()).isEqualTo(Kind.TRANSIENT);
    assertThatThrownBy(() -> cloud.destroy(created.cloudId()))
        .hasMessageContaining("destroy failed: cloud unreachable");
    assertThat(cloud.running()).as("the machines keep running").hasSize(1);
    Thread.sleep(350);
    assertThat(cloud.listTagged(Map.of())).hasSize(1);
  }

  @Test
  void outageOptions_scheduleTheOutageFromWhenTheSandboxOpens() {
    cloud = new SandboxCloud("scheduled", SandboxOptions.fromMap(Map.of(
        "outage_after_seconds", 0, "outage_seconds", 60)));

    assertThatThrownBy(() -> cloud.create(spec())).hasMessageContaining("cloud unreachable");
  }

  @Test
  void unreportedQuota_refusesCreatesBeyondIt_asQuotaExceeded() {
    cloud = new SandboxCloud("quota", SandboxOptions.fromMap(Map.of("boot_seconds", 0,
        "unreported_max_instances", 1)));
    cloud.create(spec());

    assertThatThrownBy(() -> cloud.create(spec())).isInstanceOf(CloudException.class)
        .satisfies(e -> {
          assertThat(((CloudException) e).kind()).isEqualTo(Kind.QUOTA_EXCEEDED);
          assertThat(((CloudException) e).resource()).isEqualTo("instances");
        });
  }

  @Test
  void fromMap_readsTheKnobs_andRefusesBadValues() {
    SandboxOptions options = SandboxOptions.fromMap(Map.of("hide_new_seconds", 2.5,
        "outage_after_seconds", 5, "outage_seconds", 10, "unreported_max_instances", 4));

    assertThat(options.hideNew()).isEqualTo(Duration.ofMillis(2500));
    assertThat(options.outageAfter()).isEqualTo(Optional.of(Duration.ofSeconds(5)));
    assertThat(options.outageLength()).isEqualTo(Duration.ofSeconds(10));
    assertThat(options.unreportedQuota()).hasValue(4);
    assertThatThrownBy(() -> SandboxOptions.fromMap(Map.of("outage_seconds", 0)))
        .hasMessage("sandbox option outage_seconds: must be above 0, got 0");
    assertThatThrownBy(() -> SandboxOptions.fromMap(Map.of("hide_new_seconds", -1)))
        .hasMessage("sandbox option hide_new_seconds: must be between 0 and 86400 seconds,"
            + " got -1");
  }

  private static MachineSpec spec() {
    String id = UUID.randomUUID().toString();
    return new MachineSpec(id, "image-1", "small", new byte[0],
        Map.of(Tags.MACHINE_ID, id, Tags.SITE, "TEST"), Map.of());
  }
}
