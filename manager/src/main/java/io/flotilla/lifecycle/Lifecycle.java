package io.flotilla.lifecycle;

import io.flotilla.cloudcalls.CloudCall;
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
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
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

  /** Delete retries back off up to this multiple of the configured retry interval. */
  static final int MAX_DELETE_BACKOFF = 16;
  /**
   * The token hash of an adopted machine. No token hashes to it (a hash is 64 hex digits),
   * so its guest, whose token nobody knows any more, is refused by the guest API.
   */
  public static final String ADOPTED = "adopted";

  private final MachineStore store;
  private final Map<String, CloudPool> clouds;
  private final TransitionLog transitions;
  private final Clock clock;
  private final LifecycleConfig config;
  private final Consumer<List<MachineRecord>> onEnd;
  private final DrainBook drainBook;
  private final Function<String, EndRules> rulesByVo;
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
  private volatile DrainBook.View drains;

  /**
   * How one VO's machines are judged near their start and while they run.
   *
   * @param fizzle heartbeats are not checked before a machine is this old
   * @param heartbeatTolerance lateness allowed beyond the heartbeat interval, because the
   *     guest's beat and the manager's check are not in step
   */
  public record EndRules(Duration fizzle, Duration heartbeatTolerance) {}

  /**
   * @param onEnd called with the machines that reached GONE and are not yet accounted, once
   *     per pass from {@link #account}; they are marked accounted only after it returns
   * @param drainBook the planned drains, shared by the cluster
   * @param rulesByVo the fizzle time and heartbeat tolerance of each VO
   */
  public Lifecycle(MachineStore store, Map<String, CloudPool> clouds, TransitionLog transitions,
      Clock clock, LifecycleConfig config, Consumer<List<MachineRecord>> onEnd,
      DrainBook drainBook, Function<String, EndRules> rulesByVo) {
    this.store = store;
    this.clouds = Map.copyOf(clouds);
    this.transitions = transitions;
    this.clock = clock;
    this.config = config;
    this.onEnd = onEnd;
    this.drainBook = drainBook;
    this.rulesByVo = rulesByVo;
    this.drains = drainBook.view();
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
    return pool.call(CloudCall.CREATE, () -> pool.provider().create(spec))
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
    endWithCode(id, MachineState.FAILED, ShutdownCodes.CREATE_FAILED, describe(error));
  }

  /**
   * Gives a record to a machine found in the cloud with our tags and none: {@code record}
   * must carry the token hash {@link #ADOPTED}. The machine then runs to its lifetime from
   * now and is deleted; its heartbeats and contact are never checked, since its guest cannot
   * reach us.
   */
  public MachineRecord adopt(MachineRecord record, CloudMachine found) {
    if (!ADOPTED.equals(record.tokenHash())) {
      throw new IllegalArgumentException("machine " + record.id() + ": an adopted record must"
          + " carry the token hash '" + ADOPTED + "'");
    }
    store.insert(record);
    transitions.changed(null, record, "found in the cloud with our tags and no record");
    move(record.id(), MachineState.CREATING, "adopting " + found.cloudId());
    booted(record.id(), found);
    return move(record.id(), MachineState.RUNNING, "adopted: runs to its lifetime from now,"
        + " its guest unchecked");
  }

  /** Whether the machine was adopted rather than created by us. */
  public static boolean adopted(MachineRecord machine) {
    return ADOPTED.equals(machine.tokenHash());
  }

  /** From now on, every live machine's shutdowntime is at most {@code deadline}. */
  public void drainBy(Instant deadline) {
    drainBook.drainSite(deadline);
    refreshDrains();
  }

  /** Whether a site-wide drain is in force. */
  public boolean draining() {
    return drains.siteDraining();
  }

  /** Reads the shared drains again; called once at the start of each pass. */
  public DrainBook.View refreshDrains() {
    drains = drainBook.view();
    return drains;
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
      case GONE -> { }
      default -> throw new IllegalStateException("unhandled state " + machine.state());
    }
  }

  /** A create that no call of ours is running: a manager died between record and answer. */
  private void recoverInterrupted(
      MachineRecord machine, CloudListing listing, Optional<CloudMachine> seen) {
    if (!listing.available() || advancedSince(machine)) {
      return;
    }
    if (seen.isPresent()) {
      booted(machine.id(), seen.get());
    } else {
      endWithCode(machine.id(), MachineState.FAILED, ShutdownCodes.CREATE_FAILED,
          "create was interrupted; cloud has no such machine");
    }
  }

  /**
   * Whether the create call answered after the pass read {@code machine}: its snapshot then
   * says CREATING while the record already says BOOTING (or FAILED), and the listing, taken
   * earlier still, cannot show it.
   */
  private boolean advancedSince(MachineRecord machine) {
    return store.get(machine.id()).map(MachineRecord::state)
        .filter(state -> state == machine.state()).isEmpty();
  }

  private void watch(MachineRecord machine, CloudListing listing, Optional<CloudMachine> seen) {
    Instant now = clock.instant();
    if (listing.available() && checkCloudView(machine, listing, seen)) {
      return;
    }
    if (adopted(machine)) {
      watchLifetime(machine, now);
    } else if (machine.hasShutdownCode()) {
      move(machine.id(), MachineState.TERMINATING, "guest shut down: "
          + machine.shutdownCode() + " " + machine.shutdownMessage());
    } else if (machine.state() == MachineState.BOOTING) {
      watchBooting(machine, now);
    } else if (heartbeatLate(machine, now)) {
      endWithCode(machine.id(), MachineState.LOST, ShutdownCodes.HEARTBEAT_NOT_UPDATED,
          "no heartbeat since " + latest(machine.lastHeartbeat(), machine.credentialIssuedAt()));
    } else {
      watchLifetime(machine, now);
    }
  }

  /** Acts on what the cloud says about a live machine; true if that settled this pass. */
  private boolean checkCloudView(
      MachineRecord machine, CloudListing listing, Optional<CloudMachine> seen) {
    if (seen.isEmpty() || seen.get().state() == CloudState.GONE) {
      if (settledBefore(machine, listing)) {
        confirmMissing(machine);
        return true;
      }
      return false;
    }
    CloudMachine view = seen.get();
    if (view.state() == CloudState.ERROR) {
      endWithCode(machine.id(), MachineState.FAILED, ShutdownCodes.CLOUD_ERROR,
          "cloud reports error (" + view.rawState() + ")");
      return true;
    }
    if (view.state() == CloudState.STOPPED) {
      // The guest's message may still be on its way: the manager's own code waits for GONE.
      move(machine.id(), MachineState.TERMINATING, "guest powered off");
      return true;
    }
    return false;
  }

  /**
   * Whether the listing is recent enough to trust its silence about this machine: clouds
   * (EC2 above all) may not list a machine for a while after accepting it. The wait is the
   * cloud's {@code settle_time}, at least two cycles.
   */
  private boolean settledBefore(MachineRecord machine, CloudListing listing) {
    Duration settle = config.cycle().multipliedBy(2);
    CloudPool pool = clouds.get(machine.cloud());
    if (pool != null && pool.policy().settleTime().compareTo(settle) > 0) {
      settle = pool.policy().settleTime();
    }
    return startedAt(machine).plus(settle).isBefore(listing.takenAt());
  }

  /**
   * A settled machine the listing misses is asked for by its id before it counts as LOST:
   * listings and describes are separate reads, and either may lag. Only when the describe
   * agrees is the machine lost (and then deleted); the manager never creates it again.
   */
  private void confirmMissing(MachineRecord machine) {
    CloudPool pool = clouds.get(machine.cloud());
    if (machine.cloudId() == null || pool == null) {
      move(machine.id(), MachineState.LOST, "cloud no longer lists the machine");
      return;
    }
    String cloudId = machine.cloudId();
    inFlight.add(machine.id());
    pool.call(CloudCall.DESCRIBE, () -> pool.provider().describe(cloudId))
        .onSuccess(view -> {
          if (view.isEmpty() || view.get().state() == CloudState.GONE) {
            move(machine.id(), MachineState.LOST, "cloud neither lists nor describes "
                + cloudId);
          } else {
            log.info("listing missed a machine its describe shows machine={} cloud={}"
                + " cloud_id={} state={}", machine.id(), machine.cloud(), cloudId,
                view.get().rawState());
          }
        })
        .onFailure(error -> log.warn("describe of a machine the listing missed failed, will"
            + " ask again machine={} cloud={} error={}", machine.id(), machine.cloud(),
            describe(error)))
        .onComplete(done -> inFlight.remove(machine.id()));
  }

  private void watchBooting(MachineRecord machine, Instant now) {
    if (machine.credentialIssuedAt() != null || machine.lastHeartbeat() != null) {
      move(machine.id(), MachineState.RUNNING, "guest made contact");
      return;
    }
    if (startedAt(machine).plus(config.startTimeout()).isBefore(now)) {
      endWithCode(machine.id(), MachineState.FAILED, ShutdownCodes.FAILED_TO_START,
          "no contact within " + config.startTimeout().toSeconds() + "s");
      return;
    }
    watchLifetime(machine, now);
  }

  /**
   * A guest is late when, once it is {@code fizzle} old, its last heartbeat (or its credential
   * fetch, the first sign of life) is older than its interval plus the VO's tolerance. The
   * tolerance absorbs the drift between the guest's beat and this check, and a credential
   * fetch that keeps a busy guest from its first beat: by default one interval plus two
   * reconcile cycles, so one missed beat never kills a machine.
   */
  private boolean heartbeatLate(MachineRecord machine, Instant now) {
    EndRules rules = rulesByVo.apply(machine.vo());
    if (now.isBefore(startedAt(machine).plus(rules.fizzle()))) {
      return false;
    }
    Instant last = latest(machine.lastHeartbeat(), machine.credentialIssuedAt());
    if (last == null) {
      return true;
    }
    Duration allowed = Duration.ofSeconds(machine.spec().heartbeatSecs())
        .plus(rules.heartbeatTolerance());
    return last.plus(allowed).isBefore(now);
  }

  /** The default heartbeat tolerance: one interval plus two reconcile cycles. */
  public static Duration defaultTolerance(Duration heartbeat, Duration cycle) {
    return heartbeat.plus(cycle.multipliedBy(2));
  }

  private void watchLifetime(MachineRecord machine, Instant now) {
    Instant end = startedAt(machine).plusSeconds(machine.spec().lifetimeSecs());
    Instant announceAt = end.minusSeconds(machine.spec().graceSecs());
    Instant deadline = drainDeadline(machine);
    if (machine.state() == MachineState.RUNNING && machine.shutdownTime() != null
        && now.isBefore(machine.shutdownTime())) {
      move(machine.id(), MachineState.DRAINING, "shutdowntime published before contact: "
          + "shutdowntime=" + machine.shutdownTime().getEpochSecond());
    } else if (machine.shutdownTime() == null && !now.isBefore(announceAt)) {
      announce(machine, end, "lifetime ends");
    } else if (deadline != null && (machine.shutdownTime() == null
        || machine.shutdownTime().isAfter(deadline))) {
      announce(machine, deadline.isBefore(end) ? deadline : end, drainReason(machine));
    } else if (machine.shutdownTime() != null && !now.isBefore(machine.shutdownTime())) {
      endWithCode(machine.id(), MachineState.TERMINATING, ShutdownCodes.PASSED_SHUTDOWNTIME,
          "shutdowntime " + machine.shutdownTime().getEpochSecond() + " passed");
    }
  }

  private Instant drainDeadline(MachineRecord machine) {
    long at = drains.deadlineMillis(machine.vo(), machine.imageId(),
        Duration.ofSeconds(machine.spec().graceSecs()));
    return at == Long.MAX_VALUE ? null : Instant.ofEpochMilli(at);
  }

  private String drainReason(MachineRecord machine) {
    if (drains.siteDraining()) {
      return "site drain";
    }
    return drains.voDeadline(machine.vo()).isPresent() ? "VO drain" : "image revoked";
  }

  /**
   * Lowers one machine's shutdowntime to {@code deadline} (never raises it), e.g. when its
   * VO asked for fewer machines.
   */
  public void drain(MachineRecord machine, Instant deadline, String why) {
    if (!machine.state().isLive() || busy(machine.id())
        || machine.shutdownTime() != null && !machine.shutdownTime().isAfter(deadline)) {
      return;
    }
    announce(machine, deadline, why);
  }

  /**
   * Publishes {@code shutdownTime}. A machine still booting keeps its state until its guest
   * makes contact (then it runs, and drains at once): its history shows it ran.
   */
  private void announce(MachineRecord machine, Instant shutdownTime, String why) {
    contactSince(machine);
    MachineRecord after = store.update(machine.id(), m -> m.withShutdownTime(shutdownTime));
    String reason = why + ": shutdowntime=" + shutdownTime.getEpochSecond();
    if (after.state() == MachineState.BOOTING) {
      log.info("shutdowntime set before contact machine={} shutdowntime={} reason={}",
          machine.id(), shutdownTime.getEpochSecond(), why);
    } else if (after.state() == MachineState.DRAINING) {
      log.info("shutdowntime moved machine={} shutdowntime={} reason={}", machine.id(),
          shutdownTime.getEpochSecond(), why);
    } else {
      move(machine.id(), MachineState.DRAINING, reason);
    }
  }

  /**
   * A booting machine whose guest made contact after this pass read it is moved to RUNNING
   * before it is told to drain, so its history shows it ran.
   */
  private void contactSince(MachineRecord machine) {
    if (machine.state() != MachineState.BOOTING) {
      return;
    }
    store.get(machine.id()).filter(m -> m.state() == MachineState.BOOTING
        && (m.credentialIssuedAt() != null || m.lastHeartbeat() != null))
        .ifPresent(m -> move(m.id(), MachineState.RUNNING, "guest made contact"));
  }

  /**
   * Ends a machine with the manager's own 700 message unless the guest already wrote one:
   * the guest's code wins, and the transition records both the code in force and why.
   */
  private void endWithCode(String id, MachineState next, String message, String detail) {
    MachineRecord ended = store.update(id, m -> m.hasShutdownCode() ? m
        : m.withShutdown(ShutdownCodes.MANAGER_CODE, message));
    move(id, next, ended.shutdownCode() + " " + ended.shutdownMessage() + " (" + detail + ")");
  }

  private void cleanUp(MachineRecord machine, CloudListing listing, Optional<CloudMachine> seen) {
    Instant now = clock.instant();
    if (machine.nextDeleteAt() != null && now.isBefore(machine.nextDeleteAt())) {
      return;
    }
    String cloudId = machine.cloudId() != null ? machine.cloudId()
        : seen.map(CloudMachine::cloudId).orElse(null);
    if (cloudId == null && listing.available()) {
      gone(machine.id(), "nothing of it in the cloud");
    } else if (cloudId != null && listing.available() && machine.deleteAttempts() > 0
        && seen.isEmpty()) {
      gone(machine.id(), "cloud no longer lists it");
    } else if (cloudId != null) {
      destroy(machine, cloudId, now);
    }
  }

  private void destroy(MachineRecord machine, String cloudId, Instant now) {
    Instant retryAt = now.plus(deleteBackoff(machine.deleteAttempts()));
    MachineRecord attempt = store.update(machine.id(), m -> m.withDeleteAttempt(retryAt));
    CloudPool pool = clouds.get(machine.cloud());
    inFlight.add(machine.id());
    pool.call(CloudCall.DESTROY, () -> {
      pool.provider().destroy(cloudId);
      return cloudId;
    }).compose(sent -> pool.call(CloudCall.DESCRIBE, () -> pool.provider().describe(cloudId)))
        .onSuccess(view -> {
          if (view.isEmpty() || view.get().state() == CloudState.GONE) {
            gone(machine.id(), "cloud confirmed deletion of " + cloudId);
          }
        })
        .onFailure(error -> log.warn("delete failed, will retry machine={} cloud={}"
            + " attempt={} retry_at={} error={}", machine.id(), machine.cloud(),
            attempt.deleteAttempts(), retryAt, describe(error)))
        .onComplete(done -> inFlight.remove(machine.id()));
  }

  /**
   * Moves a machine to GONE. One that ended without any code (its guest powered off without
   * a message, or the cloud lost it) gets the manager's 700 now, when no guest message can
   * still arrive, so every end records a code and the guest's code always wins.
   */
  private void gone(String id, String reason) {
    store.update(id, m -> m.hasShutdownCode() ? m : m.withShutdown(ShutdownCodes.MANAGER_CODE,
        m.state() == MachineState.LOST ? ShutdownCodes.DISAPPEARED : ShutdownCodes.NO_MESSAGE));
    move(id, MachineState.GONE, reason);
  }

  /**
   * The least time before the next delete attempt of a machine that has had {@code attempts}:
   * the configured interval, doubled after each failure up to {@value #MAX_DELETE_BACKOFF}
   * times it, so a cloud that keeps refusing is not hammered. Until the cloud confirms the
   * deletion the machine stays in TERMINATING, FAILED or LOST and keeps counting against
   * quota.
   */
  Duration deleteBackoff(int attempts) {
    int factor = Math.min(MAX_DELETE_BACKOFF, 1 << Math.min(attempts, 30));
    return config.deleteRetry().multipliedBy(factor);
  }

  /**
   * Hands every machine of {@code records} that reached GONE and is not yet accounted to the
   * end consumer in one batch, then marks them accounted. If the consumer throws, none is
   * marked and the next pass offers them again.
   *
   * @return how many machines were accounted
   */
  public int account(List<MachineRecord> records) {
    List<MachineRecord> ended = records.stream()
        .filter(m -> m.state() == MachineState.GONE && !m.accounted()).toList();
    if (ended.isEmpty()) {
      return 0;
    }
    onEnd.accept(ended);
    ended.forEach(m -> store.update(m.id(), MachineRecord::withAccounted));
    return ended.size();
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
