package io.flotilla.provider.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.flotilla.provider.CloudException;
import io.flotilla.provider.CloudException.Kind;
import io.flotilla.provider.CloudMachine;
import io.flotilla.provider.CloudProvider;
import io.flotilla.provider.CloudState;
import io.flotilla.provider.MachineSpec;
import io.flotilla.provider.Tags;
import io.flotilla.provider.sandbox.GuestHost;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link CloudProvider} owes the manager, run the same way against each
 * cloud: a subclass opens its provider on a real peer (the sandbox, moto, the OpenNebula
 * simulator) with the faults a scenario asks for, and the scenarios here do the rest.
 *
 * <p>Every machine is tagged with a site name unique to the test, so listings by that tag
 * see this test's machines only; whatever a test leaves is destroyed after it.
 */
public abstract class CloudProviderConformanceTest {

  /** How long a cloud may take to show a change (a boot, a deletion). */
  protected static final Duration SETTLE = Duration.ofSeconds(15);
  private static final String VO = "conformance.vo";
  private static final int BURST = 20;
  private static final int THROTTLE_AFTER = 10;

  /**
   * What the cloud under test must do wrong.
   *
   * @param throttleAfter creates after this many are refused as the cloud's rate limit
   * @param instanceQuota creates beyond this many live machines exceed the project's quota
   * @param refuseCreates every create is refused by the cloud
   */
  protected record Faults(OptionalInt throttleAfter, OptionalInt instanceQuota,
      boolean refuseCreates) {

    static Faults none() {
      return new Faults(OptionalInt.empty(), OptionalInt.empty(), false);
    }
  }

  protected final String site = "conformance-" + UUID.randomUUID().toString().substring(0, 8);
  private final List<CloudProvider> opened = new ArrayList<>();

  /** A provider on the cloud under test, misbehaving as {@code faults} say. */
  protected abstract CloudProvider open(Faults faults) throws Exception;

  /** An image reference the cloud starts machines from. */
  protected abstract String imageRef();

  /** A flavour the cloud accepts. */
  protected abstract String flavour();

  /** A well-formed id of a machine this cloud has never had. */
  protected abstract String unknownCloudId();

  /** The guest's view of this provider's machines carrying {@code scope}, if it has one. */
  protected abstract Optional<GuestHost> guestHost(
      CloudProvider provider, Map<String, String> scope);

  /** Stops what {@link #open} started besides the provider (a proxy, a simulator). */
  protected void releasePeers() throws Exception {}

  @AfterEach
  void destroyLeftovers() throws Exception {
    try {
      for (CloudProvider provider : opened) {
        try {
          provider.listTagged(Map.of(Tags.SITE, site))
              .forEach(machine -> destroyEventually(provider, machine.cloudId()));
        } finally {
          provider.close();
        }
      }
    } finally {
      releasePeers();
    }
  }

  @Test
  void lifecycle_createDescribeListReadDestroy_behavesAsTheManagerExpects() throws Exception {
    CloudProvider cloud = opened(Faults.none());
    byte[] userData = everyByteValue(3000);

    CloudMachine created = cloud.create(spec("m-life-1", userData));

    assertThat(created.cloudId()).isNotBlank();
    assertThat(created.machineId()).isEqualTo("m-life-1");
    assertThat(created.state()).isIn(CloudState.PENDING, CloudState.RUNNING);
    CloudMachine described = cloud.describe(created.cloudId()).orElseThrow();
    assertThat(described.cloudId()).isEqualTo(created.cloudId());
    assertThat(described.tags()).containsAllEntriesOf(tags("m-life-1"));
    for (Map.Entry<String, String> tag : tags("m-life-1").entrySet()) {
      assertThat(cloud.listTagged(Map.of(tag.getKey(), tag.getValue())))
          .as("listed by tag " + tag).extracting(CloudMachine::cloudId)
          .contains(created.cloudId());
    }
    assertThat(cloud.listTagged(Map.of(Tags.SITE, site, Tags.VO, "other.vo"))).isEmpty();
    awaitState(cloud, created.cloudId(), CloudState.RUNNING);
    Optional<GuestHost> guest = guestHost(cloud, Map.of(Tags.SITE, site));
    if (guest.isPresent()) {
      assertThat(guest.get().userData(created.cloudId())).isEqualTo(userData);
      assertThat(guest.get().running()).extracting(CloudMachine::cloudId)
          .containsExactly(created.cloudId());
    }

    cloud.destroy(created.cloudId());

    awaitGone(cloud, created.cloudId());
    await("listing without " + created.cloudId(), () -> cloud.listTagged(
        Map.of(Tags.SITE, site)).isEmpty());
    cloud.destroy(created.cloudId());
  }

  @Test
  void destroy_whenMachineUnknown_succeeds() throws Exception {
    CloudProvider cloud = opened(Faults.none());

    cloud.destroy(unknownCloudId());

    assertThat(cloud.describe(unknownCloudId())).isEmpty();
  }

  @Test
  void guest_whenItPowersOff_machineIsStoppedUntilDestroyed() throws Exception {
    CloudProvider cloud = opened(Faults.none());
    Optional<GuestHost> guest = guestHost(cloud, Map.of(Tags.SITE, site));
    assumeTrue(guest.isPresent(), "no guest view");
    CloudMachine machine = cloud.create(spec("m-poweroff-1", new byte[] {1, 2, 3}));
    awaitState(cloud, machine.cloudId(), CloudState.RUNNING);

    guest.get().powerOff(machine.cloudId());

    awaitState(cloud, machine.cloudId(), CloudState.STOPPED);
    guest.get().powerOff(machine.cloudId());
    assertThat(guest.get().running()).isEmpty();
    assertThat(cloud.listTagged(Map.of(Tags.SITE, site))).extracting(CloudMachine::state)
        .containsExactly(CloudState.STOPPED);
    cloud.destroy(machine.cloudId());
    awaitGone(cloud, machine.cloudId());
  }

  @Test
  void create_burstPastTheRateLimit_madeAreListedAndCleanedRestAreThrottled()
      throws Exception {
    CloudProvider cloud = opened(new Faults(
        OptionalInt.of(THROTTLE_AFTER), OptionalInt.empty(), false));

    List<Object> outcomes = burst(cloud);

    List<CloudMachine> made = outcomes.stream().filter(CloudMachine.class::isInstance)
        .map(CloudMachine.class::cast).toList();
    List<CloudException> refused = outcomes.stream().filter(CloudException.class::isInstance)
        .map(CloudException.class::cast).toList();
    assertThat(made).hasSize(THROTTLE_AFTER);
    assertThat(refused).hasSize(BURST - THROTTLE_AFTER)
        .allSatisfy(e -> assertThat(e.kind()).as(e.getMessage()).isEqualTo(Kind.THROTTLED));
    assertThat(cloud.listTagged(Map.of(Tags.SITE, site))).extracting(CloudMachine::cloudId)
        .containsExactlyInAnyOrderElementsOf(made.stream().map(CloudMachine::cloudId).toList());
    made.forEach(machine -> destroyEventually(cloud, machine.cloudId()));
    await("every burst machine gone", () -> cloud.listTagged(Map.of(Tags.SITE, site))
        .isEmpty());
  }

  @Test
  void create_whenCloudRefuses_leavesNothingBehind() throws Exception {
    CloudProvider cloud = opened(new Faults(OptionalInt.empty(), OptionalInt.empty(), true));

    assertThatThrownBy(() -> cloud.create(spec("m-refused-1", new byte[] {7})))
        .isInstanceOf(CloudException.class);

    assertThat(cloud.listTagged(Map.of(Tags.SITE, site))).isEmpty();
    assertThat(cloud.listTagged(Map.of(Tags.MACHINE_ID, "m-refused-1"))).isEmpty();
  }

  @Test
  void create_whenQuotaUsedUp_isQuotaExceededNamingInstances() throws Exception {
    CloudProvider cloud = opened(new Faults(OptionalInt.empty(), OptionalInt.of(1), false));
    CloudMachine first = cloud.create(spec("m-quota-1", new byte[0]));

    assertThatThrownBy(() -> cloud.create(spec("m-quota-2", new byte[0])))
        .isInstanceOfSatisfying(CloudException.class, e -> {
          assertThat(e.kind()).as(e.getMessage()).isEqualTo(Kind.QUOTA_EXCEEDED);
          assertThat(e.resource()).isEqualTo("instances");
        });

    assertThat(cloud.listTagged(Map.of(Tags.SITE, site))).extracting(CloudMachine::cloudId)
        .containsExactly(first.cloudId());
  }

  /* ---------------- helpers ---------------- */

  private CloudProvider opened(Faults faults) throws Exception {
    CloudProvider provider = open(faults);
    opened.add(provider);
    return provider;
  }

  private List<Object> burst(CloudProvider cloud) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(5);
    try {
      List<Callable<Object>> creates = new ArrayList<>();
      for (int i = 0; i < BURST; i++) {
        MachineSpec spec = spec("m-burst-" + i, ("#burst " + i).getBytes());
        creates.add(() -> {
          try {
            return cloud.create(spec);
          } catch (CloudException e) {
            return e;
          }
        });
      }
      List<Object> outcomes = new ArrayList<>();
      for (Future<Object> outcome : pool.invokeAll(creates)) {
        outcomes.add(outcome.get());
      }
      return outcomes;
    } finally {
      pool.shutdownNow();
    }
  }

  protected MachineSpec spec(String machineId, byte[] userData) {
    return new MachineSpec(machineId, imageRef(), flavour(), userData, tags(machineId));
  }

  private Map<String, String> tags(String machineId) {
    return Map.of(Tags.MACHINE_ID, machineId, Tags.SITE, site, Tags.VO, VO);
  }

  /** Bytes that are not text: every value, in an order no codec would produce itself. */
  private static byte[] everyByteValue(int length) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) (i * 31 + 7);
    }
    return bytes;
  }

  /** Destroys, retrying while the cloud says the machine is busy (a boot in progress). */
  private void destroyEventually(CloudProvider cloud, String cloudId) {
    long deadline = System.nanoTime() + SETTLE.toNanos();
    while (true) {
      try {
        cloud.destroy(cloudId);
        return;
      } catch (CloudException e) {
        if (e.kind() != Kind.TRANSIENT || System.nanoTime() > deadline) {
          throw e;
        }
        sleep(100);
      }
    }
  }

  private static void awaitState(CloudProvider cloud, String cloudId, CloudState wanted) {
    await(cloudId + " in state " + wanted, () -> cloud.describe(cloudId)
        .map(CloudMachine::state).orElse(CloudState.GONE) == wanted);
  }

  private static void awaitGone(CloudProvider cloud, String cloudId) {
    await(cloudId + " gone", () -> cloud.describe(cloudId)
        .map(machine -> machine.state() == CloudState.GONE).orElse(true));
  }

  private static void await(String what, Supplier<Boolean> condition) {
    long deadline = System.nanoTime() + SETTLE.toNanos();
    while (!condition.get()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("expected " + what + " within " + SETTLE);
      }
      sleep(50);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting", e);
    }
  }
}
