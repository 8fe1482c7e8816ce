package io.flotilla.provider.openstack;

import io.flotilla.provider.CloudState;
import java.util.Locale;
import java.util.Set;

/**
 * Nova's server status and task state in the portable few. A task state can change what a
 * status means: an ACTIVE server whose task is "deleting" is on its way out, a SHUTOFF one
 * whose task is "powering-on" is coming up. The raw form kept for logs is
 * {@code STATUS/task_state}, or just {@code STATUS} when no task runs.
 *
 * <p>Statuses from docs.openstack.org/api-guide/compute/server_concepts.html; task states
 * from nova/compute/task_states.py.
 */
final class NovaServerState {

  /** Tasks that take the server down, whatever its status says. */
  static final Set<String> STOPPING_TASKS = Set.of(
      "deleting", "soft-deleting", "powering-off", "shelving", "shelving_image_pending_upload",
      "shelving_image_uploading", "shelving_offloading", "suspending", "pausing");
  /** Tasks that (re)build or start the server: it is not running the guest yet. */
  static final Set<String> STARTING_TASKS = Set.of(
      "scheduling", "block_device_mapping", "networking", "spawning", "rebuilding",
      "rebuild_block_device_mapping", "rebuild_spawning", "powering-on", "unshelving",
      "resuming", "unpausing", "restoring");

  private NovaServerState() {}

  /** The portable state of a server with this status and task state (either may be null). */
  static CloudState toCloudState(String status, String taskState) {
    String task = normalisedTask(taskState);
    CloudState base = statusAlone(status);
    if (base == CloudState.GONE || task == null) {
      return base;
    }
    if (STOPPING_TASKS.contains(task)) {
      return CloudState.STOPPING;
    }
    if (STARTING_TASKS.contains(task) && base != CloudState.ERROR) {
      return CloudState.PENDING;
    }
    return base;
  }

  /** {@code STATUS/task_state}, or {@code STATUS} alone when there is no task. */
  static String raw(String status, String taskState) {
    String shownStatus = status == null || status.isBlank() ? "UNKNOWN" : status.strip();
    String task = normalisedTask(taskState);
    return task == null ? shownStatus : shownStatus + "/" + task;
  }

  private static CloudState statusAlone(String status) {
    if (status == null) {
      return CloudState.UNKNOWN;
    }
    // Old Nova and jclouds' fixtures write progress in brackets: BUILD(scheduling).
    String word = status.replaceAll("\\(.*", "").strip().toUpperCase(Locale.ROOT);
    return switch (word) {
      case "BUILD", "REBUILD" -> CloudState.PENDING;
      case "ACTIVE", "REBOOT", "HARD_REBOOT", "PASSWORD", "RESIZE", "VERIFY_RESIZE",
          "REVERT_RESIZE", "MIGRATING" -> CloudState.RUNNING;
      case "SHUTOFF", "STOPPED", "SUSPENDED", "PAUSED", "SHELVED", "SHELVED_OFFLOADED" ->
          CloudState.STOPPED;
      case "ERROR" -> CloudState.ERROR;
      case "DELETED", "SOFT_DELETED" -> CloudState.GONE;
      default -> CloudState.UNKNOWN;
    };
  }

  private static String normalisedTask(String taskState) {
    if (taskState == null || taskState.isBlank() || taskState.equalsIgnoreCase("null")) {
      return null;
    }
    return taskState.strip().toLowerCase(Locale.ROOT);
  }
}
