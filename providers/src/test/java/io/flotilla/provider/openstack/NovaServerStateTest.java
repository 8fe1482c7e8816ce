package io.flotilla.provider.openstack;

import static org.assertj.core.api.Assertions.assertThat;

import io.flotilla.provider.CloudState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Nova's statuses and task states in the portable few. */
class NovaServerStateTest {

  @ParameterizedTest(name = "{0}/{1} -> {2}")
  @CsvSource(nullValues = "-", value = {
      "BUILD, -, PENDING",
      "BUILD, scheduling, PENDING",
      "BUILD, spawning, PENDING",
      "BUILD(scheduling), -, PENDING",
      "BUILD, deleting, STOPPING",
      "REBUILD, rebuilding, PENDING",
      "ACTIVE, -, RUNNING",
      "ACTIVE, deleting, STOPPING",
      "ACTIVE, powering-off, STOPPING",
      "ACTIVE, shelving, STOPPING",
      "ACTIVE, image_snapshot, RUNNING",
      "ACTIVE, rebooting, RUNNING",
      "REBOOT, reboot_started, RUNNING",
      "HARD_REBOOT, -, RUNNING",
      "VERIFY_RESIZE, -, RUNNING",
      "MIGRATING, migrating, RUNNING",
      "SHUTOFF, -, STOPPED",
      "SHUTOFF, powering-on, PENDING",
      "SHUTOFF, deleting, STOPPING",
      "SUSPENDED, -, STOPPED",
      "PAUSED, unpausing, PENDING",
      "SHELVED_OFFLOADED, -, STOPPED",
      "ERROR, -, ERROR",
      "ERROR, deleting, STOPPING",
      "ERROR, rebuilding, ERROR",
      "DELETED, -, GONE",
      "DELETED, deleting, GONE",
      "SOFT_DELETED, -, GONE",
      "UNKNOWN, -, UNKNOWN",
      "RESCUE, -, UNKNOWN",
      "UNRECOGNIZED, -, UNKNOWN",
      "-, -, UNKNOWN",
      "ACTIVE, some_future_task, RUNNING",
  })
  void toCloudState_mapsStatusAndTask(String status, String task, CloudState expected) {
    assertThat(NovaServerState.toCloudState(status, task)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}/{1} -> {2}")
  @CsvSource(nullValues = "-", value = {
      "ACTIVE, -, ACTIVE",
      "ACTIVE, deleting, ACTIVE/deleting",
      "SHUTOFF, powering-on, SHUTOFF/powering-on",
      "-, -, UNKNOWN",
      "BUILD, ' ', BUILD",
  })
  void raw_keepsStatusAndTask(String status, String task, String expected) {
    assertThat(NovaServerState.raw(status, task)).isEqualTo(expected);
  }
}
