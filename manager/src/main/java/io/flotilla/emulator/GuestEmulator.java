package io.flotilla.emulator;

import io.flotilla.provider.CloudMachine;
import io.flotilla.provider.Tags;
import io.flotilla.provider.sandbox.GuestHost;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fleet of emulated pilot VMs: polls a {@link GuestHost} for machines that have started
 * running and plays each one as an {@link EmulatedGuest}, talking to the manager over HTTP
 * only. What each VM does (its VO's queue, job count and lengths, whether it heartbeats) is
 * drawn from {@link EmulatorOptions} when the machine is first seen; with a fixed seed the
 * same machines get the same plans.
 *
 * <p>All guests run on one event-loop context, taken when {@link #start()} is called; the
 * public methods may be called from any thread.
 */
public final class GuestEmulator {

  /** How often the host is asked for newly running machines, unless a test says otherwise. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);

  private static final Logger log = LoggerFactory.getLogger(GuestEmulator.class);

  private final Vertx vertx;
  private final GuestHost host;
  private final EmulatorOptions options;
  private final Duration pollInterval;
  private final Clock clock;
  private final WebClient client;
  private final Random dice;
  private final EmulatorCounters counters = new EmulatorCounters();
  private final Set<String> seen = new HashSet<>();
  private final Map<String, EmulatedGuest> guests = new HashMap<>();
  private Context context;
  private long pollTimer = -1;
  private boolean polling;
  private volatile boolean closed;

  public GuestEmulator(Vertx vertx, GuestHost host, EmulatorOptions options) {
    this(vertx, host, options, DEFAULT_POLL_INTERVAL, Clock.systemUTC());
  }

  /**
   * As {@link #GuestEmulator(Vertx, GuestHost, EmulatorOptions)}, with the poll interval and
   * the clock the guests read "now" from (unix seconds, compared with MJF times).
   */
  public GuestEmulator(Vertx vertx, GuestHost host, EmulatorOptions options,
      Duration pollInterval, Clock clock) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.host = Objects.requireNonNull(host, "host");
    this.options = Objects.requireNonNull(options, "options");
    this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (pollInterval.toMillis() < 1) {
      throw new IllegalArgumentException("guest emulator poll interval must be at least 1 ms,"
          + " got " + pollInterval);
    }
    this.client = WebClient.create(vertx,
        new WebClientOptions().setUserAgent("flotilla-guest-emulator"));
    this.dice = new Random(options.seed().orElseGet(() -> new SecureRandom().nextLong()));
  }

  /** Starts polling for running machines; completes once the first poll is scheduled. */
  public synchronized Future<Void> start() {
    if (context != null || closed) {
      return Future.failedFuture(new IllegalStateException(
          "guest emulator can be started once, and not after close"));
    }
    context = vertx.getOrCreateContext();
    Promise<Void> started = Promise.promise();
    context.runOnContext(v -> {
      pollTimer = vertx.setPeriodic(0, pollInterval.toMillis(), id -> poll());
      started.complete();
    });
    return started.future();
  }

  /** Stops every guest (no more requests, no power-off) and the polling; idempotent. */
  public synchronized Future<Void> close() {
    if (closed) {
      return Future.succeededFuture();
    }
    closed = true;
    if (context == null) {
      client.close();
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      vertx.cancelTimer(pollTimer);
      new ArrayList<>(guests.values()).forEach(EmulatedGuest::stop);
      guests.clear();
      client.close();
      done.complete();
    });
    return done.future();
  }

  /** What the guests have done so far. */
  public EmulatorCounters counters() {
    return counters;
  }

  private void poll() {
    if (polling || closed) {
      return;
    }
    polling = true;
    vertx.executeBlocking(host::running, false)
        .onSuccess(this::startNewGuests)
        .onFailure(e -> log.warn("guest emulator cannot list running machines reason={}",
            e.getMessage()))
        .onComplete(done -> polling = false);
  }

  private void startNewGuests(List<CloudMachine> running) {
    List<CloudMachine> sorted = new ArrayList<>(running);
    // A stable order makes a seeded run hand out the same plans every time.
    sorted.sort(Comparator.comparing(CloudMachine::cloudId));
    for (CloudMachine machine : sorted) {
      if (!closed && seen.add(machine.cloudId())) {
        startGuest(machine);
      }
    }
  }

  private void startGuest(CloudMachine machine) {
    GuestPlan plan = plan(machine);
    EmulatedGuest guest = new EmulatedGuest(
        vertx, client, host, machine.cloudId(), plan, counters, clock);
    guests.put(machine.cloudId(), guest);
    counters.guestStarted();
    guest.start().onComplete(outcome -> {
      guests.remove(machine.cloudId());
      log.debug("guest ended cloudId={} outcome={}", machine.cloudId(), outcome.result());
    });
  }

  private GuestPlan plan(CloudMachine machine) {
    String vo = machine.tags().get(Tags.VO);
    if (vo == null) {
      log.warn("guest machine has no VO tag, its queue is taken as non-empty cloudId={} tag={}",
          machine.cloudId(), Tags.VO);
      vo = "";
    }
    boolean silent = dice.nextDouble() < options.silentRate();
    int jobCount = options.jobsPerVmMin()
        + dice.nextInt(options.jobsPerVmMax() - options.jobsPerVmMin() + 1);
    List<Duration> jobs = new ArrayList<>();
    for (int i = 0; i < jobCount; i++) {
      jobs.add(jobDuration());
    }
    boolean emptyQueue = options.emptyQueueVos().contains(vo);
    return new GuestPlan(vo, silent, emptyQueue ? List.of() : jobs);
  }

  private Duration jobDuration() {
    long min = options.jobMin().toMillis();
    long spread = options.jobMax().toMillis() - min;
    return Duration.ofMillis(min + (spread == 0 ? 0 : (long) (dice.nextDouble() * spread)));
  }
}
