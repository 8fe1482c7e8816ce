package io.flotilla.control;

import io.flotilla.config.ControlConfig.ImagePolicy;
import io.flotilla.config.SiteConfig;
import io.flotilla.config.SiteConfig.CloudConfig;
import io.flotilla.config.VoConfig;
import io.flotilla.context.ContextException;
import io.flotilla.control.PlanInputs.QuotaSource;
import io.flotilla.lifecycle.CloudListing;
import io.flotilla.lifecycle.CloudPool;
import io.flotilla.lifecycle.DrainBook;
import io.flotilla.lifecycle.Lifecycle;
import io.flotilla.provider.CloudException;
import io.flotilla.provider.CloudMachine;
import io.flotilla.state.MachineRecord;
import io.flotilla.state.MachineState;
import io.flotilla.state.MachineStore;
import io.flotilla.trust.ImageCatalog;
import io.flotilla.trust.ImageCatalog.EndorsedImage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
 * One reconcile pass: advance every machine one step, account the ones that ended, note
 * aborts and revoked images, remove what the cloud holds for us without a record, then ask
 * the {@link Planner} what to create and drain and do it. Only the cluster's leader runs
 * passes; a pass is never run twice at once.
 */
public final class Reconciler {
  private static final Logger log = LoggerFactory.getLogger(Reconciler.class);

  private final SiteConfig config;
  private final MachineStore store;
  private final Lifecycle lifecycle;
  private final Map<String, CloudPool> clouds;
  private final ImageCatalog catalog;
  private final Backoff backoff;
  private final MachinePlanner planner;
  private final Demand demand;
  private final DrainBook drainBook;
  private final QuotaSource quotas;
  private final Clock clock;
  private final BooleanSupplier leader;
  private final Map<String, String> lastHoldReason = new HashMap<>();
  private volatile List<PlanAction> lastPlan = List.of();

  /** The collaborators of a pass; the shared maps come from the cluster. */
  public record Parts(MachineStore store, Lifecycle lifecycle, Map<String, CloudPool> clouds,
      ImageCatalog catalog, Backoff backoff, MachinePlanner planner, Demand demand,
      DrainBook drainBook, QuotaSource quotas) {}

  /**
   * @throws IllegalArgumentException if a share-mode space has no processor limit, neither
   *     in the site file nor from its cloud
   */
  public Reconciler(SiteConfig config, Parts parts, Clock clock, BooleanSupplier leader) {
    this.config = config;
    this.store = parts.store();
    this.lifecycle = parts.lifecycle();
    this.clouds = parts.clouds();
    this.catalog = parts.catalog();
    this.backoff = parts.backoff();
    this.planner = parts.planner();
    this.demand = parts.demand();
    this.drainBook = parts.drainBook();
    this.quotas = parts.quotas();
    this.clock = clock;
    this.leader = leader;
    checkLimits(config, quotas);
    if (config.control().siteShutdown() != null) {
      drainBook.drainSite(config.control().siteShutdown());
    }
  }

  /**
   * Refuses a space used by a share-mode VO that has no processor limit: shares of an
   * unbounded space mean nothing, and creation would only stop at the cloud's refusals.
   */
  public static void checkLimits(SiteConfig config, QuotaSource quotas) {
    for (VoConfig vo : config.vos()) {
      if (!config.control().vo(vo.name()).shareMode()) {
        continue;
      }
      for (String cloudName : vo.clouds()) {
        CloudConfig cloud = config.cloud(cloudName).orElseThrow();
        boolean limited = config.control().space(cloudName).limits().hasProcessorLimit()
            || quotas.limits(cloud).hasProcessorLimit();
        if (!limited) {
          throw new IllegalArgumentException(config.source() + ": clouds." + cloudName
              + ".limits.processors: VO " + vo.name() + " takes a target_share of this space,"
              + " which needs a processor limit; set one, or use a cloud that reports its"
              + " quota");
        }
      }
    }
  }

  /** The plan of the last pass, for status reports and tests. */
  public List<PlanAction> lastPlan() {
    return lastPlan;
  }

  /** Runs one pass if this manager leads. Blocks on cloud listings: call it on a worker. */
  public void pass() {
    if (!leader.getAsBoolean()) {
      return;
    }
    DrainBook.View drains = lifecycle.refreshDrains();
    Map<String, List<CloudMachine>> foreign = new HashMap<>();
    Map<String, CloudListing> listings = listAll(foreign);
    List<MachineRecord> records = store.all();
    for (MachineRecord machine : records) {
      if (!machine.state().isFinal()) {
        lifecycle.advance(machine, listings.get(machine.cloud()));
      }
    }
    List<MachineRecord> now = store.all();
    lifecycle.account(now);
    List<MachineSummary> summaries = PlanInputs.summaries(now);
    recordAborts(summaries);
    if (noteImageRevocations(summaries)) {
      drains = lifecycle.refreshDrains();
    }
    removeOrphans(listings, records);
    PlanInput input = PlanInputs.input(config, summaries,
        PlanInputs.spaces(config, listings, foreign, quotas), demand, backoff.view(), drains,
        PlanInputs.imageHolds(config, catalog, planner::cloudImage), clock.instant());
    lastPlan = Planner.plan(input);
    apply(lastPlan, now);
  }

  /**
   * Notes the latest abort of each type on each space in the shared backoff map, so it
   * outlives the records of the machines that aborted.
   */
  private void recordAborts(List<MachineSummary> summaries) {
    Map<String, MachineSummary> latest = new HashMap<>();
    Map<String, MachineType> types = new HashMap<>();
    PlanInputs.types(config).forEach(t -> types.put(t.name(), t));
    for (MachineSummary machine : summaries) {
      MachineType type = types.get(machine.vo());
      if (type != null && type.isAbort(machine)) {
        latest.merge(PlanInput.key(machine.vo(), machine.space()), machine,
            (a, b) -> a.leftLiveAt() >= b.leftLiveAt() ? a : b);
      }
    }
    latest.values().forEach(machine -> {
      MachineType type = types.get(machine.vo());
      Instant at = Instant.ofEpochMilli(machine.leftLiveAt());
      if (backoff.recordAbort(machine.vo(), machine.space(), at)) {
        log.warn("machine type backing off vo={} space={} abort_at={} until={} code={}"
            + " machine={}", machine.vo(), machine.space(), at,
            at.plus(type.vo().backoff()), machine.code(), machine.id());
      }
    });
  }

  /**
   * Under a drain or terminate policy, an image that left every endorsed list drains the
   * machines running it; an image endorsed again is forgiven.
   *
   * @return true if a new revocation was recorded
   */
  private boolean noteImageRevocations(List<MachineSummary> summaries) {
    if (config.control().imageRevocation() == ImagePolicy.KEEP) {
      return false;
    }
    Set<String> running = new HashSet<>();
    summaries.stream().filter(MachineSummary::live).forEach(m -> running.add(m.imageId()));
    boolean news = false;
    for (String image : running) {
      if (catalog.launchable(image).isPresent()) {
        drainBook.imageRestored(image);
      } else if (drainBook.imageRevoked(image, clock.instant())) {
        log.warn("image no longer endorsed, draining its machines image={} policy={}", image,
            config.control().imageRevocation());
        news = true;
      }
    }
    return news;
  }

  private Map<String, CloudListing> listAll(Map<String, List<CloudMachine>> foreign) {
    Map<String, CloudListing> listings = new HashMap<>();
    for (CloudPool pool : clouds.values()) {
      Instant now = clock.instant();
      try {
        List<CloudMachine> others = new ArrayList<>();
        Map<String, CloudMachine> ours = PlanInputs.ours(config.site(),
            pool.provider().listTagged(Map.of()), others);
        foreign.put(pool.name(), others);
        listings.put(pool.name(), new CloudListing(true, now, ours));
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

  /* ---- Applying a plan ---- */

  private void apply(List<PlanAction> plan, List<MachineRecord> records) {
    Map<String, MachineRecord> byId = new HashMap<>();
    for (PlanAction action : plan) {
      VoConfig vo = config.vo(action.vo()).orElseThrow();
      CloudConfig cloud = config.cloud(action.space()).orElseThrow();
      switch (action.kind()) {
        case CREATE -> create(vo, cloud, action);
        case HOLD -> hold(vo, cloud, action.reason());
        case DRAIN -> {
          if (byId.isEmpty()) {
            records.forEach(r -> byId.put(r.id(), r));
          }
          drain(vo, action, byId);
        }
        default -> throw new IllegalStateException("unhandled action " + action.kind());
      }
    }
  }

  private void create(VoConfig vo, CloudConfig cloud, PlanAction action) {
    Optional<EndorsedImage> image = catalog.launchable(vo.image());
    Optional<String> imageRef = planner.cloudImage(cloud, vo.image());
    if (image.isEmpty() || imageRef.isEmpty()) {
      hold(vo, cloud, "image " + vo.image() + " became unavailable during the pass");
      return;
    }
    lastHoldReason.remove(PlanInput.key(vo.name(), cloud.name()));
    log.info("creating machines vo={} space={} count={} reason={}", vo.name(), cloud.name(),
        action.count(), action.reason());
    for (int i = 0; i < action.count(); i++) {
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
   * Applies demand drains: the machine gets its grace period. Site, VO and image drains are
   * left to the lifecycle, which applies them as it advances each machine, after it has
   * seen whether a booting guest made contact.
   */
  private void drain(VoConfig vo, PlanAction action, Map<String, MachineRecord> byId) {
    Instant now = clock.instant();
    DrainBook.View drains = lifecycle.refreshDrains();
    log.info("draining machines vo={} space={} count={} reason={}", vo.name(), action.space(),
        action.count(), action.reason());
    for (String id : action.machineIds()) {
      MachineRecord machine = byId.get(id);
      if (machine == null || machine.state() == MachineState.GONE) {
        continue;
      }
      if (drains.deadlineMillis(vo.name(), machine.imageId(), vo.grace()) == Long.MAX_VALUE) {
        lifecycle.drain(machine, now.plus(vo.grace()), action.reason());
      }
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
    String key = PlanInput.key(vo.name(), cloud.name());
    if (!reason.equals(lastHoldReason.put(key, reason))) {
      log.info("not creating machines vo={} space={} reason={}", vo.name(), cloud.name(),
          reason);
    }
  }
}
