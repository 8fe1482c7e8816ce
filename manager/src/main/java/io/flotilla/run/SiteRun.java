package io.flotilla.run;

import io.flotilla.config.ConfigException;
import io.flotilla.config.SiteConfig;
import io.flotilla.config.VoConfig;
import io.flotilla.emulator.EmulatorCounters;
import io.flotilla.emulator.GuestEmulator;
import io.flotilla.lifecycle.CloudPool;
import io.flotilla.provider.CloudException;
import io.flotilla.provider.CloudState;
import io.flotilla.provider.Tags;
import io.flotilla.state.MachineRecord;
import io.flotilla.state.MachineState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code flotilla run} job: start a manager, let it run machines for a while (or until
 * interrupted), drain everything, and report what happened.
 */
public final class SiteRun {
  private static final Logger log = LoggerFactory.getLogger("flotilla.run");
  /** Time allowed beyond the longest grace period for the last deletes to be confirmed. */
  private static final Duration DRAIN_MARGIN = Duration.ofSeconds(30);

  private final SiteConfig config;
  private final Clock clock;
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private Manager manager;
  private List<MachineRecord> finalRecords = List.of();
  private EmulatorCounters emulatorCounters = new EmulatorCounters();

  public SiteRun(SiteConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
  }

  /** Asks a running job to drain and stop, e.g. from a signal handler. */
  public void requestStop() {
    stopRequested.countDown();
  }

  /**
   * Runs for {@code runFor} (or until {@link #requestStop}), then drains.
   *
   * @param runFor how long to create and run machines; null means until stopped
   * @return the summary of the run
   */
  public RunSummary run(Duration runFor) throws Exception {
    try {
      manager = Manager.start(config, clock);
    } catch (ConfigException e) {
      throw e;
    } catch (Exception e) {
      throw new ManagerStartException(startFailure(e), e);
    }
    RunTally tally = new RunTally();
    manager.transitions().listen(tally);
    long progress = manager.vertx().setPeriodic(5000, id -> log.info("progress {}", counts()));
    try {
      awaitStop(runFor);
      drain();
    } finally {
      manager.vertx().cancelTimer(progress);
    }
    finalRecords = manager.machines().all();
    int apelRecords = manager.apel() == null ? 0
        : manager.apel().outbox().writtenSinceStart();
    int unfinished = (int) finalRecords.stream()
        .filter(m -> m.state() != MachineState.GONE || !m.accounted()).count();
    RunSummary summary = tally.summary(leftInClouds(), unfinished, apelRecords);
    if (summary.created() == 0) {
      log.warn("no machine was created during the run: see the reasons logged above"
          + " (image lists refused, VOs holding, clouds refusing)");
    }
    emulatorCounters = EmulatorCounters.sum(manager.emulators().stream()
        .map(GuestEmulator::counters).toList());
    manager.stop();
    return summary;
  }

  /** The machine records as they were when the run ended, for reports and tests. */
  public List<MachineRecord> finalRecords() {
    return finalRecords;
  }

  /** What the emulated guests of all sandbox clouds did during the run. */
  public EmulatorCounters emulatorCounters() {
    return emulatorCounters;
  }

  private static String startFailure(Exception e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private void awaitStop(Duration runFor) throws InterruptedException {
    if (runFor == null) {
      stopRequested.await();
    } else if (stopRequested.await(runFor.toMillis(), TimeUnit.MILLISECONDS)) {
      log.info("stop requested before the end of the run; draining");
    }
  }

  /** Announces the end to every machine, then waits until all are gone or time is up. */
  private void drain() throws InterruptedException {
    Duration grace = config.vos().stream().map(VoConfig::grace).max(Duration::compareTo)
        .orElse(Duration.ZERO);
    Instant deadline = clock.instant().plus(grace);
    log.info("draining: no new machines; every machine must stop by {}", deadline);
    manager.lifecycle().drainBy(deadline);
    Instant giveUp = deadline.plus(DRAIN_MARGIN).plus(config.lifecycle().deleteRetry());
    while (clock.instant().isBefore(giveUp) && !allFinished()) {
      Thread.sleep(250);
    }
    if (!allFinished()) {
      log.error("drain did not finish by {}: {}", giveUp, counts());
    }
  }

  private boolean allFinished() {
    return manager.machines().all().stream()
        .allMatch(m -> m.state() == MachineState.GONE && m.accounted());
  }

  private int leftInClouds() {
    int left = 0;
    for (CloudPool pool : manager.clouds().values()) {
      try {
        left += (int) pool.provider().listTagged(Map.of(Tags.SITE, config.site())).stream()
            .filter(m -> m.state() != CloudState.GONE).count();
      } catch (CloudException e) {
        log.error("cannot list cloud {} to check for leftovers: {}", pool.name(), e.getMessage());
        left += 1;
      }
    }
    return left;
  }

  /** Machines per VO and state, e.g. {@code atlas[RUNNING=3 DRAINING=1]}. */
  String counts() {
    Map<String, Map<MachineState, Integer>> byVo = new TreeMap<>();
    for (MachineRecord machine : manager.machines().all()) {
      byVo.computeIfAbsent(machine.vo(), vo -> new EnumMap<>(MachineState.class))
          .merge(machine.state(), 1, Integer::sum);
    }
    StringBuilder text = new StringBuilder();
    byVo.forEach((vo, states) -> {
      text.append(text.length() == 0 ? "" : " ").append(vo).append('[');
      List<String> parts = states.entrySet().stream()
          .map(e -> e.getKey() + "=" + e.getValue()).toList();
      text.append(String.join(" ", parts)).append(']');
    });
    return text.length() == 0 ? "no machines yet" : text.toString();
  }
}
