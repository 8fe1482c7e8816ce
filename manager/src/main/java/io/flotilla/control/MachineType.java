package io.flotilla.control;

import io.flotilla.config.ControlConfig.VoPolicy;
import io.flotilla.config.VoConfig;
import java.time.Duration;

/**
 * One VO's machine type as the planner applies it on every space: its configured sizes and
 * timings, its policy, and the rules that say which ended machines were aborts and which
 * fizzled.
 *
 * @param vo the VO's machine settings
 * @param policy its share, quotas and abort settings
 * @param fizzle the resolved fizzle time (the policy's, or the default)
 */
public record MachineType(VoConfig vo, VoPolicy policy, Duration fizzle) {
  /** Vcycle's default fizzle time, used unless a quarter of the lifetime is shorter. */
  static final Duration DEFAULT_FIZZLE = Duration.ofMinutes(10);

  public static MachineType of(VoConfig vo, VoPolicy policy) {
    Duration fizzle = policy.fizzle() != null ? policy.fizzle()
        : min(DEFAULT_FIZZLE, vo.lifetime().dividedBy(4));
    return new MachineType(vo, policy, fizzle);
  }

  public String name() {
    return vo.name();
  }

  /** HS06 of one machine, 0 when unknown. */
  public double machineHs06() {
    return vo.hs06PerCore() * vo.cores();
  }

  /**
   * Whether an ended machine was an abort: a guest code in the abort range (300-699 by
   * default), a 700-799 code when the policy counts them (Vac does, Vcycle does not), a
   * machine the cloud put in error, or one that ended before {@code fizzle} without a code
   * of its own. A create the cloud refused is not an abort: the refusal pauses creation by
   * itself.
   */
  public boolean isAbort(MachineSummary machine) {
    if (machine.live()) {
      return false;
    }
    boolean class700 = machine.code() >= 700 && machine.code() <= 799;
    return switch (machine.cause()) {
      case NEVER_STARTED -> false;
      case CLOUD_ERROR -> true;
      case GUEST -> vo.abortCodes().contains(machine.code())
          || class700 && policy.abortIncludes700();
      case MANAGER -> class700 && policy.abortIncludes700() || fizzled(machine);
      case NONE -> fizzled(machine);
    };
  }

  /** Whether a machine ended sooner than {@code fizzle} after it started. */
  public boolean fizzled(MachineSummary machine) {
    return machine.leftLiveAt() >= 0
        && machine.leftLiveAt() - machine.lifeStart() < fizzle.toMillis();
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
