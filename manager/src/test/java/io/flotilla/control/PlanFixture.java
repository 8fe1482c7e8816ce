package io.flotilla.control;

import io.flotilla.config.ControlConfig;
import io.flotilla.config.ControlConfig.AccountingConfig;
import io.flotilla.config.ControlConfig.ImagePolicy;
import io.flotilla.config.ControlConfig.Quota;
import io.flotilla.config.ControlConfig.SpaceLimits;
import io.flotilla.config.ControlConfig.VoPolicy;
import io.flotilla.config.VoConfig;
import io.flotilla.config.VoConfig.CodeRange;
import io.flotilla.control.MachineSummary.EndCause;
import io.flotilla.lifecycle.DrainBook;
import io.flotilla.state.MachineState;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Builds planner inputs by hand: machine types, spaces and machine summaries. */
final class PlanFixture {
  static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

  final Map<String, VoConfig> vos = new LinkedHashMap<>();
  final Map<String, VoPolicy> policies = new LinkedHashMap<>();
  final Map<String, SpaceLimits> limits = new LinkedHashMap<>();
  final Map<String, SpaceView> views = new LinkedHashMap<>();
  final List<MachineSummary> machines = new ArrayList<>();
  final Map<String, String> holds = new LinkedHashMap<>();
  Demand demand = Demand.NONE;
  Backoff.View backoff = Backoff.View.none();
  DrainBook.View drains = DrainBook.View.none();

  /** A VO with 1-core, 2 GiB machines on the given spaces, backoff 10 min, fizzle 5 min. */
  PlanFixture vo(String name, double share, String... spaces) {
    return vo(name, share, 1, 0, spaces);
  }

  PlanFixture vo(String name, double share, int cores, double hs06PerCore, String... spaces) {
    vos.put(name, voConfig(name, 1, cores, hs06PerCore, spaces));
    policies.put(name, policy(share, false));
    return this;
  }

  PlanFixture fixedVo(String name, int machines, String... spaces) {
    vos.put(name, voConfig(name, machines, 1, 0, spaces));
    policies.put(name, policy(0, false));
    return this;
  }

  static VoConfig voConfig(String name, int machines, int cores, double hs06, String... spaces) {
    return new VoConfig(name, "image-" + name, List.of(spaces), machines, "small", cores,
        2048 * cores, hs06, Duration.ofHours(48), Duration.ofMinutes(10),
        Duration.ofMinutes(5), Duration.ofMinutes(10), new CodeRange(300, 699),
        Path.of("robot.pem"), Path.of("robot.key"), "cloud-init/pilot.yaml");
  }

  static VoPolicy policy(double share, boolean with700) {
    return new VoPolicy(share, Duration.ofMinutes(5), ControlConfig.UNLIMITED,
        ControlConfig.UNLIMITED, with700, Quota.NONE, Quota.NONE, -1, null, null);
  }

  PlanFixture policy(String vo, VoPolicy policy) {
    policies.put(vo, policy);
    return this;
  }

  PlanFixture space(String name, long processors) {
    return space(name, new SpaceLimits(new Quota(ControlConfig.UNLIMITED, processors,
        ControlConfig.UNLIMITED, Double.POSITIVE_INFINITY), 0, 1, Map.of()));
  }

  PlanFixture space(String name, SpaceLimits spaceLimits) {
    limits.put(name, spaceLimits);
    views.put(name, SpaceView.plain(name));
    return this;
  }

  PlanFixture view(SpaceView view) {
    views.put(view.name(), view);
    return this;
  }

  /** A live, running machine of {@code vo} started at {@code started}. */
  MachineSummary running(String vo, String space, Instant started) {
    VoConfig config = vos.get(vo);
    MachineSummary machine = new MachineSummary(UUID.randomUUID().toString(), vo, space,
        config.image(), MachineState.RUNNING, config.cores(), config.ramMb(),
        config.hs06PerCore() * config.cores(), started.toEpochMilli(), started.toEpochMilli(),
        -1, -1, -1, EndCause.NONE, true);
    machines.add(machine);
    return machine;
  }

  /** An ended machine, started at {@code started}, gone at {@code ended}. */
  MachineSummary ended(String vo, String space, Instant started, Instant ended, int code,
      EndCause cause) {
    VoConfig config = vos.get(vo);
    MachineSummary machine = new MachineSummary(UUID.randomUUID().toString(), vo, space,
        config.image(), MachineState.GONE, config.cores(), config.ramMb(),
        config.hs06PerCore() * config.cores(), started.toEpochMilli(), started.toEpochMilli(),
        ended.toEpochMilli(), -1, code, cause, false);
    machines.add(machine);
    return machine;
  }

  ControlConfig control() {
    return new ControlConfig(policies, limits, null, ImagePolicy.KEEP,
        new AccountingConfig(null, null, false, null, "grid"));
  }

  List<MachineType> types() {
    List<MachineType> types = new ArrayList<>();
    vos.forEach((name, vo) -> types.add(MachineType.of(vo, policies.get(name))));
    return types;
  }

  PlanInput input(Instant now) {
    return new PlanInput(machines, types(), control(), new ArrayList<>(views.values()), demand,
        backoff, drains, holds, now);
  }

  List<PlanAction> plan(Instant now) {
    return Planner.plan(input(now));
  }

  static int created(List<PlanAction> plan, String vo) {
    return plan.stream().filter(a -> a.kind() == PlanAction.Kind.CREATE && a.vo().equals(vo))
        .mapToInt(PlanAction::count).sum();
  }

  static String holdReason(List<PlanAction> plan, String vo) {
    return plan.stream().filter(a -> a.kind() == PlanAction.Kind.HOLD && a.vo().equals(vo))
        .map(PlanAction::reason).findFirst().orElse(null);
  }
}
