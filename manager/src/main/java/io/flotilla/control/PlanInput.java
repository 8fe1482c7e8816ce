package io.flotilla.control;

import io.flotilla.config.ControlConfig;
import io.flotilla.lifecycle.DrainBook;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything one planning pass looks at, copied so the planner is a pure function of it.
 *
 * @param machines a summary of every recorded machine
 * @param types the machine types (VOs), in site-file order; the order decides nothing
 * @param control shares, limits and quotas
 * @param spaces what each cloud reported this pass, one per configured cloud
 * @param demand what VOs asked for
 * @param backoff last aborts and cloud pauses
 * @param drains planned drains
 * @param holds reasons a type cannot be created on a space this pass, by {@code vo|space}
 *     (no endorsed image, no image reference on the cloud, template broken)
 * @param now the time of the pass
 */
public record PlanInput(
    List<MachineSummary> machines,
    List<MachineType> types,
    ControlConfig control,
    List<SpaceView> spaces,
    Demand demand,
    Backoff.View backoff,
    DrainBook.View drains,
    Map<String, String> holds,
    Instant now) {

  public PlanInput {
    machines = List.copyOf(machines);
    types = List.copyOf(types);
    spaces = List.copyOf(spaces);
    holds = Map.copyOf(holds);
  }

  /** The key of a machine type on a space in {@link #holds}. */
  public static String key(String vo, String space) {
    return Backoff.key(vo, space);
  }
}
