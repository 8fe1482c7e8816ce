package io.flotilla.control;

import io.flotilla.config.ControlConfig;
import io.flotilla.config.ControlConfig.Quota;
import io.flotilla.config.ControlConfig.SpaceLimits;
import io.flotilla.control.MachineSummary.EndCause;
import io.flotilla.state.MachineState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * Times planning passes over a large site and measures what the planner's machine
 * summaries cost in heap. Not a unit test: run it by hand (see the README-notes of the
 * controller) with a fixed heap, e.g. {@code -Xmx1g}.
 *
 * <p>Site: 200 spaces of 2,400 processors, five VOs with shares on every space, 100,000
 * tracked machines (80% live, the rest ended, some of those aborts), so every pass has
 * backoffs, probes and a little free room to share out.
 */
public final class PlanBenchmark {
  private static final int SPACES = 200;
  private static final int MACHINES = 100_000;
  private static final String[] VOS = {"atlas", "cms", "lhcb", "alice", "dune"};
  private static final double[] SHARES = {35, 30, 15, 15, 5};

  private PlanBenchmark() {}

  public static void main(String[] args) {
    int passes = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    Instant now = Instant.parse("2030-01-01T12:00:00Z");
    PlanFixture site = site();
    long before = usedHeap();
    List<MachineSummary> machines = machines(site, now);
    long after = usedHeap();
    site.machines.addAll(machines);
    PlanInput input = site.input(now);
    for (int i = 0; i < 5; i++) {
      Planner.plan(input);
    }
    long total = 0;
    long worst = 0;
    int actions = 0;
    for (int i = 0; i < passes; i++) {
      long start = System.nanoTime();
      actions = Planner.plan(input).size();
      long took = System.nanoTime() - start;
      total += took;
      worst = Math.max(worst, took);
    }
    System.out.printf(Locale.ROOT, "machines=%d spaces=%d vos=%d passes=%d actions=%d%n",
        machines.size(), SPACES, VOS.length, passes, actions);
    System.out.printf(Locale.ROOT, "pass_ms_mean=%.1f pass_ms_max=%.1f%n",
        total / 1e6 / passes, worst / 1e6);
    System.out.printf(Locale.ROOT, "heap_bytes_per_machine=%.0f%n",
        (after - before) / (double) machines.size());
  }

  private static PlanFixture site() {
    PlanFixture site = new PlanFixture();
    String[] spaces = new String[SPACES];
    for (int s = 0; s < SPACES; s++) {
      spaces[s] = "space-" + s + ".example.org";
      site.space(spaces[s], new SpaceLimits(new Quota(ControlConfig.UNLIMITED, 2400,
          ControlConfig.UNLIMITED, Double.POSITIVE_INFINITY), 0, 1024, Map.of()));
    }
    for (int v = 0; v < VOS.length; v++) {
      site.vo(VOS[v], SHARES[v], 1 + v % 4, 10 + v, spaces);
    }
    return site;
  }

  private static List<MachineSummary> machines(PlanFixture site, Instant now) {
    Random dice = new Random(1);
    List<MachineSummary> machines = new ArrayList<>(MACHINES);
    for (int i = 0; i < MACHINES; i++) {
      String vo = VOS[dice.nextInt(VOS.length)];
      String space = "space-" + dice.nextInt(SPACES) + ".example.org";
      int cores = site.vos.get(vo).cores();
      long started = now.minus(Duration.ofMinutes(dice.nextInt(48 * 60))).toEpochMilli();
      boolean live = dice.nextInt(10) < 8;
      long ended = live ? -1 : started + 60_000L * dice.nextInt(600);
      int code = live ? -1 : dice.nextInt(10) == 0 ? 300 : 200;
      machines.add(new MachineSummary(UUID.randomUUID().toString(), site.vos.get(vo).name(),
          site.views.get(space).name(), site.vos.get(vo).image(),
          live ? MachineState.RUNNING : MachineState.GONE, cores, 2048 * cores,
          cores * 10.0, started, started, ended, -1, code,
          live ? EndCause.NONE : EndCause.GUEST, live));
    }
    return machines;
  }

  private static long usedHeap() {
    Runtime runtime = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return runtime.totalMemory() - runtime.freeMemory();
  }
}
