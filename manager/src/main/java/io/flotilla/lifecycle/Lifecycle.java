package io.flotilla.lifecycle;

import io.flotilla.config.SiteConfig.LifecycleConfig;
import io.flotilla.provider.CloudException;
import io.flotilla.provider.CloudMachine;
import io.flotilla.provider.CloudState;
import io.flotilla.provider.MachineSpec;
import io.flotilla.state.MachineRecord;
import io.flotilla.state.MachineState;
import io.flotilla.state.MachineStore;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves machines through their life: creates them, watches lifetime, heartbeats and the
 * guest's own shutdown, and deletes them until the cloud confirms they are gone.
 *
 * <p>Design: the record is written before any cloud call, so a manager that dies mid-call
 * leaves a record that the next pass reconciles against the cloud's listing (found by our
 * tags), never an orphan. Every change goes through {@link MachineStore#update}, a
 * compare-and-set, so the guest API may record heartbeats at the same time. Cloud calls run
 * on the cloud's worker pool; a machine with a call in flight is skipped by {@link #advance}
 * until the call returns. {@code advance} itself is called by one thread at a time.
 */
public final class Lifecycle {
  private static final Logger log = LoggerFactory.getLogger(Lifecycle.class);

  private final MachineStore store;
  private final Map<String, CloudPool> clouds;
  private final TransitionLog transitions;
  private final Clock clock;
  private final LifecycleConfig config;
  private final Consumer<MachineRecord> onEnd;
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
  private volatile Instant drainDeadline;

  /**
   * @param onEnd called once per machine after it reached GONE (accounting, backoff); it
   *     must be idempotent-safe only in the sense that it is not retried after it succeeds
   */
  public Lifecycle(MachineStore store, Map<String, CloudPool> clouds, TransitionLog transitions,
      Clock clock, LifecycleConfig config, Consumer<MachineRecord> onEnd) {
    this.store = store;
    this.clouds = Map.copyOf(clouds);
    this.transitions = transitions;
    this.clock = clock;
    this.config = config;
    this.onEnd = onEnd;
  }

  /**
   * Records {@code planned} (state REQUESTED), then asks its cloud to start it.
   *
   * @return the BOOTING record once the cloud accepted the machine; if the cloud refused,
   *     the record is FAILED and the Future fails with the cloud's error
   */
  public Future<MachineRecord> create(MachineRecord planned, MachineSpec spec) {
    inFlight.add(planned.id());
    store.insert(planned);
    transitions.changed(null, planned, "planned");
    move(planned.id(), MachineState.CREATING, "asking cloud " + planned.cloud());
    CloudPool pool = clouds.get(planned.cloud());
    return pool.call(() -> pool.provider().create(spec))
        .map(created -> booted(planned.id(), created))
        .recover(error -> {
          createFailed(planned.id(), error);
          return Future.failedFuture(error);
        })
        .andThen(done -> inFlight.remove(planned.id()));
  }

  private MachineRecord booted(String id, CloudMachine created) {
    Instant now = clock.instant();
    store.update(id, m -> m.withCloudId(created.cloudId(), now));
    return move(id, MachineState.BOOTING, "cloud accepted it as " + created.cloudId());
  }

  private void createFailed(String id, Throwable error) {
    move(id, MachineState.FAILED, "create failed: " + describe(error));
  }

  /** From now on, every live machine's shutdowntime is at most {@code deadline}. */
  public void drainBy(Instant deadline) {
    drainDeadline = deadline;
  }

  public boolean draining() {
    return drainDeadline != null;
  }

  /** Whether a cloud call for this machine is still running. */
  public boolean busy(String machineId) {
    return inFlight.contains(machineId);
  }

  /** Takes the next step for one machine, given what its cloud reported this pass. */
  public void advance(MachineRecord machine, CloudListing listing) {
    if (busy(machine.id())) {
      return;
    }
    Optional<CloudMachine> seen = listing.find(machine.id());
    switch (machine.state()) {
      case REQUESTED, CREATING -> recoverInterrupted(machine, listing, seen);
      case BOOTING, RUNNING, DRAINING -> watch(machine, listing, seen);
      case TERMINATING, FAILED, LOST -> cleanUp(machine, listing, seen);
      case GONE -> finish(machine);
      default -> throw new IllegalStateException("unhandled state " + machine.state());
    }
  }

  /** A create that no call of ours is running: a manager died between record and answer. */
  private void recoverInterrupted(
      MachineRecord machine, CloudListing listing, Optional<CloudMachine> seen) {
    if (!listing.available()) {
      return;
    }
    if (seen.isPresent()) {
      booted(machine.id(), seen.get());
    } else {
      move(machine.id(), MachineState.FAILED, "create was interrupted; cloud has no such machine");
    }
  }

  private void watch(MachineRecord machine, CloudListing listing, Optional<CloudMachine> seen) {
    Instant now = clock.instant();
    if (listing.available() && checkCloudView(machine, listing, seen)) {
      return;
    }
    if (machine.hasShutdownCode()) {
      move(machine.id(), MachineState.TERMINATING, "guest shut down: "
          + machine.shutdownCode() + " " + machine.shutdownMessage());
    } else if (machine.state() == MachineState.BOOTING) {
      watchBooting(machine, now);
    } else if (heartbeatLate(machine, now)) {
      endWithCode(machine.id(), MachineState.LOST, ShutdownCodes.HEARTBEAT_NOT_UPDATED);
    } else {
      watchLifetime(machine, now);
    }
  }

  /** Acts on what the cloud says about a live machine; true if that settled this pass. */
  private boolean checkCloudView(
      MachineRecord machine, CloudListing listing, Optional<CloudMachine> seen) {
    if (seen.isEmpty() || seen.get().state() == CloudState.GONE) {
      if (settledBefore(machine, listing)) {
        move(machine.id(), MachineState.LOST, "cloud no longer lists the machine");
        return true;
      }
      return false;
    }
    CloudMachine view = seen.get();
    if (view.state() == CloudState.ERROR) {
      move(machine.id(), MachineState.FAILED, "cloud reports error (" + view.rawState() + ")");
      return true;
    }
    if (view.state() == CloudState.STOPPED) {
      String why = machine.hasShutdownCode()
          ? machine.shutdownCode() + " " + machine.shutdownMessage() : "no shutdown message";
      move(machine.id(), MachineState.TERMINATING, "guest powered off: " + why);
      return true;
    }
    return false;
  }

  /**
   * Whether the listing is recent enough to trust its silence about this machine: clouds
   * (EC2 above all) may not list a machine for a while after accepting it.
   */
  private boolean settledBefore(MachineRecord machine, CloudListing listing) {
    Duration settle = config.cycle().multipliedBy(2);
    return startedAt(machine).plus(settle).isBefore(listing.takenAt());
  }

  private void watchBooting(MachineRecord machine, Instant now) {
    if (machine.credentialIssuedAt() != null || machine.lastHeartbeat() != null) {
      move(machine.id(), MachineState.RUNNING, "guest made contact");
      return;
    }
    if (startedAt(machine).plus(config.startTimeout()).isBefore(now)) {
      endWithCode(machine.id(), MachineState.FAILED, ShutdownCodes.FAILED_TO_START);
      return;
    }
    watchLifetime(machine, now);
  }

  /**
   * A guest is late once twice its heartbeat interval passed without one: one missed beat
   * is tolerated, because the beat and the check are not in step.
   */
  private boolean heartbeatLate(MachineRecord machine, Instant now) {
    Instant last = latest(machine.lastHeartbeat(), machine.credentialIssuedAt());
    last = latest(last, startedAt(machine));
    Duration allowed = Duration.ofSeconds(2 * machine.spec().heartbeatSecs());
    return last.plus(allowed).isBefore(now);
  }

  private void watchLifetime(MachineRecord machine, Instant now) {
    Instant end = startedAt(machine).plusSeconds(machine.spec().lifetimeSecs());
    Instant announceAt = end.minusSeconds(machine.spec().graceSecs());
    Instant deadline = drainDeadline;
    if (machine.shutdownTime() == null && !now.isBefore(announceAt)) {
      announce(machine, end, "lifetime ends");
    } else if (deadline != null && (machine.shutdownTime() == null
        || machine.shutdownTime().isAfter(deadline))) {
      announce(machine, deadline.isBefore(end) ? deadline : end, "site drain");
    } else if (machine.shutdownTime() != null && !now.isBefore(machine.shutdownTime())) {
      endWithCode(machine.id(), MachineState.TERMINATING, ShutdownCodes.PASSED_SHUTDOWNTIME);
    }
  }

  private void announce(MachineRecord machine, Instant shutdownTime, String why) {
    store.update(machine.id(), m -> m.withShutdownTime(shutdownTime));
    String reason = why + ": shutdowntime=" + shutdownTime.getEpochSecond();
    if (machine.state() == MachineState.DRAINING) {
      log.info("shutdowntime moved machine={} shutdowntime={} reason={}", machine.id(),
          shutdownTime.getEpochSecond(), why);
    } else {
      move(machine.id(), MachineState.DRAINING, reason);
    }
  }

  /** Ends a machine with the manager's own 700 message unless the guest already wrote one. */
  private void endWithCode(String id, MachineState next, String message) {
    store.update(id, m -> m.hasShutdownCode() ? m
        : m.withShutdown(ShutdownCodes.MANAGER_CODE, message));
    move(id, next, ShutdownCodes.MANAGER_CODE + " " + message);
  }

  private void cleanUp(MachineRecord machine, CloudListing listing, Optional<CloudMachine> seen) {
    Instant now = clock.instant();
    if (machine.nextDeleteAt() != null && now.isBefore(machine.nextDeleteAt())) {
      return;
    }
    String cloudId = machine.cloudId() != null ? machine.cloudId()
        : seen.map(CloudMachine::cloudId).orElse(null);
    if (cloudId == null && listing.available()) {
      move(machine.id(), MachineState.GONE, "nothing of it in the cloud");
    } else if (cloudId != null && listing.available() && machine.deleteAttempts() > 0
        && seen.isEmpty()) {
      move(machine.id(), MachineState.GONE, "cloud no longer lists it");
    } else if (cloudId != null) {
      destroy(machine, cloudId, now);
    }
  }

  private void destroy(MachineRecord machine, String cloudId, Instant now) {
    Instant retryAt = now.plus(config.deleteRetry());
    MachineRecord attempt = store.update(machine.id(), m -> m.withDeleteAttempt(retryAt));
    CloudPool pool = clouds.get(machine.cloud());
    inFlight.add(machine.id());
    pool.call(() -> {
      pool.provider().destroy(cloudId);
      return pool.provider().describe(cloudId);
    }).onSuccess(view -> {
      if (view.isEmpty() || view.get().state() == CloudState.GONE) {
        move(machine.id(), MachineState.GONE, "cloud confirmed deletion of " + cloudId);
      }
    }).onFailure(error -> log.warn("delete failed, will retry machine={} cloud={} attempt={}"
        + " retry_in={}s error={}", machine.id(), machine.cloud(), attempt.deleteAttempts(),
        config.deleteRetry().toSeconds(), describe(error)))
        .onComplete(done -> inFlight.remove(machine.id()));
  }

  private void finish(MachineRecord machine) {
    if (machine.accounted()) {
      return;
    }
    onEnd.accept(machine);
    store.update(machine.id(), MachineRecord::withAccounted);
  }

  /**
   * Moves a machine to {@code next} if the state machine allows it from its current state;
   * otherwise leaves it, since another writer got there first.
   */
  MachineRecord move(String id, MachineState next, String reason) {
    Instant now = clock.instant();
    MachineState[] from = new MachineState[1];
    MachineRecord after;
    try {
      after = store.update(id, m -> {
        from[0] = m.state();
        return m.state().canMoveTo(next) ? m.moveTo(next, now, reason) : m;
      });
    } catch (NoSuchElementException e) {
      log.warn("state change for a machine with no record machine={} to={}", id, next);
      throw e;
    }
    if (after.state() == next && from[0] != next) {
      transitions.changed(from[0], after, reason);
    }
    return after;
  }

  private static Instant startedAt(MachineRecord machine) {
    return machine.startedAt() != null ? machine.startedAt() : machine.requestedAt();
  }

  private static Instant latest(Instant a, Instant b) {
    if (a == null) {
      return b;
    }
    return b == null || a.isAfter(b) ? a : b;
  }

  static String describe(Throwable error) {
    if (error instanceof CloudException cloud) {
      return cloud.kind() + ": " + cloud.getMessage();
    }
    return error.getClass().getSimpleName() + ": " + error.getMessage();
  }
}
