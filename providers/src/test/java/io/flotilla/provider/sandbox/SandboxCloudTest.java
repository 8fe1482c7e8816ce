package io.flotilla.provider.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flotilla.provider.CloudException;
import io.flotilla.provider.CloudException.Kind;
import io.flotilla.provider.CloudMachine;
import io.flotilla.provider.CloudState;
import io.flotilla.provider.MachineSpec;
import io.flotilla.provider.Tags;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.jclouds.compute.domain.NodeMetadata.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SandboxCloudTest {

  private static final Duration WAIT = Duration.ofSeconds(5);

  private final List<SandboxCloud> clouds = new ArrayList<>();
  private final AtomicInteger machineIds = new AtomicInteger();

  @AfterEach
  void closeClouds() {
    clouds.forEach(SandboxCloud::close);
  }

  @Test
  void create_returnsPendingMachineCarryingItsTags() {
    SandboxCloud cloud = cloud(options(0));

    CloudMachine machine = cloud.create(spec("atlas"));

    assertThat(machine.state()).isEqualTo(CloudState.PENDING);
    assertThat(machine.rawState()).isEqualTo("PENDING");
    assertThat(machine.tags()).containsEntry(Tags.VO, "atlas").containsEntry(Tags.SITE, "test");
    assertThat(machine.machineId()).startsWith("m-");
  }

  @Test
  void describe_whenBootDelayPassed_isRunning() {
    SandboxCloud cloud = cloud(options(0));

    CloudMachine machine = cloud.create(spec("atlas"));

    awaitState(cloud, machine.cloudId(), CloudState.RUNNING);
    assertThat(cloud.describe(machine.cloudId()).orElseThrow().rawState()).isEqualTo("RUNNING");
  }

  @Test
  void describe_whenBootDelayNotPassed_staysPendingThenRuns() throws Exception {
    MutableClock clock = new MutableClock();
    SandboxCloud cloud = cloud(options(30), clock);
    CloudMachine machine = cloud.create(spec("atlas"));

    Thread.sleep(300);
    CloudState whileBooting = cloud.describe(machine.cloudId()).orElseThrow().state();
    clock.advance(Duration.ofSeconds(30));

    assertThat(whileBooting).isEqualTo(CloudState.PENDING);
    awaitState(cloud, machine.cloudId(), CloudState.RUNNING);
  }

  @Test
  void userData_returnsBytesIdenticalToCreate() {
    SandboxCloud cloud = cloud(options(0));
    byte[] bytes = new byte[4096];
    new Random(7).nextBytes(bytes);
    bytes[0] = 0x1f;
    bytes[1] = (byte) 0x8b;
    bytes[2] = 0;

    CloudMachine machine = cloud.create(spec("atlas", bytes));
    bytes[10] ^= 1;
    byte[] read = cloud.userData(machine.cloudId());
    read[11] ^= 1;

    bytes[10] ^= 1;
    assertThat(cloud.userData(machine.cloudId())).isEqualTo(bytes);
  }

  @Test
  void userData_whenUnknown_isNotFound() {
    SandboxCloud cloud = cloud(options(0));

    assertThatThrownBy(() -> cloud.userData("999"))
        .isInstanceOfSatisfying(CloudException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND))
        .hasMessage("sandbox cloud test-cloud: machine 999 does not exist");
  }

  @Test
  void listTagged_returnsOnlyMachinesCarryingEveryTag() {
    SandboxCloud cloud = cloud(options(0));
    CloudMachine atlas = cloud.create(spec("atlas"));
    cloud.create(spec("lhcb"));

    List<CloudMachine> found = cloud.listTagged(Map.of(Tags.VO, "atlas", Tags.SITE, "test"));

    assertThat(found).extracting(CloudMachine::cloudId).containsExactly(atlas.cloudId());
    assertThat(cloud.listTagged(Map.of())).hasSize(2);
    assertThat(cloud.listTagged(Map.of(Tags.VO, "cms"))).isEmpty();
  }

  @Test
  void twoSandboxes_neverSeeEachOthersMachines() {
    SandboxCloud first = cloud(options(0));
    SandboxCloud second = cloud(options(0));

    first.create(spec("atlas"));

    assertThat(second.listTagged(Map.of())).isEmpty();
  }

  @Test
  void describe_afterDestroy_isEmpty() {
    SandboxCloud cloud = cloud(options(0));
    CloudMachine machine = cloud.create(spec("atlas"));
    awaitState(cloud, machine.cloudId(), CloudState.RUNNING);

    cloud.destroy(machine.cloudId());

    assertThat(cloud.describe(machine.cloudId())).isEmpty();
    assertThat(cloud.listTagged(Map.of())).isEmpty();
  }

  @Test
  void destroy_whenUnknownOrAlreadyDestroyed_succeeds() {
    SandboxCloud cloud = cloud(options(0));
    CloudMachine machine = cloud.create(spec("atlas"));

    cloud.destroy(machine.cloudId());
    cloud.destroy(machine.cloudId());
    cloud.destroy("no-such-machine");

    assertThat(cloud.describe(machine.cloudId())).isEmpty();
  }

  @Test
  void powerOff_whenRunning_stopsButMachineStillExists() {
    SandboxCloud cloud = cloud(options(0));
    CloudMachine machine = cloud.create(spec("atlas"));
    awaitState(cloud, machine.cloudId(), CloudState.RUNNING);

    cloud.powerOff(machine.cloudId());
    awaitState(cloud, machine.cloudId(), CloudState.STOPPED);
    cloud.powerOff(machine.cloudId());

    assertThat(cloud.describe(machine.cloudId()).orElseThrow().rawState()).isEqualTo("SUSPENDED");
    assertThat(cloud.running()).isEmpty();
    assertThat(cloud.listTagged(Map.of())).hasSize(1);
    cloud.destroy(machine.cloudId());
    assertThat(cloud.describe(machine.cloudId())).isEmpty();
  }

  @Test
  void powerOff_whenStillBooting_isRefused() {
    SandboxCloud cloud = cloud(options(60));
    CloudMachine machine = cloud.create(spec("atlas"));

    assertThatThrownBy(() -> cloud.powerOff(machine.cloudId()))
        .isInstanceOfSatisfying(CloudException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_REQUEST))
        .hasMessageContaining("expected state RUNNING, actual PENDING");
  }

  @Test
  void running_listsOnlyRunningMachines() {
    MutableClock clock = new MutableClock();
    SandboxCloud cloud = cloud(options(10), clock);
    CloudMachine early = cloud.create(spec("atlas"));
    clock.advance(Duration.ofSeconds(5));
    cloud.create(spec("atlas"));
    clock.advance(Duration.ofSeconds(6));

    awaitState(cloud, early.cloudId(), CloudState.RUNNING);

    assertThat(cloud.running()).extracting(CloudMachine::cloudId)
        .containsExactly(early.cloudId());
  }

  @Test
  void create_whenQuotaReached_refusesNamingInstancesUntilOneIsDestroyed() {
    SandboxOptions quota = new SandboxOptions(
        Duration.ZERO, 0, 0, 0, OptionalLong.of(1), OptionalInt.of(2));
    SandboxCloud cloud = cloud(quota);
    CloudMachine first = cloud.create(spec("atlas"));
    cloud.create(spec("atlas"));

    assertThatThrownBy(() -> cloud.create(spec("atlas")))
        .isInstanceOfSatisfying(CloudException.class, e -> {
          assertThat(e.kind()).isEqualTo(Kind.QUOTA_EXCEEDED);
          assertThat(e.resource()).isEqualTo("instances");
        })
        .hasMessageContaining("instance quota 2 reached (2 in use)");
    cloud.destroy(first.cloudId());
    assertThat(cloud.create(spec("atlas")).state()).isEqualTo(CloudState.PENDING);
  }

  @Test
  void create_whenThrottleReached_refusesThrottledUntilThePeriodEnds() {
    MutableClock clock = new MutableClock();
    SandboxCloud cloud = cloud(options(0).withThrottle(2, Duration.ofSeconds(10)), clock);
    cloud.create(spec("atlas"));
    cloud.create(spec("atlas"));
    clock.advance(Duration.ofSeconds(4));

    assertThatThrownBy(() -> cloud.create(spec("atlas")))
        .isInstanceOfSatisfying(CloudException.class, e -> {
          assertThat(e.kind()).isEqualTo(Kind.THROTTLED);
          assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(10));
        })
        .hasMessageContaining("2 creates admitted, next admitted in 10000 ms");
    clock.advance(Duration.ofSeconds(6));
    assertThatThrownBy(() -> cloud.create(spec("atlas")))
        .isInstanceOfSatisfying(CloudException.class,
            e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(4)));
    clock.advance(Duration.ofSeconds(4));
    assertThat(cloud.create(spec("atlas")).state()).isEqualTo(CloudState.PENDING);
    assertThat(cloud.listTagged(Map.of())).hasSize(3);
  }

  @Test
  void create_whenManyThreadsRaceForQuota_admitsExactlyTheQuota() throws Exception {
    SandboxOptions quota = new SandboxOptions(
        Duration.ZERO, 0, 0, 0, OptionalLong.of(1), OptionalInt.of(5));
    SandboxCloud cloud = cloud(quota);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Callable<Boolean>> attempts = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      attempts.add(() -> tryCreate(cloud));
    }

    List<Future<Boolean>> results = pool.invokeAll(attempts);
    pool.shutdown();

    long created = 0;
    for (Future<Boolean> result : results) {
      created += result.get() ? 1 : 0;
    }
    assertThat(created).isEqualTo(5);
    assertThat(cloud.listTagged(Map.of())).hasSize(5);
  }

  @Test
  void create_whenFailureRateIsOne_alwaysFailsTransient() {
    SandboxCloud cloud = cloud(faults(1, 0, 0, 3));

    assertThatThrownBy(() -> cloud.create(spec("atlas")))
        .isInstanceOfSatisfying(CloudException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.TRANSIENT))
        .hasMessageContaining("injected fault (create_failure_rate=1.0)");
    assertThat(cloud.listTagged(Map.of())).isEmpty();
  }

  @Test
  void create_withFixedSeed_failsInTheSameRepeatablePattern() {
    List<Boolean> first = createOutcomes(cloud(faults(0.5, 0, 0, 1234)), 40);
    List<Boolean> second = createOutcomes(cloud(faults(0.5, 0, 0, 1234)), 40);

    assertThat(first).isEqualTo(second).contains(true, false);
    long failures = first.stream().filter(ok -> !ok).count();
    assertThat(failures).isBetween(8L, 32L);
  }

  @Test
  void create_whenErrorRateIsOne_machineEndsInError() {
    SandboxCloud cloud = cloud(faults(0, 1, 0, 5));

    CloudMachine machine = cloud.create(spec("atlas"));

    awaitState(cloud, machine.cloudId(), CloudState.ERROR);
    assertThat(cloud.describe(machine.cloudId()).orElseThrow().rawState()).isEqualTo("ERROR");
    assertThat(cloud.running()).isEmpty();
  }

  @Test
  void destroy_whenFailureRateIsOne_failsAndMachineRemains() {
    SandboxCloud cloud = cloud(faults(0, 0, 1, 5));
    CloudMachine machine = cloud.create(spec("atlas"));

    assertThatThrownBy(() -> cloud.destroy(machine.cloudId()))
        .isInstanceOfSatisfying(CloudException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.TRANSIENT))
        .hasMessageContaining("injected fault (destroy_failure_rate=1.0)");
    assertThat(cloud.describe(machine.cloudId())).isPresent();
    cloud.destroy("unknown-id");
  }

  @Test
  void create_whenFlavourUnknown_isInvalidRequestListingFlavours() {
    SandboxCloud cloud = cloud(options(0));
    MachineSpec spec = new MachineSpec("m-x", "image-1", "xxl", new byte[0], Map.of());

    assertThatThrownBy(() -> cloud.create(spec))
        .isInstanceOfSatisfying(CloudException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_REQUEST))
        .hasMessage("sandbox cloud test-cloud: machine m-x: unknown flavour 'xxl', "
            + "expected one of [large, medium, small]");
  }

  @Test
  void toCloudState_mapsEveryJcloudsStatus() {
    assertThat(SandboxCloud.toCloudState(Status.PENDING)).isEqualTo(CloudState.PENDING);
    assertThat(SandboxCloud.toCloudState(Status.RUNNING)).isEqualTo(CloudState.RUNNING);
    assertThat(SandboxCloud.toCloudState(Status.SUSPENDED)).isEqualTo(CloudState.STOPPED);
    assertThat(SandboxCloud.toCloudState(Status.ERROR)).isEqualTo(CloudState.ERROR);
    assertThat(SandboxCloud.toCloudState(Status.TERMINATED)).isEqualTo(CloudState.GONE);
    assertThat(SandboxCloud.toCloudState(Status.UNRECOGNIZED)).isEqualTo(CloudState.UNKNOWN);
  }

  @Test
  void calls_afterClose_areRefused() {
    SandboxCloud cloud = cloud(options(0));
    cloud.close();

    assertThatThrownBy(() -> cloud.running())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("sandbox cloud test-cloud is closed");
  }

  private boolean tryCreate(SandboxCloud cloud) {
    try {
      cloud.create(spec("atlas"));
      return true;
    } catch (CloudException e) {
      assertThat(e.kind()).isEqualTo(Kind.QUOTA_EXCEEDED);
      return false;
    }
  }

  private List<Boolean> createOutcomes(SandboxCloud cloud, int attempts) {
    List<Boolean> outcomes = new ArrayList<>();
    for (int i = 0; i < attempts; i++) {
      try {
        cloud.create(spec("atlas"));
        outcomes.add(true);
      } catch (CloudException e) {
        outcomes.add(false);
      }
    }
    return outcomes;
  }

  private SandboxCloud cloud(SandboxOptions options) {
    return cloud(options, Clock.systemUTC());
  }

  private SandboxCloud cloud(SandboxOptions options, Clock clock) {
    SandboxCloud cloud = new SandboxCloud("test-cloud", options, clock);
    clouds.add(cloud);
    return cloud;
  }

  private static SandboxOptions options(int bootSeconds) {
    return new SandboxOptions(Duration.ofSeconds(bootSeconds), 0, 0, 0,
        OptionalLong.of(1), OptionalInt.empty());
  }

  private static SandboxOptions faults(
      double createFailure, double error, double destroyFailure, long seed) {
    return new SandboxOptions(Duration.ZERO, createFailure, error, destroyFailure,
        OptionalLong.of(seed), OptionalInt.empty());
  }

  private MachineSpec spec(String vo) {
    return spec(vo, "#cloud-config\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private MachineSpec spec(String vo, byte[] userData) {
    String machineId = "m-" + machineIds.incrementAndGet();
    return new MachineSpec(machineId, "image-1", "small", userData,
        Map.of(Tags.MACHINE_ID, machineId, Tags.VO, vo, Tags.SITE, "test"));
  }

  private static void awaitState(SandboxCloud cloud, String cloudId, CloudState wanted) {
    Instant deadline = Instant.now().plus(WAIT);
    CloudState state = null;
    while (Instant.now().isBefore(deadline)) {
      state = cloud.describe(cloudId).map(CloudMachine::state).orElse(CloudState.GONE);
      if (state == wanted) {
        return;
      }
      sleepBriefly();
    }
    throw new AssertionError("machine " + cloudId + ": expected state " + wanted
        + ", actual " + state + " after " + WAIT);
  }

  private static void sleepBriefly() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting", e);
    }
  }

  /** A clock that moves only when the test moves it. */
  private static final class MutableClock extends Clock {
    private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration by) {
      now = now.plus(by);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
