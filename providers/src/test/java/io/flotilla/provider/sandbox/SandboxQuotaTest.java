package io.flotilla.provider.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flotilla.provider.CloudException;
import io.flotilla.provider.CloudException.Kind;
import io.flotilla.provider.CloudMachine;
import io.flotilla.provider.Flavour;
import io.flotilla.provider.MachineSpec;
import io.flotilla.provider.ProjectQuota;
import io.flotilla.provider.Tags;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The sandbox's quota, usage and flavour reports, against jclouds' stub. */
class SandboxQuotaTest {
  private SandboxCloud cloud;

  @AfterEach
  void close() {
    if (cloud != null) {
      cloud.close();
    }
  }

  @Test
  void flavours_areTheStubHardwareProfilesWithTheirSizes() {
    cloud = new SandboxCloud("sizes", SandboxOptions.fromMap(Map.of()));

    assertThat(cloud.flavours()).extracting(Flavour::id)
        .containsExactly("large", "medium", "small");
    assertThat(cloud.flavours()).allSatisfy(f -> {
      assertThat(f.cores()).isPositive();
      assertThat(f.ramMb()).isPositive();
    });
    assertThat(flavour("small").cores()).isLessThan(flavour("medium").cores());
    assertThat(flavour("medium").ramMb()).isLessThan(flavour("large").ramMb());
  }

  @Test
  void quota_reportsMaxInstances_andUsageOfEveryMachineBySize() {
    cloud = new SandboxCloud("counted", SandboxOptions.fromMap(Map.of("boot_seconds", 0,
        "max_instances", 5)));
    CloudMachine small = cloud.create(spec("small"));
    cloud.create(spec("large"));

    ProjectQuota quota = cloud.quota().orElseThrow();

    assertThat(quota.limits()).isEqualTo(new ProjectQuota.Limits(5L, null, null));
    assertThat(quota.usage()).isEqualTo(new ProjectQuota.Usage(2L,
        (long) flavour("small").cores() + flavour("large").cores(),
        (long) flavour("small").ramMb() + flavour("large").ramMb()));
    cloud.destroy(small.cloudId());
    assertThat(cloud.quota().orElseThrow().usage().instances()).isEqualTo(1L);
  }

  @Test
  void quota_withoutMaxInstances_isUnlimited_andHidesTheUnreportedQuota() {
    cloud = new SandboxCloud("open", SandboxOptions.fromMap(Map.of(
        "unreported_max_instances", 1)));

    ProjectQuota quota = cloud.quota().orElseThrow();

    assertThat(quota.limits()).isEqualTo(ProjectQuota.Limits.UNKNOWN);
    assertThat(quota.usage()).isEqualTo(new ProjectQuota.Usage(0L, 0L, 0L));
  }

  @Test
  void quota_duringAnOutage_failsAsTransient() {
    cloud = new SandboxCloud("down", SandboxOptions.fromMap(Map.of()));
    cloud.unreachableFor(Duration.ofMinutes(1));

    assertThatThrownBy(() -> cloud.quota()).isInstanceOf(CloudException.class)
        .hasMessageStartingWith("sandbox cloud down: quota failed: cloud unreachable")
        .extracting(e -> ((CloudException) e).kind()).isEqualTo(Kind.TRANSIENT);
  }

  private Flavour flavour(String id) {
    return cloud.flavours().stream().filter(f -> f.id().equals(id)).findFirst().orElseThrow();
  }

  private static MachineSpec spec(String flavour) {
    String machineId = "m-" + UUID.randomUUID();
    return new MachineSpec(machineId, "image-1", flavour, new byte[0],
        Map.of(Tags.MACHINE_ID, machineId, Tags.SITE, "test"));
  }
}
