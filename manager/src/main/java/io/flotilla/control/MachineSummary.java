package io.flotilla.control;

import io.flotilla.lifecycle.ShutdownCodes;
import io.flotilla.state.MachineRecord;
import io.flotilla.state.MachineState;
import io.flotilla.state.Transition;
import java.util.Map;

/**
 * What the planner needs of one machine, and nothing more: the full record (history,
 * token hash, JSON text) stays in the store. Times are epoch milliseconds, -1 when unknown.
 * The VO, space and image strings are shared with every other summary of the same pass (see
 * {@link #of(MachineRecord, Map)}), so a summary costs about 200 bytes.
 *
 * @param id the machine id
 * @param vo the VO (machine type) name
 * @param space the cloud space name
 * @param imageId the endorsed image's identifier
 * @param state the machine's state
 * @param cores processors it was created with
 * @param ramMb memory it was created with
 * @param hs06 HS06 of the whole machine, 0 when unknown
 * @param requestedAt when it was recorded
 * @param startedAt when the cloud accepted it
 * @param leftLiveAt when it stopped being live (ended, failed, lost)
 * @param shutdownTime its published shutdowntime
 * @param code its shutdown code, -1 for none
 * @param cause who ended it, and how
 * @param holdsCloud whether the cloud may still hold (and charge for) the machine
 */
public record MachineSummary(
    String id,
    String vo,
    String space,
    String imageId,
    MachineState state,
    int cores,
    int ramMb,
    double hs06,
    long requestedAt,
    long startedAt,
    long leftLiveAt,
    long shutdownTime,
    int code,
    EndCause cause,
    boolean holdsCloud) {

  /** Who ended a machine and how; decides whether its end counts as an abort. */
  public enum EndCause {
    /** Still live, or ended with no code at all. */
    NONE,
    /** The guest wrote its own shutdown message. */
    GUEST,
    /** The manager ended it with one of its own 700 messages. */
    MANAGER,
    /** The cloud put it in error. */
    CLOUD_ERROR,
    /** The create call failed: it never ran. */
    NEVER_STARTED
  }

  public boolean live() {
    return state.isLive();
  }

  /** Live and not yet heard from: REQUESTED, CREATING or BOOTING. */
  public boolean starting() {
    return state == MachineState.REQUESTED || state == MachineState.CREATING
        || state == MachineState.BOOTING;
  }

  /** When its life is counted from: the cloud's acceptance, or the request. */
  public long lifeStart() {
    return startedAt >= 0 ? startedAt : requestedAt;
  }

  /**
   * Summarises a record.
   *
   * @param names interned VO, space and image strings, grown as new ones are met, so that
   *     summaries share them
   */
  public static MachineSummary of(MachineRecord record, Map<String, String> names) {
    long leftLive = -1;
    for (Transition step : record.history()) {
      if (!step.to().isLive()) {
        leftLive = step.at().toEpochMilli();
        break;
      }
    }
    boolean holds = record.state() != MachineState.GONE
        && (record.cloudId() != null || record.state().isLive());
    return new MachineSummary(record.id(), intern(names, record.vo()),
        intern(names, record.cloud()), intern(names, record.imageId()), record.state(),
        record.spec().cores(), record.spec().ramMb(), record.spec().hs06(),
        millis(record.requestedAt()), millis(record.startedAt()), leftLive,
        millis(record.shutdownTime()),
        record.shutdownCode() == null ? -1 : record.shutdownCode(), cause(record), holds);
  }

  private static EndCause cause(MachineRecord record) {
    if (!record.hasShutdownCode()) {
      return EndCause.NONE;
    }
    if (!ShutdownCodes.isManagers(record.shutdownCode(), record.shutdownMessage())) {
      return EndCause.GUEST;
    }
    return switch (record.shutdownMessage()) {
      case ShutdownCodes.CLOUD_ERROR -> EndCause.CLOUD_ERROR;
      case ShutdownCodes.CREATE_FAILED -> EndCause.NEVER_STARTED;
      default -> EndCause.MANAGER;
    };
  }

  private static String intern(Map<String, String> names, String name) {
    return name == null ? null : names.computeIfAbsent(name, n -> n);
  }

  private static long millis(java.time.Instant instant) {
    return instant == null ? -1 : instant.toEpochMilli();
  }
}
