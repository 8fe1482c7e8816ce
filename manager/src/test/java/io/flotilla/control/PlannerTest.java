package io.flotilla.control;

import static io.flotilla.control.PlanFixture.T0;
import static io.flotilla.control.PlanFixture.created;
import static io.flotilla.control.PlanFixture.holdReason;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.flotilla.config.ControlConfig;
import io.flotilla.config.ControlConfig.Flavour;
import io.flotilla.config.ControlConfig.Quota;
import io.flotilla.config.ControlConfig.SpaceLimits;
import io.flotilla.config.ControlConfig.VoPolicy;
import io.flotilla.control.MachineSummary.EndCause;
import io.flotilla.state.MachineState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlannerTest {

  @Test
  void plan_overSimulatedHours_keepsThreeSharesWithinFivePercentOfTarget() {
    PlanFixture site = new PlanFixture()
        .vo("alice", 50, 2, 10, "cloud")
        .vo("bob", 30, 4, 15, "cloud")
        .vo("carol", 20, 1, 12, "cloud")
        .space("cloud", 400);
    Random dice = new Random(11);
    Map<String, Instant> endsAt = new HashMap<>();
    Map<String, Double> weight = new HashMap<>(Map.of("alice", 0.0, "bob", 0.0, "carol", 0.0));
    Instant now = T0;
    for (int minute = 0; minute < 8 * 60; minute++) {
      now = T0.plus(Duration.ofMinutes(minute));
      endFinished(site, endsAt, now);
      for (PlanAction action : site.plan(now)) {
        for (int i = 0; action.kind() == PlanAction.Kind.CREATE && i < action.count(); i++) {
          MachineSummary machine = site.running(action.vo(), action.space(), now);
          endsAt.put(machine.id(), now.plus(Duration.ofMinutes(30 + dice.nextInt(150))));
        }
      }
      if (minute >= 120) {
        site.machines.stream().filter(MachineSummary::live)
            .forEach(m -> weight.merge(m.vo(), m.hs06(), Double::sum));
      }
    }
    double total = weight.values().stream().mapToDouble(Double::doubleValue).sum();
    assertThat(weight.get("alice") / total).isCloseTo(0.50, within(0.05));
    assertThat(weight.get("bob") / total).isCloseTo(0.30, within(0.05));
    assertThat(weight.get("carol") / total).isCloseTo(0.20, within(0.05));
    long usedProcessors = site.machines.stream().filter(MachineSummary::live)
        .mapToLong(MachineSummary::cores).sum();
    assertThat(usedProcessors).isLessThanOrEqualTo(400).isGreaterThan(380);
  }

  /** Replaces machines whose time is up by GONE copies that ended with 200. */
  private static void endFinished(PlanFixture site, Map<String, Instant> endsAt, Instant now) {
    List<MachineSummary> next = new ArrayList<>();
    for (MachineSummary m : site.machines) {
      Instant end = endsAt.get(m.id());
      if (m.live() && end != null && !end.isAfter(now)) {
        next.add(new MachineSummary(m.id(), m.vo(), m.space(), m.imageId(), MachineState.GONE,
            m.cores(), m.ramMb(), m.hs06(), m.requestedAt(), m.startedAt(),
            end.toEpochMilli(), -1, 200, EndCause.GUEST, false));
      } else {
        next.add(m);
      }
    }
    site.machines.clear();
    site.machines.addAll(next);
  }

  @Test
  void plan_whenSharesTie_doesNotFavourSiteFileOrder() {
    Set<String> firsts = new HashSet<>();
    for (int minute = 0; minute < 40; minute++) {
      Instant now = T0.plus(Duration.ofMinutes(minute));
      List<PlanAction> forward = oneSlot("a", "b").plan(now);
      List<PlanAction> backward = oneSlot("b", "a").plan(now);
      String winner = created(forward, "a") == 1 ? "a" : "b";
      assertThat(created(backward, winner)).as("same winner whatever the order").isEqualTo(1);
      firsts.add(winner);
    }
    assertThat(firsts).containsExactlyInAnyOrder("a", "b");
  }

  private static PlanFixture oneSlot(String first, String second) {
    return new PlanFixture().vo(first, 1, "cloud").vo(second, 1, "cloud").space("cloud", 1);
  }

  @Test
  void plan_afterAbort_backsOffThenProbesOneAtATimeUntilOneSurvivesFizzle() {
    PlanFixture site = new PlanFixture().vo("lhcb", 1, "cloud").space("cloud", 100);
    Instant abortAt = T0.plus(Duration.ofMinutes(1));
    site.ended("lhcb", "cloud", T0, abortAt, 300, EndCause.GUEST);

    Instant beforeBackoffEnds = abortAt.plus(Duration.ofMinutes(10)).minusSeconds(1);
    assertThat(created(site.plan(beforeBackoffEnds), "lhcb")).isZero();
    assertThat(holdReason(site.plan(beforeBackoffEnds), "lhcb")).startsWith("backing off until"
        + " 2030-01-01T00:11:00Z");

    Instant backoffOver = abortAt.plus(Duration.ofMinutes(10));
    List<PlanAction> probe = site.plan(backoffOver);
    assertThat(created(probe, "lhcb")).isEqualTo(1);
    assertThat(probe.get(0).reason()).startsWith("probe after backoff");
    site.running("lhcb", "cloud", backoffOver);

    Instant withinFizzle = backoffOver.plus(Duration.ofMinutes(4));
    assertThat(created(site.plan(withinFizzle), "lhcb")).isZero();
    assertThat(holdReason(site.plan(withinFizzle), "lhcb")).startsWith("probe machine still"
        + " within fizzle");

    Instant pastFizzle = backoffOver.plus(Duration.ofMinutes(5));
    assertThat(created(site.plan(pastFizzle), "lhcb")).isEqualTo(10);
  }

  @Test
  void plan_whenProbeAbortsAgain_backsOffAgain() {
    PlanFixture site = new PlanFixture().vo("lhcb", 1, "cloud").space("cloud", 100);
    site.ended("lhcb", "cloud", T0, T0.plusSeconds(60), 300, EndCause.GUEST);
    Instant probeAt = T0.plus(Duration.ofMinutes(11));
    Instant probeEnd = probeAt.plusSeconds(30);
    site.ended("lhcb", "cloud", probeAt, probeEnd, 300, EndCause.GUEST);

    assertThat(holdReason(site.plan(probeEnd.plusSeconds(1)), "lhcb"))
        .startsWith("backing off until 2030-01-01T00:21:30Z");
  }

  @Test
  void plan_machineEndingWithoutCode_isAnAbortOnlyBeforeFizzle() {
    PlanFixture early = new PlanFixture().vo("atlas", 1, "cloud").space("cloud", 100);
    early.ended("atlas", "cloud", T0, T0.plus(Duration.ofMinutes(4)), -1, EndCause.NONE);
    PlanFixture late = new PlanFixture().vo("atlas", 1, "cloud").space("cloud", 100);
    late.ended("atlas", "cloud", T0, T0.plus(Duration.ofMinutes(6)), -1, EndCause.NONE);
    Instant now = T0.plus(Duration.ofMinutes(7));

    assertThat(holdReason(early.plan(now), "atlas")).startsWith("backing off");
    assertThat(created(late.plan(now), "atlas")).isEqualTo(10);
  }

  @Test
  void plan_code700_isAnAbortOnlyWhenTheSettingSaysSo() {
    Instant now = T0.plus(Duration.ofHours(1));
    for (boolean with700 : new boolean[] {false, true}) {
      PlanFixture site = new PlanFixture().vo("atlas", 1, "cloud").space("cloud", 100)
          .policy("atlas", PlanFixture.policy(1, with700));
      site.ended("atlas", "cloud", T0, now.minusSeconds(60), 700, EndCause.GUEST);
      List<PlanAction> plan = site.plan(now);
      if (with700) {
        assertThat(holdReason(plan, "atlas")).as("Vac rule").startsWith("backing off");
      } else {
        assertThat(created(plan, "atlas")).as("Vcycle rule").isEqualTo(10);
      }
    }
  }

  @Test
  void plan_cloudErrorIsAnAbort_butARefusedCreateIsNot() {
    Instant now = T0.plus(Duration.ofHours(1));
    PlanFixture error = new PlanFixture().vo("atlas", 1, "cloud").space("cloud", 100);
    error.ended("atlas", "cloud", T0, now.minusSeconds(60), 700, EndCause.CLOUD_ERROR);
    PlanFixture refused = new PlanFixture().vo("atlas", 1, "cloud").space("cloud", 100);
    refused.ended("atlas", "cloud", now.minusSeconds(61), now.minusSeconds(60), 700,
        EndCause.NEVER_STARTED);

    assertThat(holdReason(error.plan(now), "atlas")).startsWith("backing off");
    assertThat(created(refused.plan(now), "atlas")).isEqualTo(10);
  }

  @Test
  void plan_rememberedAbort_fromTheSharedMapCountsLikeASeenOne() {
    PlanFixture site = new PlanFixture().vo("atlas", 1, "cloud").space("cloud", 100);
    site.backoff = new Backoff.View(Map.of("atlas|cloud", T0.toEpochMilli()), Map.of());

    assertThat(holdReason(site.plan(T0.plusSeconds(5)), "atlas")).startsWith("backing off");
  }

  @Test
  void plan_countsForeignMachinesAgainstTheSpaceLimit() {
    SpaceLimits limits = new SpaceLimits(new Quota(10, 40, ControlConfig.UNLIMITED,
        Double.POSITIVE_INFINITY), 0, 1, Map.of());
    PlanFixture site = new PlanFixture().vo("atlas", 1, "cloud").space("cloud", limits)
        .view(new SpaceView("cloud", true, Quota.NONE, new Usage(3, 0, 0, 0)));
    for (int i = 0; i < 5; i++) {
      site.running("atlas", "cloud", T0);
    }
    List<PlanAction> plan = site.plan(T0.plusSeconds(60));

    assertThat(created(plan, "atlas")).isEqualTo(2);
  }

  @Test
  void plan_withCloudQuotaLowerThanTheSiteFile_usesTheCloudQuota() {
    PlanFixture site = new PlanFixture().vo("atlas", 1, "cloud").space("cloud", 100)
        .view(new SpaceView("cloud", true, new Quota(3, ControlConfig.UNLIMITED,
            ControlConfig.UNLIMITED, Double.POSITIVE_INFINITY), Usage.NONE));

    assertThat(created(site.plan(T0), "atlas")).isEqualTo(3);
  }

  @Test
  void plan_roundsRamAsTheCloudCharges_andPredictsTheQuotaRefusal() {
    SpaceLimits limits = new SpaceLimits(new Quota(ControlConfig.UNLIMITED, 100, 10_000,
        Double.POSITIVE_INFINITY), 0, 4096, Map.of());
    PlanFixture site = new PlanFixture().vo("atlas", 1, "cloud").space("cloud", limits);

    List<PlanAction> plan = site.plan(T0);

    assertThat(created(plan, "atlas")).as("2048 MiB charged as 4096: two fit 10000")
        .isEqualTo(2);
    assertThat(site.plan(T0)).noneMatch(a -> a.kind() == PlanAction.Kind.HOLD);
    site.running("atlas", "cloud", T0);
    site.running("atlas", "cloud", T0);
    assertThat(holdReason(site.plan(T0), "atlas")).isEqualTo("space limit ram_mb: needs 4096"
        + " (as the cloud charges it), 1808 left of 10000 (machines of other projects use 0"
        + " instances, 0 processors, 0 MiB)");
  }

  @Test
  void plan_chargesAFlavourAsTheSiteFileDeclaresIt() {
    SpaceLimits limits = new SpaceLimits(new Quota(ControlConfig.UNLIMITED, 100, 16_384,
        Double.POSITIVE_INFINITY), 0, 1, Map.of("small", new Flavour(2, 8192)));
    PlanFixture site = new PlanFixture().vo("atlas", 1, "cloud").space("cloud", limits);

    assertThat(created(site.plan(T0), "atlas")).isEqualTo(2);
  }

  @Test
  void plan_inShareModeWithoutAProcessorLimit_createsNothing() {
    PlanFixture site = new PlanFixture().vo("atlas", 1, "cloud")
        .space("cloud", SpaceLimits.NONE);

    List<PlanAction> plan = site.plan(T0);

    assertThat(created(plan, "atlas")).isZero();
    assertThat(holdReason(plan, "atlas")).startsWith("share mode needs a processor limit");
  }

  @Test
  void plan_fixedCountVo_isToppedUpToItsNumber() {
    PlanFixture site = new PlanFixture().fixedVo("dteam", 3, "cloud")
        .space("cloud", SpaceLimits.NONE);
    site.running("dteam", "cloud", T0);

    List<PlanAction> plan = site.plan(T0.plusSeconds(5));

    assertThat(created(plan, "dteam")).isEqualTo(2);
    assertThat(plan.get(0).reason()).isEqualTo("fixed count 3, had 1 live");
  }

  @Test
  void plan_demand_limitsCreation_andFewerDrainsTheYoungest() {
    PlanFixture site = new PlanFixture().vo("atlas", 1, "cloud").space("cloud", 100);
    site.demand = vo -> OptionalInt.of(2);
    assertThat(created(site.plan(T0), "atlas")).isEqualTo(2);

    site.running("atlas", "cloud", T0);
    site.running("atlas", "cloud", T0.plusSeconds(10));
    MachineSummary youngest = site.running("atlas", "cloud", T0.plusSeconds(20));
    List<PlanAction> plan = site.plan(T0.plusSeconds(30));

    assertThat(plan).filteredOn(a -> a.kind() == PlanAction.Kind.DRAIN).singleElement()
        .satisfies(a -> assertThat(a.machineIds()).containsExactly(youngest.id()));
    assertThat(created(plan, "atlas")).isZero();
  }

  @Test
  void plan_demandNeverOverridesTheSpaceLimit() {
    SpaceLimits limits = new SpaceLimits(new Quota(ControlConfig.UNLIMITED, 3,
        ControlConfig.UNLIMITED, Double.POSITIVE_INFINITY), 100, 1, Map.of());
    PlanFixture site = new PlanFixture().vo("atlas", 1, "cloud").space("cloud", limits);
    site.demand = vo -> OptionalInt.of(50);

    assertThat(created(site.plan(T0), "atlas")).isEqualTo(3);
  }

  @Test
  void plan_capsProcessorsStartingAtOnce_andCreationsPerPass() {
    PlanFixture site = new PlanFixture().vo("atlas", 1, "cloud").space("cloud", 1000)
        .policy("atlas", new VoPolicy(1, Duration.ofMinutes(5), 7, ControlConfig.UNLIMITED,
            false, Quota.NONE, Quota.NONE, -1, null, null));
    assertThat(created(site.plan(T0), "atlas")).isEqualTo(7);

    PlanFixture capped = new PlanFixture().vo("atlas", 1, "cloud").space("cloud", 1000);
    assertThat(created(capped.plan(T0), "atlas")).as("10% of 1000").isEqualTo(100);
  }

  @Test
  void plan_voQuotaOverTheSite_spansSpaces() {
    PlanFixture site = new PlanFixture().vo("atlas", 1, "one", "two").space("one", 100)
        .space("two", 100).policy("atlas", new VoPolicy(1, Duration.ofMinutes(5),
            ControlConfig.UNLIMITED, ControlConfig.UNLIMITED, false,
            new Quota(15, ControlConfig.UNLIMITED, ControlConfig.UNLIMITED,
                Double.POSITIVE_INFINITY), Quota.NONE, -1, null, null));

    List<PlanAction> plan = site.plan(T0);

    assertThat(created(plan, "atlas")).isEqualTo(15);
    site.space("three", 100);
    site.vos.put("atlas", PlanFixture.voConfig("atlas", 1, 1, 0, "one", "two", "three"));
    assertThat(holdReason(site.plan(T0), "atlas")).isEqualTo("VO quota instances: 15 of 15"
        + " in use");
  }

  @Test
  void plan_whenTheFurthestBelowDoesNotFit_keepsTheRoomForIt() {
    PlanFixture site = new PlanFixture().vo("big", 1, 4, 0, "cloud").vo("small", 1, 1, 0,
        "cloud").space("cloud", 10);
    for (int i = 0; i < 7; i++) {
      site.running("small", "cloud", T0);
    }
    List<PlanAction> plan = site.plan(T0.plusSeconds(1));

    assertThat(created(plan, "small")).isZero();
    assertThat(holdReason(plan, "small")).startsWith("room kept for big");
  }

  @Test
  void plan_underAVoDrain_drainsItsMachinesAndCreatesNone() {
    PlanFixture site = new PlanFixture().vo("atlas", 1, "cloud").vo("cms", 1, "cloud")
        .space("cloud", 10);
    MachineSummary running = site.running("atlas", "cloud", T0);
    site.drains = new io.flotilla.lifecycle.DrainBook.View(
        Map.of("vo|atlas", T0.plusSeconds(600).toEpochMilli()),
        ControlConfig.ImagePolicy.KEEP);

    List<PlanAction> plan = site.plan(T0.plusSeconds(1));

    assertThat(plan).filteredOn(a -> a.kind() == PlanAction.Kind.DRAIN).singleElement()
        .satisfies(a -> assertThat(a.machineIds()).containsExactly(running.id()));
    assertThat(holdReason(plan, "atlas")).isEqualTo("VO drain in force");
    assertThat(created(plan, "cms")).isPositive();
  }
}
