package io.flotilla.control;

import java.util.List;

/**
 * One decision of a pass, with its reason.
 *
 * @param kind create, drain or hold
 * @param vo the VO (machine type)
 * @param space the cloud space
 * @param count machines to create or drain; 0 for a hold
 * @param reason why, in words an operator can check against the site file
 * @param machineIds for a drain, the machines to drain
 */
public record PlanAction(Kind kind, String vo, String space, int count, String reason,
    List<String> machineIds) {

  public PlanAction {
    machineIds = List.copyOf(machineIds);
  }

  /** What a pass does for one machine type on one space. */
  public enum Kind {
    /** Create {@code count} machines. */
    CREATE,
    /** Lower the shutdowntime of {@code count} running machines. */
    DRAIN,
    /** Create nothing, for the reason given. */
    HOLD
  }

  static PlanAction create(String vo, String space, int count, String reason) {
    return new PlanAction(Kind.CREATE, vo, space, count, reason, List.of());
  }

  static PlanAction hold(String vo, String space, String reason) {
    return new PlanAction(Kind.HOLD, vo, space, 0, reason, List.of());
  }

  static PlanAction drain(String vo, String space, List<String> ids, String reason) {
    return new PlanAction(Kind.DRAIN, vo, space, ids.size(), reason, ids);
  }
}
