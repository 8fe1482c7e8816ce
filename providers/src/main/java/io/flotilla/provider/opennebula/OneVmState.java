package io.flotilla.provider.opennebula;

import io.flotilla.provider.CloudState;
import java.util.Map;

/**
 * OpenNebula's two state numbers, STATE and LCM_STATE (meaningful only while ACTIVE), as
 * listed in OpenNebula's "Virtual Machines States Reference" (6.x/7.x), plus the 4.x
 * numbers since retired (STATE 7 FAILED, LCM 13 CANCEL and 14 FAILURE).
 *
 * <p>A number this table does not know maps to {@link CloudState#UNKNOWN}, which callers
 * treat as transitional: a newer OpenNebula adding a state must never break the manager.
 */
final class OneVmState {

  static final int PENDING = 1;
  static final int HOLD = 2;
  static final int ACTIVE = 3;
  static final int DONE = 6;
  static final int POWEROFF = 8;

  static final int LCM_PROLOG = 1;
  static final int LCM_BOOT = 2;
  static final int LCM_RUNNING = 3;
  static final int LCM_EPILOG = 11;
  static final int LCM_UNKNOWN = 16;
  static final int LCM_BOOT_FAILURE = 36;
  static final int LCM_PROLOG_FAILURE = 39;

  private record Entry(String name, CloudState state) {}

  private static final Map<Integer, Entry> STATES = Map.ofEntries(
      entry(0, "INIT", CloudState.PENDING),
      entry(1, "PENDING", CloudState.PENDING),
      entry(2, "HOLD", CloudState.PENDING),
      entry(3, "ACTIVE", CloudState.RUNNING),
      entry(4, "STOPPED", CloudState.STOPPED),
      entry(5, "SUSPENDED", CloudState.STOPPED),
      entry(6, "DONE", CloudState.GONE),
      entry(7, "FAILED", CloudState.ERROR),
      entry(8, "POWEROFF", CloudState.STOPPED),
      entry(9, "UNDEPLOYED", CloudState.STOPPED),
      entry(10, "CLONING", CloudState.PENDING),
      entry(11, "CLONING_FAILURE", CloudState.ERROR));

  private static final Map<Integer, Entry> LCM_STATES = Map.ofEntries(
      entry(0, "LCM_INIT", CloudState.PENDING),
      entry(1, "PROLOG", CloudState.PENDING),
      entry(2, "BOOT", CloudState.PENDING),
      entry(3, "RUNNING", CloudState.RUNNING),
      entry(4, "MIGRATE", CloudState.RUNNING),
      entry(5, "SAVE_STOP", CloudState.STOPPING),
      entry(6, "SAVE_SUSPEND", CloudState.STOPPING),
      entry(7, "SAVE_MIGRATE", CloudState.RUNNING),
      entry(8, "PROLOG_MIGRATE", CloudState.RUNNING),
      entry(9, "PROLOG_RESUME", CloudState.PENDING),
      entry(10, "EPILOG_STOP", CloudState.STOPPING),
      entry(11, "EPILOG", CloudState.STOPPING),
      entry(12, "SHUTDOWN", CloudState.STOPPING),
      entry(13, "CANCEL", CloudState.STOPPING),
      entry(14, "FAILURE", CloudState.ERROR),
      entry(15, "CLEANUP_RESUBMIT", CloudState.PENDING),
      // OpenNebula's UNKNOWN: the host stopped answering; the guest may well be running.
      entry(16, "UNKNOWN", CloudState.UNKNOWN),
      entry(17, "HOTPLUG", CloudState.RUNNING),
      entry(18, "SHUTDOWN_POWEROFF", CloudState.STOPPING),
      entry(19, "BOOT_UNKNOWN", CloudState.PENDING),
      entry(20, "BOOT_POWEROFF", CloudState.PENDING),
      entry(21, "BOOT_SUSPENDED", CloudState.PENDING),
      entry(22, "BOOT_STOPPED", CloudState.PENDING),
      entry(23, "CLEANUP_DELETE", CloudState.STOPPING),
      entry(24, "HOTPLUG_SNAPSHOT", CloudState.RUNNING),
      entry(25, "HOTPLUG_NIC", CloudState.RUNNING),
      entry(26, "HOTPLUG_SAVEAS", CloudState.RUNNING),
      entry(27, "HOTPLUG_SAVEAS_POWEROFF", CloudState.STOPPED),
      entry(28, "HOTPLUG_SAVEAS_SUSPENDED", CloudState.STOPPED),
      entry(29, "SHUTDOWN_UNDEPLOY", CloudState.STOPPING),
      entry(30, "EPILOG_UNDEPLOY", CloudState.STOPPING),
      entry(31, "PROLOG_UNDEPLOY", CloudState.PENDING),
      entry(32, "BOOT_UNDEPLOY", CloudState.PENDING),
      entry(33, "HOTPLUG_PROLOG_POWEROFF", CloudState.STOPPED),
      entry(34, "HOTPLUG_EPILOG_POWEROFF", CloudState.STOPPED),
      entry(35, "BOOT_MIGRATE", CloudState.RUNNING),
      entry(36, "BOOT_FAILURE", CloudState.ERROR),
      entry(37, "BOOT_MIGRATE_FAILURE", CloudState.ERROR),
      entry(38, "PROLOG_MIGRATE_FAILURE", CloudState.ERROR),
      entry(39, "PROLOG_FAILURE", CloudState.ERROR),
      entry(40, "EPILOG_FAILURE", CloudState.ERROR),
      entry(41, "EPILOG_STOP_FAILURE", CloudState.ERROR),
      entry(42, "EPILOG_UNDEPLOY_FAILURE", CloudState.ERROR),
      entry(43, "PROLOG_MIGRATE_POWEROFF", CloudState.STOPPED),
      entry(44, "PROLOG_MIGRATE_POWEROFF_FAILURE", CloudState.ERROR),
      entry(45, "PROLOG_MIGRATE_SUSPEND", CloudState.STOPPED),
      entry(46, "PROLOG_MIGRATE_SUSPEND_FAILURE", CloudState.ERROR),
      entry(47, "BOOT_UNDEPLOY_FAILURE", CloudState.ERROR),
      entry(48, "BOOT_STOPPED_FAILURE", CloudState.ERROR),
      entry(49, "PROLOG_RESUME_FAILURE", CloudState.ERROR),
      entry(50, "PROLOG_UNDEPLOY_FAILURE", CloudState.ERROR),
      entry(51, "DISK_SNAPSHOT_POWEROFF", CloudState.STOPPED),
      entry(52, "DISK_SNAPSHOT_REVERT_POWEROFF", CloudState.STOPPED),
      entry(53, "DISK_SNAPSHOT_DELETE_POWEROFF", CloudState.STOPPED),
      entry(54, "DISK_SNAPSHOT_SUSPENDED", CloudState.STOPPED),
      entry(55, "DISK_SNAPSHOT_REVERT_SUSPENDED", CloudState.STOPPED),
      entry(56, "DISK_SNAPSHOT_DELETE_SUSPENDED", CloudState.STOPPED),
      entry(57, "DISK_SNAPSHOT", CloudState.RUNNING),
      entry(58, "DISK_SNAPSHOT_REVERT", CloudState.RUNNING),
      entry(59, "DISK_SNAPSHOT_DELETE", CloudState.RUNNING),
      entry(60, "PROLOG_MIGRATE_UNKNOWN", CloudState.PENDING),
      entry(61, "PROLOG_MIGRATE_UNKNOWN_FAILURE", CloudState.ERROR),
      entry(62, "DISK_RESIZE", CloudState.RUNNING),
      entry(63, "DISK_RESIZE_POWEROFF", CloudState.STOPPED),
      entry(64, "DISK_RESIZE_UNDEPLOYED", CloudState.STOPPED),
      entry(65, "HOTPLUG_NIC_POWEROFF", CloudState.STOPPED),
      entry(66, "HOTPLUG_RESIZE", CloudState.RUNNING),
      entry(67, "HOTPLUG_SAVEAS_UNDEPLOYED", CloudState.STOPPED),
      entry(68, "HOTPLUG_SAVEAS_STOPPED", CloudState.STOPPED),
      entry(69, "BACKUP", CloudState.RUNNING),
      entry(70, "BACKUP_POWEROFF", CloudState.STOPPED),
      entry(71, "RESTORE", CloudState.STOPPED));

  private OneVmState() {}

  private static Map.Entry<Integer, Entry> entry(int number, String name, CloudState state) {
    return Map.entry(number, new Entry(name, state));
  }

  /** The portable state for a STATE / LCM_STATE pair; UNKNOWN for numbers not listed. */
  static CloudState portable(int state, int lcmState) {
    Entry entry = STATES.get(state);
    if (entry == null) {
      return CloudState.UNKNOWN;
    }
    if (state != ACTIVE) {
      return entry.state();
    }
    Entry lcm = LCM_STATES.get(lcmState);
    return lcm == null ? CloudState.UNKNOWN : lcm.state();
  }

  /** OpenNebula's words, e.g. "ACTIVE/RUNNING", "PENDING", "STATE_42", "ACTIVE/LCM_99". */
  static String raw(int state, int lcmState) {
    Entry entry = STATES.get(state);
    if (entry == null) {
      return "STATE_" + state;
    }
    if (state != ACTIVE) {
      return entry.name();
    }
    Entry lcm = LCM_STATES.get(lcmState);
    return "ACTIVE/" + (lcm == null ? "LCM_" + lcmState : lcm.name());
  }
}
