package io.flotilla.state;

import java.util.EnumSet;
import java.util.Set;

/**
 * The life of one machine as the manager sees it.
 *
 * <p>The normal path is {@code REQUESTED -> CREATING -> BOOTING -> RUNNING -> DRAINING ->
 * TERMINATING -> GONE}. {@code FAILED} (the cloud refused or broke the machine) and
 * {@code LOST} (the guest fell silent) are detours that still end in {@code GONE} once the
 * cloud confirms nothing is left. A machine may skip steps forward (a guest that finishes
 * its work before its lifetime ends goes from RUNNING straight to TERMINATING), but never
 * goes back.
 */
public enum MachineState {
  /** Recorded, no cloud call made yet. */
  REQUESTED,
  /** The create call is in flight. */
  CREATING,
  /** The cloud accepted the machine; the guest has not yet been heard from. */
  BOOTING,
  /** The guest has fetched its credential or sent a heartbeat. */
  RUNNING,
  /** {@code shutdowntime} is published; the guest should finish and stop. */
  DRAINING,
  /** The delete call is in flight or waiting to be retried. */
  TERMINATING,
  /** The create failed or the cloud put the machine in error; clean-up pending. */
  FAILED,
  /** The guest stopped heartbeating; clean-up pending. */
  LOST,
  /** The cloud holds nothing of the machine any more. Final. */
  GONE;

  private static final Set<MachineState> LIVE =
      EnumSet.of(REQUESTED, CREATING, BOOTING, RUNNING, DRAINING);

  /** True while the machine counts as wanted capacity (not yet on its way out). */
  public boolean isLive() {
    return LIVE.contains(this);
  }

  /** True once nothing more can happen to the machine. */
  public boolean isFinal() {
    return this == GONE;
  }

  /** Whether the state machine allows moving from this state to {@code next}. */
  public boolean canMoveTo(MachineState next) {
    if (this == GONE || next == this) {
      return false;
    }
    return switch (next) {
      case REQUESTED -> false;
      case FAILED, LOST -> this != TERMINATING;
      case GONE -> true;
      default -> isLive() && next.ordinal() > ordinal()
          || (this == FAILED || this == LOST) && next == TERMINATING;
    };
  }
}
