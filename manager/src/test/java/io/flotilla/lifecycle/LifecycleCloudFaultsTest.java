package io.flotilla.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.flotilla.config.CloudPolicy;
import io.flotilla.config.ControlConfig.ImagePolicy;
import io.flotilla.config.SiteConfig.LifecycleConfig;
import io.flotilla.control.MachineSummary;
import io.flotilla.provider.CloudMachine;
import io.flotilla.provider.MachineSpec;
import io.flotilla.provider.Tags;
import io.flotilla.provider.sandbox.SandboxCloud;
import io.flotilla.provider.sandbox.SandboxOptions;
import io.flotilla.state.MachineRecord;
import io.flotilla.state.MachineSpecs;
import io.flotilla.state.MachineState;
import io.flotilla.state.MachineStore;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The lifecycle against a sandbox that misbehaves: machines in error, deletes refused,
 * machines missing from listings. Passes are driven by hand, one {@code advance} at a time.
 */
class LifecycleCloudFaultsTest {
  private static final Duration CYCLE = Duration.ofMillis(100);
  private static final Duration DELETE_RETRY = Duration.ofMillis(600);

  private final Vertx vertx = Vertx.vertx();
  private final MachineStore store = new MachineStore(new ConcurrentHashMap<>());
  private SandboxCloud sandbox;
  private Lifecycle lifecycle;

  @AfterEach
  void close() {
    sandbox.close();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  @Test
  void machineInErrorAfterCreate_isDeleted_andRecordedAsACloudError() throws Exception {
    start(options(1.0, 0), CloudPolicy.defaults());
    MachineRecord machine = create();

    advance(machine.id());
    advance(machine.id());

    MachineRecord after = store.get(machine.id()).orElseThrow();
    assertThat(after.statePath()).containsExactly(MachineState.REQUESTED,
        MachineState.CREATING, MachineState.BOOTING, MachineState.FAILED, MachineState.GONE);
    assertThat(after.shutdownCode()).isEqualTo(700);
    assertThat(after.shutdownMessage()).isEqualTo(ShutdownCodes.CLOUD_ERROR);
    assertThat(sandbox.listTagged(Map.of())).isEmpty();
  }

  @Test
  void deleteRefused_isRetriedWithADoublingDelay_andTheMachineStillCounts() throws Exception {
    start(options(0, 1.0), CloudPolicy.defaults());
    MachineRecord machine = create();
    lifecycle.move(machine.id(), MachineState.TERMINATING, "test ends it");

    Instant first = Instant.now();
    advance(machine.id());
    advance(machine.id());
    MachineRecord once = store.get(machine.id()).orElseThrow();
    assertThat(once.deleteAttempts()).as("no second attempt before the retry time").isEqualTo(1);
    assertThat(once.nextDeleteAt()).isBetween(first.plus(DELETE_RETRY),
        Instant.now().plus(DELETE_RETRY));
    Thread.sleep(DELETE_RETRY.toMillis() + 50);
    Instant second = Instant.now();
    advance(machine.id());

    MachineRecord twice = store.get(machine.id()).orElseThrow();
    assertThat(twice.deleteAttempts()).isEqualTo(2);
    assertThat(twice.nextDeleteAt()).isAfterOrEqualTo(second.plus(DELETE_RETRY.multipliedBy(2)));
    assertThat(twice.state()).isEqualTo(MachineState.TERMINATING);
    assertThat(MachineSummary.of(twice, new HashMap<>()).holdsCloud()).isTrue();
    assertThat(sandbox.listTagged(Map.of())).hasSize(1);
  }

  @Test
  void machineMissingFromListings_isAskedForById_andNeverLostOrCreatedAgain()
      throws Exception {
    CloudPolicy noSettle = new CloudPolicy(Optional.empty(), Optional.empty(), Duration.ZERO,
        Duration.ofMinutes(5), Duration.ofMinutes(10), CloudPolicy.OrphanPolicy.TERMINATE);
    start(options(0, 0).withHiddenNew(Duration.ofHours(1)), noSettle);
    MachineRecord machine = create();
    Thread.sleep(CYCLE.multipliedBy(3).toMillis());

    assertThat(listing().byMachineId()).isEmpty();
    advance(machine.id());
    advance(machine.id());

    assertThat(store.get(machine.id()).orElseThrow().state()).isEqualTo(MachineState.BOOTING);
    assertThat(store.all()).hasSize(1);

    sandbox.destroy(store.get(machine.id()).orElseThrow().cloudId());
    advance(machine.id());
    assertThat(store.get(machine.id()).orElseThrow().statePath())
        .contains(MachineState.LOST);
  }

  /* ---- Fixture ---- */

  private void start(SandboxOptions options, CloudPolicy policy) {
    sandbox = new SandboxCloud("sandbox", options);
    CloudPool pool = new CloudPool(vertx, sandbox, 4, Duration.ofSeconds(30), policy,
        Clock.systemUTC());
    lifecycle = new Lifecycle(store, Map.of("sandbox", pool), new TransitionLog(),
        Clock.systemUTC(), new LifecycleConfig(CYCLE, Duration.ofMinutes(10), DELETE_RETRY),
        ended -> { }, new DrainBook(new ConcurrentHashMap<>(), ImagePolicy.KEEP),
        vo -> new Lifecycle.EndRules(Duration.ofMinutes(5), Duration.ofMinutes(1)));
  }

  private static SandboxOptions options(double errorRate, double destroyFailureRate) {
    return new SandboxOptions(Duration.ZERO, 0, errorRate, destroyFailureRate,
        OptionalLong.of(1), OptionalInt.empty());
  }

  private MachineRecord create() throws Exception {
    String id = UUID.randomUUID().toString();
    MachineSpecs specs = new MachineSpecs(1, 1024, 10, 3600, 60, 60);
    MachineRecord planned = MachineRecord.requested(id, "atlas", "sandbox", "image-1", specs,
        "hash", Instant.now());
    MachineSpec spec = new MachineSpec(id, "image-1", "small", new byte[0],
        Map.of(Tags.MACHINE_ID, id, Tags.SITE, "TEST", Tags.VO, "atlas"), Map.of());
    return lifecycle.create(planned, spec).toCompletionStage().toCompletableFuture().get();
  }

  /** One pass for one machine, with a fresh listing, waiting for its cloud calls. */
  private void advance(String id) throws InterruptedException {
    lifecycle.advance(store.get(id).orElseThrow(), listing());
    Instant giveUp = Instant.now().plusSeconds(10);
    while (lifecycle.busy(id) && Instant.now().isBefore(giveUp)) {
      Thread.sleep(20);
    }
    assertThat(lifecycle.busy(id)).as("cloud call for %s still running", id).isFalse();
  }

  private CloudListing listing() {
    Map<String, CloudMachine> ours = new HashMap<>();
    sandbox.listTagged(Map.of()).forEach(m -> ours.put(m.machineId(), m));
    return new CloudListing(true, Instant.now(), ours);
  }
}
