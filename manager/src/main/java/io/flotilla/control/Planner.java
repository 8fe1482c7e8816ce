package io.flotilla.control;

import io.flotilla.config.ControlConfig.VoPolicy;
import io.flotilla.control.Tallies.Size;
import io.flotilla.control.Tallies.Space;
import io.flotilla.control.Tallies.Type;
import io.flotilla.control.Tallies.Vo;
import io.flotilla.state.MachineState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Decides what one pass creates and drains: a pure function of a {@link PlanInput}, so the
 * same input always gives the same plan, and tests drive it with a made-up clock.
 *
 * <p>Design. The machines are read once into tallies per machine type and space (live
 * machines, what they weigh, what the cloud still charges for, the last abort). Then, space
 * by space: fixed-count types are topped up to their number; share types are given one
 * machine at a time, always to the type furthest below its target share (by HS06 when every
 * type of the space has an HS06 figure, else by processors), ties going to the type that
 * was created least recently, so site-file order never decides. Every machine must fit the
 * space's limits (the lower of the site file's and the cloud's quota, with machines of other
 * projects counted and RAM as the cloud rounds it), the VO's quotas, its demand, the type's
 * own limits and the pass's creation cap. A type that aborted waits {@code backoff}, then
 * gets one probe machine at a time until one lives past {@code fizzle}.
 */
public final class Planner {
  /** Without a processor limit, a fixed-count type gets at most this many per pass. */
  static final int UNCAPPED_TYPE_PER_PASS = 10;
  /** A refusal that is no hold: the type already has all it wants. */
  private static final String SATISFIED = "";
  private static final String SPACE_LIMIT = "space limit";

  private final PlanInput input;
  private final long now;
  private final Map<String, Space> spaces = new LinkedHashMap<>();
  private final Map<String, Type> types = new HashMap<>();
  private final Map<String, Vo> vos = new HashMap<>();
  private final List<PlanAction> actions = new ArrayList<>();

  private Planner(PlanInput input) {
    this.input = input;
    this.now = input.now().toEpochMilli();
  }

  /** The plan for one pass: creates, drains, and holds with their reasons. */
  public static List<PlanAction> plan(PlanInput input) {
    Planner planner = new Planner(input);
    planner.tally();
    planner.planDrains();
    planner.spaces.values().forEach(planner::planSpace);
    return List.copyOf(planner.actions);
  }

  private void tally() {
    for (SpaceView view : input.spaces()) {
      spaces.put(view.name(), new Space(view, input.control().space(view.name())));
    }
    for (MachineType type : input.types()) {
      vos.put(type.name(), new Vo());
      for (String cloud : type.vo().clouds()) {
        Space space = spaces.get(cloud);
        if (space != null) {
          Type tally = new Type(type, cloud, Size.charged(type, space.limits));
          types.put(PlanInput.key(type.name(), cloud), tally);
          space.types.add(tally);
        }
      }
    }
    spaces.values().forEach(s -> s.byHs06 = !s.types.isEmpty()
        && s.types.stream().allMatch(t -> t.type.machineHs06() > 0));
    input.machines().forEach(this::count);
    types.values().forEach(this::settleAbort);
    input.machines().forEach(this::countProbe);
  }

  private void count(MachineSummary machine) {
    Space space = spaces.get(machine.space());
    Type type = types.get(PlanInput.key(machine.vo(), machine.space()));
    Vo vo = vos.get(machine.vo());
    Size size = type != null ? type.size
        : space != null ? Size.ofMachine(machine, space.limits) : null;
    if (machine.holdsCloud() && space != null) {
      space.used.add(size);
    }
    if (vo != null) {
      vo.live += machine.live() ? 1 : 0;
      vo.kept += machine.live() && machine.shutdownTime() < 0 ? 1 : 0;
      if (machine.holdsCloud()) {
        vo.held.add(size);
      }
    }
    if (type != null) {
      countForType(type, machine, space.byHs06);
    }
  }

  private void countForType(Type type, MachineSummary machine, boolean byHs06) {
    if (machine.holdsCloud()) {
      type.held.add(type.size);
    }
    if (machine.live()) {
      type.countLive(machine, byHs06);
    }
    type.lastRequested = Math.max(type.lastRequested, machine.requestedAt());
    if (type.type.isAbort(machine)) {
      type.lastAbort = Math.max(type.lastAbort, machine.leftLiveAt());
    }
  }

  private void settleAbort(Type type) {
    type.lastAbort = Math.max(type.lastAbort,
        input.backoff().lastAbort(type.vo(), type.space));
  }

  /**
   * After an abort, machines requested since then are probes: one at a time, until one has
   * lived past {@code fizzle}.
   */
  private void countProbe(MachineSummary machine) {
    Type type = types.get(PlanInput.key(machine.vo(), machine.space()));
    if (type == null || type.lastAbort < 0 || machine.requestedAt() <= type.lastAbort) {
      return;
    }
    long fizzle = type.type.fizzle().toMillis();
    if (machine.live()) {
      if (now - machine.lifeStart() >= fizzle) {
        type.survived = true;
      } else {
        type.probing++;
      }
    } else if (machine.leftLiveAt() - machine.lifeStart() >= fizzle) {
      type.survived = true;
    }
  }

  /* ---- Drains ---- */

  private void planDrains() {
    for (Type type : types.values()) {
      Duration grace = type.type.vo().grace();
      List<String> due = new ArrayList<>();
      for (MachineSummary machine : type.liveMachines) {
        long deadline = input.drains().deadlineMillis(type.vo(), machine.imageId(), grace);
        if (deadline != Long.MAX_VALUE
            && (machine.shutdownTime() < 0 || machine.shutdownTime() > deadline)) {
          due.add(machine.id());
        }
      }
      if (!due.isEmpty()) {
        actions.add(PlanAction.drain(type.vo(), type.space, due, drainReason(type)));
      }
    }
    input.types().forEach(this::drainForDemand);
  }

  private String drainReason(Type type) {
    if (input.drains().siteDraining()) {
      return "site drain: every machine must stop by "
          + input.drains().siteDeadline().orElseThrow();
    }
    return input.drains().voDeadline(type.vo())
        .map(at -> "VO drain: its machines must stop by " + at)
        .orElse("image revoked: policy " + input.drains().imagePolicy().name()
            .toLowerCase(Locale.ROOT));
  }

  /**
   * A VO that wants fewer machines than it keeps running gets its youngest running ones
   * drained: they have done the least work. Machines already told to stop are not counted;
   * machines still starting are drained once they run.
   */
  private void drainForDemand(MachineType type) {
    OptionalInt wanted = input.demand().wanted(type.name());
    Vo vo = vos.get(type.name());
    if (wanted.isEmpty() || vo.kept <= wanted.getAsInt()) {
      return;
    }
    int excess = vo.kept - wanted.getAsInt();
    List<MachineSummary> kept = new ArrayList<>();
    for (String cloud : type.vo().clouds()) {
      Type tally = types.get(PlanInput.key(type.name(), cloud));
      if (tally != null) {
        tally.liveMachines.stream().filter(m -> m.state() == MachineState.RUNNING
            && m.shutdownTime() < 0).forEach(kept::add);
      }
    }
    kept.sort(Comparator.comparingLong(MachineSummary::lifeStart).reversed());
    String reason = "demand: VO wants " + wanted.getAsInt() + " machines, keeps " + vo.kept;
    Map<String, List<String>> bySpace = new LinkedHashMap<>();
    kept.subList(0, Math.min(excess, kept.size())).forEach(m ->
        bySpace.computeIfAbsent(m.space(), s -> new ArrayList<>()).add(m.id()));
    bySpace.forEach((space, ids) ->
        actions.add(PlanAction.drain(type.name(), space, ids, reason)));
    vo.kept = wanted.getAsInt();
  }

  /* ---- Creation ---- */

  private void planSpace(Space space) {
    space.weightBefore = space.totalWeight();
    for (Type type : space.types) {
      type.weightBefore = type.liveWeight;
      type.hold = staticHold(type, space);
    }
    List<Type> fixed = space.types.stream()
        .filter(t -> t.hold == null && !t.type.policy().shareMode())
        .sorted(Comparator.comparingLong(t -> t.lastRequested)).toList();
    for (Type type : fixed) {
      while (type.hold == null && tryCreate(type, space)) {
        continue;
      }
    }
    shareOut(space);
    space.types.forEach(type -> report(type, space));
  }

  /**
   * Gives share types one machine at a time to the one furthest below its share. When that
   * type's machine does not fit the space's free room, the room is kept for it: smaller
   * machines of types above their share would otherwise take every freed processor and
   * starve it of the larger block it needs.
   */
  private void shareOut(Space space) {
    List<Type> open = new ArrayList<>(space.types.stream()
        .filter(t -> t.hold == null && t.type.policy().shareMode()).toList());
    while (!open.isEmpty()) {
      Type next = open.stream().min(Comparator.comparingDouble(Planner::deficitKey)
          .thenComparingLong(t -> t.lastRequested)
          .thenComparingLong(t -> tieBreak(t.vo()))).orElseThrow();
      if (tryCreate(next, space)) {
        continue;
      }
      open.remove(next);
      if (next.hold.startsWith(SPACE_LIMIT) && fitsEmpty(next, space)) {
        open.forEach(t -> t.hold = "room kept for " + next.vo() + ", furthest below its"
            + " target share, whose machine does not fit yet");
        return;
      }
    }
  }

  /** Whether one machine of the type fits the space at all, with nothing else running. */
  private static boolean fitsEmpty(Type type, Space space) {
    return new Tallies.Counter().exceeds(space.effective, type.size, SPACE_LIMIT) == null;
  }

  /** Weight per unit of share: the smallest is furthest below its target. */
  private static double deficitKey(Type type) {
    return type.liveWeight / type.type.policy().targetShare();
  }

  /**
   * A last tie-break that is reshuffled every minute (a 64-bit mix of the name and the
   * minute), so no name and no place in the site file is always first.
   */
  private long tieBreak(String vo) {
    long z = vo.hashCode() * 0x9E3779B97F4A7C15L + now / 60_000;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Reasons a type gets nothing on a space whatever the others do. */
  private String staticHold(Type type, Space space) {
    VoPolicy policy = type.type.policy();
    if (input.drains().voDraining(type.vo())) {
      return input.drains().siteDraining() ? "site drain in force" : "VO drain in force";
    }
    String held = input.holds().get(PlanInput.key(type.vo(), type.space));
    if (held != null) {
      return held;
    }
    if (!space.view.available()) {
      return "cloud listing unavailable this pass: usage unknown";
    }
    if (policy.shareMode() && !space.effective.hasProcessorLimit()) {
      return "share mode needs a processor limit for this space (limits.processors in the"
          + " site file, or a cloud quota); none is set";
    }
    long paused = input.backoff().pausedUntil(type.vo(), type.space);
    if (paused > now) {
      return "cloud refused a create; paused until " + Instant.ofEpochMilli(paused);
    }
    return backoffHold(type);
  }

  private String backoffHold(Type type) {
    if (type.lastAbort < 0 || type.survived) {
      return null;
    }
    long until = type.lastAbort + type.type.vo().backoff().toMillis();
    if (until > now) {
      return "backing off until " + Instant.ofEpochMilli(until) + " after an abort at "
          + Instant.ofEpochMilli(type.lastAbort);
    }
    if (type.probing > 0) {
      return "probe machine still within fizzle ("
          + type.type.fizzle().toSeconds() + "s) after an abort at "
          + Instant.ofEpochMilli(type.lastAbort);
    }
    type.probeOnly = true;
    return null;
  }

  /** Plans one more machine of {@code type} if it fits; else records why not. */
  private boolean tryCreate(Type type, Space space) {
    String refusal = refusal(type, space);
    if (refusal != null) {
      type.hold = refusal;
      return false;
    }
    type.planOne(space.byHs06, now);
    space.used.add(type.size);
    space.spent += type.size.processors();
    Vo vo = vos.get(type.vo());
    vo.created++;
    vo.held.add(type.size);
    return true;
  }

  private String refusal(Type type, Space space) {
    VoPolicy policy = type.type.policy();
    Vo vo = vos.get(type.vo());
    if (type.probeOnly && type.created > 0) {
      return "probe after backoff: one machine at a time until one lives past fizzle";
    }
    if (!policy.shareMode() && type.liveMachines.size() + type.created
        >= type.type.vo().machines()) {
      return SATISFIED;
    }
    OptionalInt wanted = input.demand().wanted(type.vo());
    if (wanted.isPresent() && vo.kept + vo.created >= wanted.getAsInt()) {
      return "demand: VO wants " + wanted.getAsInt() + " machines, has " + vo.kept;
    }
    String limit = typeLimits(type, policy);
    if (limit != null) {
      return limit;
    }
    return capacity(type, space, vo, policy);
  }

  private String typeLimits(Type type, VoPolicy policy) {
    int processors = type.size.processors();
    if (type.liveProcessors + processors > policy.maxProcessors()) {
      return "machine type limit max_processors " + policy.maxProcessors() + " reached";
    }
    if (type.startingProcessors + processors > policy.maxStartingProcessors()) {
      return type.startingProcessors + " processors already starting"
          + " (max_starting_processors " + policy.maxStartingProcessors() + ")";
    }
    return null;
  }

  private String capacity(Type type, Space space, Vo vo, VoPolicy policy) {
    String quota = vo.held.exceeds(policy.quota(), type.size, "VO quota");
    if (quota == null) {
      quota = type.held.exceeds(policy.spaceQuota(), type.size, "VO space quota");
    }
    if (quota == null) {
      quota = spaceQuota(type, space);
    }
    if (quota == null && space.spent > 0
        && space.spent + type.size.processors() > space.budget) {
      quota = "creation cap of " + space.budget + " processors per pass reached";
    }
    if (quota == null && space.budget == Long.MAX_VALUE
        && type.created >= UNCAPPED_TYPE_PER_PASS) {
      quota = "at most " + UNCAPPED_TYPE_PER_PASS + " creations per pass per type without a"
          + " processor limit";
    }
    return quota;
  }

  private String spaceQuota(Type type, Space space) {
    String refusal = space.used.exceeds(space.effective, type.size, SPACE_LIMIT);
    if (refusal == null) {
      return null;
    }
    Usage foreign = space.view.foreign();
    return refusal + " (machines of other projects use " + foreign.instances()
        + " instances, " + foreign.processors() + " processors, " + foreign.ramMb()
        + " MiB)";
  }

  /* ---- Reporting ---- */

  private void report(Type type, Space space) {
    if (type.created > 0) {
      actions.add(PlanAction.create(type.vo(), type.space, type.created,
          createReason(type, space)));
    } else if (type.hold != null && !type.hold.isEmpty()) {
      actions.add(PlanAction.hold(type.vo(), type.space, type.hold));
    }
  }

  private String createReason(Type type, Space space) {
    if (type.probeOnly) {
      return "probe after backoff (last abort at " + Instant.ofEpochMilli(type.lastAbort)
          + ")";
    }
    int had = type.liveMachines.size();
    if (!type.type.policy().shareMode()) {
      return "fixed count " + type.type.vo().machines() + ", had " + had + " live";
    }
    double before = space.weightBefore <= 0 ? 0 : type.weightBefore / space.weightBefore;
    double target = type.type.policy().targetShare() / space.totalShare();
    return String.format(Locale.ROOT, "target share %.0f%%, had %.0f%% by %s (%d live)",
        100 * target, 100 * before, space.byHs06 ? "HS06" : "processors", had);
  }
}
