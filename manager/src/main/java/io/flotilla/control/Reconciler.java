package io.flotilla.control;

import io.flotilla.config.SiteConfig;
import io.flotilla.config.SiteConfig.CloudConfig;
import io.flotilla.config.VoConfig;
import io.flotilla.context.ContextException;
import io.flotilla.lifecycle.CloudListing;
import io.flotilla.lifecycle.CloudPool;
import io.flotilla.lifecycle.Lifecycle;
import io.flotilla.provider.CloudException;
import io.flotilla.provider.CloudMachine;
import io.flotilla.provider.Tags;
import io.flotilla.state.MachineRecord;
import io.flotilla.state.MachineStore;
import io.flotilla.state.Transition;
import io.flotilla.trust.ImageCatalog;
import io.flotilla.trust.ImageCatalog.EndorsedImage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reconcile pass: compare what each VO should have on each cloud with what it has, advance
 * every machine one step, remove what the cloud holds for us without a record, and create
 * what is missing. Only the cluster's leader runs passes; a pass is never run twice at once.
 */
public final class Reconciler {
  private static final Logger log = LoggerFactory.getLogger(Reconciler.class);
  /** At most this many creates per VO and cloud in one pass, so one pass stays short. */
  static final int MAX_CREATES_PER_PASS = 10;

  private final SiteConfig config;
  private final MachineStore store;
  private final Lifecycle lifecycle;
  private final Map<String, CloudPool> clouds;
  private final ImageCatalog catalog;
  private final Backoff backoff;
  private final MachinePlanner planner;
  private final Clock clock;
  private final BooleanSupplier leader;
  private final Map<String, String> lastHoldReason = new HashMap<>();

  public Reconciler(SiteConfig config, MachineStore store, Lifecycle lifecycle,
      Map<String, CloudPool> clouds, ImageCatalog catalog, Backoff backoff,
      MachinePlanner planner, Clock clock, BooleanSupplier leader) {
    this.config = config;
    this.store = store;
    this.lifecycle = lifecycle;
    this.clouds = clouds;
    this.catalog = catalog;
    this.backoff = backoff;
    this.planner = planner;
    this.clock = clock;
    this.leader = leader;
  }

  /** Runs one pass if this manager leads. Blocks on cloud listings: call it on a worker. */
  public void pass() {
    if (!leader.getAsBoolean()) {
      return;
    }
    Map<String, CloudListing> listings = listAll();
    List<MachineRecord> records = store.all();
    for (MachineRecord machine : records) {
      if (!machine.state().isFinal() || !machine.accounted()) {
        lifecycle.advance(machine, listings.get(machine.cloud()));
      }
    }
    pauseAfterAborts(store.all());
    removeOrphans(listings, records);
    if (!lifecycle.draining()) {
      createMissing(records);
    }
  }

  /**
   * A machine that ended with an abort code (its VO had no work for it, or could not use
   * it) pauses its VO on its cloud for the VO's backoff time, counted from the moment the
   * machine stopped being live: at once, not when the cloud finally confirms its deletion,
   * or replacements would be created in between.
   */
  private void pauseAfterAborts(List<MachineRecord> records) {
    for (MachineRecord machine : records) {
      if (machine.state().isLive() || machine.accounted() || !machine.hasShutdownCode()) {
        continue;
      }
      VoConfig vo = config.vo(machine.vo()).orElse(null);
      if (vo == null || !vo.abortCodes().contains(machine.shutdownCode())) {
        continue;
      }
      Instant stopped = machine.history().stream()
          .filter(t -> !t.to().isLive()).map(Transition::at).findFirst().orElseThrow();
      Instant until = stopped.plus(vo.backoff());
      if (backoff.pause(vo.name(), machine.cloud(), until)) {
        log.warn("VO backing off vo={} cloud={} until={} code={} machine={}", vo.name(),
            machine.cloud(), until, machine.shutdownCode(), machine.id());
      }
    }
  }

  private Map<String, CloudListing> listAll() {
    Map<String, CloudListing> listings = new HashMap<>();
    for (CloudPool pool : clouds.values()) {
      Instant now = clock.instant();
      try {
        Map<String, CloudMachine> byId = new HashMap<>();
        for (CloudMachine machine : pool.provider().listTagged(Map.of(Tags.SITE, config.site()))) {
          if (machine.machineId() != null) {
            byId.put(machine.machineId(), machine);
          }
        }
        listings.put(pool.name(), new CloudListing(true, now, byId));
      } catch (CloudException e) {
        log.warn("cloud listing failed, skipping its checks this pass cloud={} error={}: {}",
            pool.name(), e.kind(), e.getMessage());
        listings.put(pool.name(), CloudListing.unavailable(now));
      }
    }
    return listings;
  }

  /** Machines tagged with our site that no record knows: left by a crash; delete them. */
  private void removeOrphans(Map<String, CloudListing> listings, List<MachineRecord> records) {
    Set<String> known = new HashSet<>();
    records.forEach(r -> known.add(r.id()));
    listings.forEach((cloud, listing) -> listing.byMachineId().forEach((id, machine) -> {
      if (!known.contains(id) && store.get(id).isEmpty()) {
        log.warn("orphan machine found, deleting it cloud={} cloud_id={} machine={}",
            cloud, machine.cloudId(), id);
        destroyOrphan(clouds.get(cloud), machine);
      }
    }));
  }

  private void destroyOrphan(CloudPool pool, CloudMachine machine) {
    pool.call(() -> {
      pool.provider().destroy(machine.cloudId());
      return null;
    }).onFailure(e -> log.warn("orphan delete failed, will retry next pass cloud={}"
        + " cloud_id={} error={}", pool.name(), machine.cloudId(), e.getMessage()));
  }

  private void createMissing(List<MachineRecord> records) {
    for (VoConfig vo : config.vos()) {
      for (String cloudName : vo.clouds()) {
        CloudConfig cloud = config.cloud(cloudName).orElseThrow();
        long live = records.stream().filter(r -> r.vo().equals(vo.name())
            && r.cloud().equals(cloudName) && r.state().isLive()).count();
        int wanted = (int) Math.min(vo.machines() - live, MAX_CREATES_PER_PASS);
        if (wanted > 0) {
          createFor(vo, cloud, wanted);
        }
      }
    }
  }

  private void createFor(VoConfig vo, CloudConfig cloud, int count) {
    Instant now = clock.instant();
    Optional<Instant> paused = backoff.pausedUntil(vo.name(), cloud.name(), now);
    if (paused.isPresent()) {
      hold(vo, cloud, "backing off until " + paused.get());
      return;
    }
    Optional<EndorsedImage> image = catalog.launchable(vo.image());
    if (image.isEmpty()) {
      hold(vo, cloud, "image " + vo.image() + " is not in any verified, unexpired image list");
      return;
    }
    Optional<String> imageRef = planner.cloudImage(cloud, vo.image());
    if (imageRef.isEmpty()) {
      hold(vo, cloud, "image " + vo.image() + " has no image reference on this cloud");
      return;
    }
    lastHoldReason.remove(vo.name() + "|" + cloud.name());
    for (int i = 0; i < count; i++) {
      MachinePlanner.Planned planned;
      try {
        planned = planner.plan(vo, cloud, image.get(), imageRef.get());
      } catch (ContextException e) {
        hold(vo, cloud, "user-data cannot be rendered: " + e.getMessage());
        return;
      }
      lifecycle.create(planned.record(), planned.spec())
          .onFailure(error -> pauseAfterRefusal(vo, cloud, error));
    }
  }

  /**
   * A cloud that refuses a create for a reason a retry cannot mend soon (bad request, quota,
   * credentials) or that throttles us gets no more creates from this VO for a while, so a
   * misconfiguration does not become a storm of failing calls.
   */
  private void pauseAfterRefusal(VoConfig vo, CloudConfig cloud, Throwable error) {
    if (!(error instanceof CloudException refusal)
        || refusal.kind() == CloudException.Kind.TRANSIENT) {
      return;
    }
    Duration pause = refusal.kind() == CloudException.Kind.THROTTLED
        && refusal.retryAfter() != null ? refusal.retryAfter() : vo.backoff();
    Instant until = clock.instant().plus(pause);
    backoff.pause(vo.name(), cloud.name(), until);
    log.warn("cloud refused a create, pausing creates vo={} cloud={} kind={} until={}",
        vo.name(), cloud.name(), refusal.kind(), until);
  }

  /** Logs why a VO gets no machines on a cloud, once per change of reason. */
  private void hold(VoConfig vo, CloudConfig cloud, String reason) {
    String key = vo.name() + "|" + cloud.name();
    if (!reason.equals(lastHoldReason.put(key, reason))) {
      log.warn("not creating machines vo={} cloud={} reason={}", vo.name(), cloud.name(), reason);
    }
  }
}
