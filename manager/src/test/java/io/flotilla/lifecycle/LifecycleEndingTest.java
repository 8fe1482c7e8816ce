package io.flotilla.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.flotilla.config.ControlConfig.ImagePolicy;
import io.flotilla.config.SiteConfig.LifecycleConfig;
import io.flotilla.state.MachineRecord;
import io.flotilla.state.MachineSpecs;
import io.flotilla.state.MachineState;
import io.flotilla.state.MachineStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The ending rules that need no cloud call: heartbeats, drains, delete backoff, batches. */
class LifecycleEndingTest {
  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  private static final CloudListing NO_LISTING = CloudListing.unavailable(T0);

  private final MovingClock clock = new MovingClock();
  private final MachineStore store = new MachineStore(new ConcurrentHashMap<>());
  private final DrainBook drains = new DrainBook(new ConcurrentHashMap<>(), ImagePolicy.DRAIN);
  private final List<List<MachineRecord>> batches = new ArrayList<>();
  private final Lifecycle lifecycle = new Lifecycle(store, Map.of(), new TransitionLog(),
      clock, new LifecycleConfig(Duration.ofSeconds(5), Duration.ofMinutes(10),
          Duration.ofSeconds(30)), batches::add, drains,
      vo -> new Lifecycle.EndRules(Duration.ofMinutes(5), Duration.ofSeconds(20)));

  @Test
  void advance_beforeFizzle_toleratesASilentGuest() {
    MachineRecord machine = running(T0, null);

    clock.now = T0.plus(Duration.ofMinutes(5)).minusSeconds(1);
    lifecycle.advance(machine, NO_LISTING);

    assertThat(store.get(machine.id()).orElseThrow().state()).isEqualTo(MachineState.RUNNING);
  }

  @Test
  void advance_afterFizzle_endsAMachineWhoseHeartbeatIsOlderThanIntervalPlusTolerance() {
    MachineRecord fresh = running(T0, T0.plus(Duration.ofMinutes(10)));
    MachineRecord stale = running(T0, T0.plus(Duration.ofMinutes(10)).minusSeconds(1));

    clock.now = T0.plus(Duration.ofMinutes(10)).plusSeconds(80);
    lifecycle.advance(store.get(fresh.id()).orElseThrow(), NO_LISTING);
    lifecycle.advance(store.get(stale.id()).orElseThrow(), NO_LISTING);

    assertThat(store.get(fresh.id()).orElseThrow().state()).isEqualTo(MachineState.RUNNING);
    MachineRecord lost = store.get(stale.id()).orElseThrow();
    assertThat(lost.state()).isEqualTo(MachineState.LOST);
    assertThat(lost.shutdownCode()).isEqualTo(700);
    assertThat(lost.shutdownMessage()).isEqualTo("Heartbeat not updated");
  }

  @Test
  void advance_whenTheGuestWroteItsOwnCode_keepsItOverTheManagers() {
    MachineRecord machine = running(T0, T0);
    store.update(machine.id(), m -> m.withShutdown(300, "Nothing to do"));

    clock.now = T0.plus(Duration.ofHours(1));
    lifecycle.advance(store.get(machine.id()).orElseThrow(), NO_LISTING);

    MachineRecord after = store.get(machine.id()).orElseThrow();
    assertThat(after.shutdownCode()).isEqualTo(300);
    assertThat(after.history().get(after.history().size() - 1).reason())
        .isEqualTo("guest shut down: 300 Nothing to do");
  }

  @Test
  void advance_underAVoDrain_lowersShutdowntimeToTheDrain() {
    MachineRecord machine = running(T0, T0);
    Instant deadline = T0.plus(Duration.ofMinutes(30));
    drains.drainVo("atlas", deadline);
    lifecycle.refreshDrains();

    clock.now = T0.plusSeconds(60);
    lifecycle.advance(store.get(machine.id()).orElseThrow(), NO_LISTING);

    MachineRecord after = store.get(machine.id()).orElseThrow();
    assertThat(after.state()).isEqualTo(MachineState.DRAINING);
    assertThat(after.shutdownTime()).isEqualTo(deadline);
  }

  @Test
  void advance_whenTheImageIsRevoked_drainsWithinTheGracePeriod() {
    MachineRecord machine = running(T0, T0);
    drains.imageRevoked("image-1", T0.plusSeconds(100));
    lifecycle.refreshDrains();

    clock.now = T0.plusSeconds(101);
    lifecycle.advance(store.get(machine.id()).orElseThrow(), NO_LISTING);

    assertThat(store.get(machine.id()).orElseThrow().shutdownTime())
        .isEqualTo(T0.plusSeconds(100 + 600));
  }

  @Test
  void deleteBackoff_doublesFromTheConfiguredIntervalUpToSixteenTimes() {
    assertThat(lifecycle.deleteBackoff(0)).isEqualTo(Duration.ofSeconds(30));
    assertThat(lifecycle.deleteBackoff(1)).isEqualTo(Duration.ofSeconds(60));
    assertThat(lifecycle.deleteBackoff(3)).isEqualTo(Duration.ofSeconds(240));
    assertThat(lifecycle.deleteBackoff(40)).isEqualTo(Duration.ofSeconds(480));
  }

  @Test
  void account_handsEndedMachinesOverInOneBatch_andMarksThemOnce() {
    MachineRecord a = gone(running(T0, T0));
    MachineRecord b = gone(running(T0, T0));
    running(T0, T0);

    assertThat(lifecycle.account(store.all())).isEqualTo(2);
    assertThat(lifecycle.account(store.all())).isZero();

    assertThat(batches).singleElement().satisfies(batch -> assertThat(batch)
        .extracting(MachineRecord::id).containsExactlyInAnyOrder(a.id(), b.id()));
  }

  private MachineRecord running(Instant started, Instant heartbeat) {
    MachineSpecs specs = new MachineSpecs(2, 4096, 20, 86_400, 600, 60);
    MachineRecord machine = MachineRecord.requested(java.util.UUID.randomUUID().toString(),
        "atlas", "cloud", "image-1", specs, "hash", started)
        .moveTo(MachineState.CREATING, started, "test")
        .withCloudId("c-1", started)
        .moveTo(MachineState.BOOTING, started, "test")
        .withCredentialIssued(started)
        .moveTo(MachineState.RUNNING, started, "test");
    if (heartbeat != null) {
      machine = machine.withHeartbeat(heartbeat);
    }
    store.insert(machine);
    return machine;
  }

  private MachineRecord gone(MachineRecord machine) {
    return store.update(machine.id(), m -> m.moveTo(MachineState.TERMINATING, T0, "test")
        .moveTo(MachineState.GONE, T0, "test"));
  }

  /** A clock the test sets by hand. */
  private static final class MovingClock extends Clock {
    Instant now = T0;

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
