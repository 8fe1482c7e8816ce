package io.flotilla.provider.sandbox;

import com.google.common.base.Predicates;
import com.google.common.collect.ImmutableSet;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import io.flotilla.provider.CloudException;
import io.flotilla.provider.CloudException.Kind;
import io.flotilla.provider.CloudMachine;
import io.flotilla.provider.CloudProvider;
import io.flotilla.provider.CloudState;
import io.flotilla.provider.Flavour;
import io.flotilla.provider.MachineSpec;
import io.flotilla.provider.ProjectQuota;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Collectors;
import org.jclouds.ContextBuilder;
import org.jclouds.compute.ComputeService;
import org.jclouds.compute.ComputeServiceContext;
import org.jclouds.compute.RunNodesException;
import org.jclouds.compute.domain.Hardware;
import org.jclouds.compute.domain.NodeMetadata;
import org.jclouds.compute.domain.NodeMetadata.Status;
import org.jclouds.compute.domain.Processor;
import org.jclouds.compute.domain.Template;
import org.jclouds.logging.slf4j.config.SLF4JLoggingModule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embedded cloud for the default run and for tests, built on jclouds' in-memory
 * {@code stub} compute service, with injected faults ({@link SandboxOptions}) and a
 * {@link GuestHost} view for guest emulators.
 *
 * <p>What the stub does and what this class adds:
 *
 * <ul>
 *   <li>The stub allocates ids, stores each node with its user metadata (our tags), lists,
 *       suspends (PENDING, then SUSPENDED after 50 ms) and destroys (PENDING, TERMINATED after
 *       50 ms, removed after 200 ms). Create goes PENDING, then RUNNING after 100 ms.
 *   <li>The stub has no portable user-data, so the bytes are kept here, by cloud id.
 *   <li>The stub's boot time is fixed at 100 ms and it cannot put a node in ERROR; the boot
 *       delay and the injected error are an overlay kept here and applied when a node is
 *       read. The stub's own timers write node states from a copy taken at create, so
 *       writing states into its table would be overwritten.
 *   <li>A destroyed machine is forgotten here at once, so describe returns empty even while
 *       the stub still shows the node for its last 200 ms.
 *   <li>The stub keeps nodes in static maps keyed by the account identity, shared by every
 *       context with that identity; each sandbox takes a fresh identity so two sandboxes (or
 *       two tests) never see each other's machines.
 * </ul>
 *
 * <p>Thread-safe. Calls block for at most about a hundred milliseconds (the stub's polling).
 */
public final class SandboxCloud implements CloudProvider, GuestHost {

  private static final Logger log = LoggerFactory.getLogger(SandboxCloud.class);
  private static final String GROUP = "flotilla";

  private final String name;
  private final SandboxOptions options;
  private final Clock clock;
  private final Random dice;
  private final ComputeServiceContext context;
  private final ComputeService compute;
  private final Map<String, Flavour> flavours;
  private final ConcurrentMap<String, Machine> machines = new ConcurrentHashMap<>();
  private final Object quotaLock = new Object();
  private final Object throttleLock = new Object();
  private int createsInFlight;
  private int createsAdmitted;
  private Instant throttledUntil;
  private volatile Outage outage;
  private volatile boolean closed;

  /** A time during which every API call fails as if the cloud could not be reached. */
  private record Outage(Instant from, Instant until) {
    boolean covers(Instant now) {
      return !now.isBefore(from) && now.isBefore(until);
    }
  }

  /** What the sandbox knows of one machine beyond the stub's node. */
  private static final class Machine {
    final String cloudId;
    final Flavour flavour;
    final byte[] userData;
    final Instant bootedAt;
    final boolean failsAtBoot;
    final Instant listedFrom;
    volatile boolean poweringOff;
    volatile boolean destroying;

    Machine(String cloudId, Flavour flavour, byte[] userData, Instant bootedAt,
        boolean failsAtBoot, Instant listedFrom) {
      this.cloudId = cloudId;
      this.flavour = flavour;
      this.userData = userData;
      this.bootedAt = bootedAt;
      this.failsAtBoot = failsAtBoot;
      this.listedFrom = listedFrom;
    }
  }

  public SandboxCloud(String name, SandboxOptions options) {
    this(name, options, Clock.systemUTC());
  }

  /** As {@link #SandboxCloud(String, SandboxOptions)}, with the clock that times boots. */
  public SandboxCloud(String name, SandboxOptions options, Clock clock) {
    this.name = Objects.requireNonNull(name, "name");
    this.options = Objects.requireNonNull(options, "options");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.dice = new Random(options.seed().orElseGet(() -> new SecureRandom().nextLong()));
    this.context = ContextBuilder.newBuilder("stub")
        .credentials("flotilla-sandbox-" + name + "-" + UUID.randomUUID(), "unused")
        .modules(ImmutableSet.of(new SLF4JLoggingModule()))
        .buildView(ComputeServiceContext.class);
    this.compute = context.getComputeService();
    this.flavours = compute.listHardwareProfiles().stream()
        .map(SandboxCloud::flavour)
        .collect(Collectors.toUnmodifiableMap(Flavour::id, f -> f));
    options.outageAfter().ifPresent(after -> {
      Instant from = clock.instant().plus(after);
      outage = new Outage(from, from.plus(options.outageLength()));
    });
  }

  /**
   * Makes the API unreachable from now for {@code time}: every create, describe, listing and
   * destroy fails as TRANSIENT, as when the network to a cloud is down. The machines keep
   * running and their guests keep working; only the API is gone.
   */
  public void unreachableFor(Duration time) {
    Instant now = clock.instant();
    outage = new Outage(now, now.plus(time));
    log.warn("sandbox API unreachable (injected) cloud={} until={}", name, now.plus(time));
  }

  @Override
  public String name() {
    return name;
  }

  /**
   * The stub's hardware profiles (small, medium, large) with their sizes, by id. Listing
   * them makes no call, so it works during an injected outage too.
   */
  @Override
  public List<Flavour> flavours() {
    checkOpen();
    return flavours.values().stream().sorted(Comparator.comparing(Flavour::id)).toList();
  }

  /**
   * Limits: {@code max_instances} alone (the {@code unreported_max_instances} quota is
   * enforced but, as its name says, not reported). Usage: every machine of this sandbox,
   * sized by its flavour; creates still in flight are not counted until they exist.
   */
  @Override
  public Optional<ProjectQuota> quota() {
    checkReachable("quota");
    Long max = options.maxInstances().isPresent()
        ? Long.valueOf(options.maxInstances().getAsInt()) : null;
    long cores = 0;
    long ramMb = 0;
    List<Machine> held = List.copyOf(machines.values());
    for (Machine machine : held) {
      cores += machine.flavour.cores();
      ramMb += machine.flavour.ramMb();
    }
    return Optional.of(new ProjectQuota(new ProjectQuota.Limits(max, null, null),
        new ProjectQuota.Usage((long) held.size(), cores, ramMb)));
  }

  @Override
  public CloudMachine create(MachineSpec spec) {
    checkReachable("create");
    checkSpec(spec);
    admitCreate(spec);
    if (roll(options.createFailureRate())) {
      throw new CloudException(Kind.TRANSIENT, "sandbox cloud " + name + ": create of machine "
          + spec.machineId() + " failed: injected fault (create_failure_rate="
          + options.createFailureRate() + ")");
    }
    reserveInstance(spec);
    try {
      return register(spec, createNode(spec));
    } finally {
      releaseReservation();
    }
  }

  @Override
  public Optional<CloudMachine> describe(String cloudId) {
    checkReachable("describe");
    Machine machine = machines.get(Objects.requireNonNull(cloudId, "cloudId"));
    if (machine == null) {
      return Optional.empty();
    }
    NodeMetadata node = compute.getNodeMetadata(cloudId);
    return node == null ? Optional.empty() : Optional.of(view(machine, node));
  }

  @Override
  public List<CloudMachine> listTagged(Map<String, String> tags) {
    checkReachable("list");
    Map<String, String> wanted = Map.copyOf(tags);
    return listedMachines().stream()
        .filter(machine -> machine.tags().entrySet().containsAll(wanted.entrySet()))
        .toList();
  }

  @Override
  public void destroy(String cloudId) {
    checkReachable("destroy");
    Machine machine = machines.get(Objects.requireNonNull(cloudId, "cloudId"));
    if (machine == null) {
      log.debug("sandbox destroy of unknown machine cloud={} cloudId={}", name, cloudId);
      return;
    }
    if (roll(options.destroyFailureRate())) {
      throw new CloudException(Kind.TRANSIENT, "sandbox cloud " + name + ": destroy of "
          + cloudId + " failed: injected fault (destroy_failure_rate="
          + options.destroyFailureRate() + ")");
    }
    machine.destroying = true;
    try {
      compute.destroyNode(cloudId);
    } catch (RuntimeException e) {
      machine.destroying = false;
      throw new CloudException(Kind.TRANSIENT, "sandbox cloud " + name + ": destroy of "
          + cloudId + " failed: " + e.getMessage(), e);
    }
    machines.remove(cloudId);
    log.info("sandbox machine destroyed cloud={} cloudId={}", name, cloudId);
  }

  @Override
  public byte[] userData(String cloudId) {
    checkOpen();
    return existing(cloudId).userData.clone();
  }

  @Override
  public void powerOff(String cloudId) {
    checkOpen();
    Machine machine = existing(cloudId);
    CloudState state = describe(cloudId).map(CloudMachine::state).orElse(CloudState.GONE);
    if (state == CloudState.STOPPED || state == CloudState.STOPPING && machine.poweringOff) {
      return;
    }
    if (state != CloudState.RUNNING) {
      throw new CloudException(Kind.INVALID_REQUEST, "sandbox cloud " + name + ": machine "
          + cloudId + " cannot power off: expected state RUNNING, actual " + state);
    }
    machine.poweringOff = true;
    try {
      compute.suspendNode(cloudId);
    } catch (RuntimeException e) {
      throw new CloudException(Kind.TRANSIENT, "sandbox cloud " + name + ": power-off of "
          + cloudId + " failed: " + e.getMessage(), e);
    }
    log.info("sandbox machine powered off by guest cloud={} cloudId={}", name, cloudId);
  }

  @Override
  public List<CloudMachine> running() {
    checkOpen();
    return allMachines().stream()
        .filter(machine -> machine.state() == CloudState.RUNNING)
        .toList();
  }

  /**
   * Maps a jclouds node status to the portable state. SUSPENDED is how jclouds names a
   * machine that is powered off but still exists (EC2 "stopped"), hence STOPPED.
   */
  static CloudState toCloudState(Status status) {
    return switch (status) {
      case PENDING -> CloudState.PENDING;
      case RUNNING -> CloudState.RUNNING;
      case SUSPENDED -> CloudState.STOPPED;
      case ERROR -> CloudState.ERROR;
      case TERMINATED -> CloudState.GONE;
      case UNRECOGNIZED -> CloudState.UNKNOWN;
    };
  }

  /** Forgets every machine of this sandbox and stops the stub's threads. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    // The stub's node table outlives the context (it is static); empty it so a long run
    // that opens many sandboxes does not keep their nodes.
    stubNodes().clear();
    machines.clear();
    context.close();
  }

  private void checkSpec(MachineSpec spec) {
    Objects.requireNonNull(spec, "spec");
    if (spec.imageRef().isBlank()) {
      throw new CloudException(Kind.INVALID_REQUEST, "sandbox cloud " + name + ": machine "
          + spec.machineId() + ": image reference is blank");
    }
    if (!flavours.containsKey(spec.flavour())) {
      throw new CloudException(Kind.INVALID_REQUEST, "sandbox cloud " + name + ": machine "
          + spec.machineId() + ": unknown flavour '" + spec.flavour() + "', expected one of "
          + flavours.keySet().stream().sorted().toList());
    }
  }

  /**
   * The API rate limit ({@code throttle_after}): the first N creates pass, then every create
   * is refused for {@code throttle_seconds}, after which counting starts afresh. A refused
   * create reaches nothing, as with a real cloud's rate limiter in front of its API.
   */
  private void admitCreate(MachineSpec spec) {
    if (options.throttleAfter().isEmpty()) {
      return;
    }
    synchronized (throttleLock) {
      Instant now = clock.instant();
      if (throttledUntil != null && !now.isBefore(throttledUntil)) {
        throttledUntil = null;
        createsAdmitted = 0;
      }
      if (throttledUntil == null && createsAdmitted < options.throttleAfter().getAsInt()) {
        createsAdmitted++;
        return;
      }
      if (throttledUntil == null) {
        throttledUntil = now.plus(options.throttlePeriod());
      }
      Duration wait = java.time.Duration.between(now, throttledUntil);
      throw new CloudException(Kind.THROTTLED, "sandbox cloud " + name + ": create of machine "
          + spec.machineId() + " throttled: " + options.throttleAfter().getAsInt()
          + " creates admitted, next admitted in " + wait.toMillis() + " ms (throttle_after)",
          null, wait, null);
    }
  }

  private void reserveInstance(MachineSpec spec) {
    synchronized (quotaLock) {
      int used = machines.size() + createsInFlight;
      int quota = Math.min(options.maxInstances().orElse(Integer.MAX_VALUE),
          options.unreportedQuota().orElse(Integer.MAX_VALUE));
      if (used >= quota) {
        throw new CloudException(Kind.QUOTA_EXCEEDED, "sandbox cloud " + name + ": create of "
            + "machine " + spec.machineId() + " refused: instance quota " + quota
            + " reached (" + used + " in use)", "instances", null, null);
      }
      createsInFlight++;
    }
  }

  private void releaseReservation() {
    synchronized (quotaLock) {
      createsInFlight--;
    }
  }

  private NodeMetadata createNode(MachineSpec spec) {
    Template template = compute.templateBuilder().hardwareId(spec.flavour()).build();
    // Tags travel as jclouds user metadata in the create call itself; blockUntilRunning is
    // off because the boot delay is ours, not the stub's.
    template.getOptions().userMetadata(spec.tags()).blockUntilRunning(false);
    try {
      return compute.createNodesInGroup(GROUP, 1, template).iterator().next();
    } catch (RunNodesException | RuntimeException e) {
      throw new CloudException(Kind.TRANSIENT, "sandbox cloud " + name + ": create of machine "
          + spec.machineId() + " failed in the stub: " + e.getMessage(), e);
    }
  }

  private CloudMachine register(MachineSpec spec, NodeMetadata node) {
    Instant bootedAt = clock.instant().plus(options.bootDelay());
    Machine machine = new Machine(node.getId(), flavours.get(spec.flavour()), spec.userData(),
        bootedAt,
        roll(options.errorRate()), clock.instant().plus(options.hideNew()));
    machines.put(machine.cloudId, machine);
    log.info("sandbox machine created cloud={} cloudId={} machineId={} failsAtBoot={}",
        name, machine.cloudId, spec.machineId(), machine.failsAtBoot);
    return view(machine, node);
  }

  /** A stub hardware profile as a flavour: its cores summed over its processors. */
  private static Flavour flavour(Hardware hardware) {
    double cores = hardware.getProcessors().stream().mapToDouble(Processor::getCores).sum();
    String label = hardware.getName() != null ? hardware.getName() : hardware.getId();
    return new Flavour(hardware.getId(), label, (int) Math.ceil(cores), hardware.getRam());
  }

  private List<CloudMachine> allMachines() {
    return machinesWhere(machine -> true);
  }

  /**
   * What the API lists: machines younger than {@code hide_new_seconds} are missing, as from
   * EC2's eventually consistent filtered listings; a describe by id already finds them.
   */
  private List<CloudMachine> listedMachines() {
    return machinesWhere(machine -> !hidden(machine));
  }

  private List<CloudMachine> machinesWhere(java.util.function.Predicate<Machine> wanted) {
    Map<String, NodeMetadata> nodes = new HashMap<>();
    for (NodeMetadata node : compute.listNodesDetailsMatching(Predicates.alwaysTrue())) {
      nodes.put(node.getId(), node);
    }
    List<CloudMachine> result = new ArrayList<>();
    for (Machine machine : machines.values()) {
      NodeMetadata node = nodes.get(machine.cloudId);
      if (node != null && wanted.test(machine)) {
        result.add(view(machine, node));
      }
    }
    return result;
  }

  private boolean hidden(Machine machine) {
    return clock.instant().isBefore(machine.listedFrom);
  }

  private void checkReachable(String call) {
    checkOpen();
    Outage now = outage;
    if (now != null && now.covers(clock.instant())) {
      throw new CloudException(Kind.TRANSIENT, "sandbox cloud " + name + ": " + call
          + " failed: cloud unreachable (injected outage until " + now.until() + ")");
    }
  }

  private CloudMachine view(Machine machine, NodeMetadata node) {
    Status status = effectiveStatus(machine, node.getStatus());
    CloudState state = toCloudState(status);
    boolean leaving = machine.destroying || machine.poweringOff;
    if (leaving && state != CloudState.STOPPED) {
      // The stub shows PENDING while it suspends or deletes; to a caller that is STOPPING.
      state = CloudState.STOPPING;
    }
    return new CloudMachine(machine.cloudId, state, status.name(), node.getUserMetadata());
  }

  private Status effectiveStatus(Machine machine, Status stubStatus) {
    if (stubStatus != Status.RUNNING || machine.poweringOff || machine.destroying) {
      return stubStatus;
    }
    if (clock.instant().isBefore(machine.bootedAt)) {
      return Status.PENDING;
    }
    return machine.failsAtBoot ? Status.ERROR : Status.RUNNING;
  }

  private Machine existing(String cloudId) {
    Machine machine = machines.get(Objects.requireNonNull(cloudId, "cloudId"));
    if (machine == null) {
      throw new CloudException(Kind.NOT_FOUND, "sandbox cloud " + name + ": machine "
          + cloudId + " does not exist");
    }
    return machine;
  }

  private boolean roll(double rate) {
    synchronized (dice) {
      return dice.nextDouble() < rate;
    }
  }

  private ConcurrentMap<String, NodeMetadata> stubNodes() {
    return context.utils().injector().getInstance(
        Key.get(new TypeLiteral<ConcurrentMap<String, NodeMetadata>>() {}));
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("sandbox cloud " + name + " is closed");
    }
  }
}
