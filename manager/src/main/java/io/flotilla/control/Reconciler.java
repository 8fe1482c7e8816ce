package io.flotilla.control;

import io.flotilla.cloudcalls.CloudCall;
import io.flotilla.cloudcalls.CloudGate;
import io.flotilla.cloudcalls.NotSentException;
import io.flotilla.cloudcalls.QuotaClamps;
import io.flotilla.config.CloudPolicy.OrphanPolicy;
import io.flotilla.config.ControlConfig.ImagePolicy;
import io.flotilla.config.ControlConfig.Quota;
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
import io.flotilla.provider.CloudState;
import io.flotilla.provider.ProjectQuota;
import io.flotilla.provider.Tags;
import io.flotilla.state.MachineRecord;
import io.flotilla.state.MachineSpecs;
import io.flotilla.state.MachineState;
import io.flotilla.state.MachineStore;
import io.flotilla.state.Transition;
import io.flotilla.trust.ImageCatalog;
import io.flotilla.trust.ImageCatalog.EndorsedImage;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
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
  private final QuotaClamps clamps = new QuotaClamps();
  private final Queue<Refusal> refusals = new ConcurrentLinkedQueue<>();
  private final Set<String> unlisted = new HashSet<>();
  private volatile List<PlanAction> lastPlan = List.of();

  /** A create the cloud refused, handled at the start of the next pass, off the event loop. */
  private record Refusal(VoConfig vo, CloudConfig cloud, CloudException error) {}

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
    quotas.refresh();
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

  /** Limits lowered after quota refusals, for status reports, metrics and tests. */
  public QuotaClamps quotaClamps() {
    return clamps;
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
    quotas.refresh();
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
    removeOrphans(listings, now);
    handleRefusals(summaries, foreign);
    Instant at = clock.instant();
    Map<String, String> holds =
        new HashMap<>(PlanInputs.imageHolds(config, catalog, planner::cloudImage));
    cloudPauseHolds(holds);
    PlanInput input = PlanInputs.input(config, summaries,
        PlanInputs.spaces(config, listings, foreign, clampedAt(at), summaries), demand,
        backoff.view(), drains, holds, at);
    lastPlan = Planner.plan(input);
    apply(lastPlan, now);
  }

  /** The quotas of this pass, with the limits lowered after quota refusals. */
  private QuotaSource clampedAt(Instant at) {
    return new QuotaSource() {
      @Override
      public Quota limits(CloudConfig cloud) {
        return clamps.apply(cloud.name(), quotas.limits(cloud), at);
      }

      @Override
      public Optional<ProjectQuota.Usage> used(CloudConfig cloud) {
        return quotas.used(cloud);
      }
    };
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
            pool.await(CloudCall.LIST, () -> pool.provider().listTagged(Map.of())), others);
        foreign.put(pool.name(), others);
        listings.put(pool.name(), new CloudListing(true, now, ours));
        if (unlisted.remove(pool.name())) {
          log.info("cloud listing available again cloud={}", pool.name());
        }
      } catch (CloudException e) {
        if (unlisted.add(pool.name())) {
          log.warn("cloud listing failed, skipping its checks until it answers cloud={}"
              + " error={}: {}", pool.name(), e.kind(), e.getMessage());
        }
        listings.put(pool.name(), CloudListing.unavailable(now));
      }
    }
    return listings;
  }

  /**
   * Machines tagged with our site that no record knows (left by a crash) are deleted or
   * adopted, as the cloud's {@code orphans} policy says. Machines whose record already ended
   * (a create that answered after its timeout, or that the cloud hid for a while) are always
   * deleted.
   */
  private void removeOrphans(Map<String, CloudListing> listings, List<MachineRecord> records) {
    Map<String, MachineRecord> known = new HashMap<>();
    records.forEach(r -> known.put(r.id(), r));
    listings.forEach((cloud, listing) -> listing.byMachineId().forEach((id, machine) -> {
      MachineRecord record = known.get(id);
      if (machine.state() == CloudState.GONE || lifecycle.busy(id)) {
        return;
      }
      if (record != null && record.state().isFinal() && endedBefore(record, listing)) {
        log.warn("machine outlived its record, deleting it cloud={} cloud_id={} machine={}",
            cloud, machine.cloudId(), id);
        destroyOrphan(clouds.get(cloud), machine);
      } else if (record == null && store.get(id).isEmpty()) {
        orphan(clouds.get(cloud), id, machine);
      }
    }));
  }

  /** Whether the record ended before the listing was taken, so the listing is news. */
  private static boolean endedBefore(MachineRecord record, CloudListing listing) {
    List<Transition> history = record.history();
    return !history.isEmpty()
        && history.get(history.size() - 1).at().isBefore(listing.takenAt());
  }

  private void orphan(CloudPool pool, String id, CloudMachine machine) {
    Optional<VoConfig> vo = Optional.ofNullable(machine.tags().get(Tags.VO))
        .flatMap(config::vo).filter(v -> v.clouds().contains(pool.name()));
    if (pool.policy().orphans() == OrphanPolicy.ADOPT && vo.isPresent()) {
      log.warn("orphan machine found, adopting it until its VO's lifetime ends cloud={}"
          + " cloud_id={} machine={} vo={}", pool.name(), machine.cloudId(), id,
          vo.get().name());
      lifecycle.adopt(adoptedRecord(id, vo.get(), pool.name()), machine);
      return;
    }
    log.warn("orphan machine found, deleting it cloud={} cloud_id={} machine={} policy={}",
        pool.name(), machine.cloudId(), id, vo.isPresent() ? pool.policy().orphans()
            : "terminate (its VO tag names no VO of this cloud)");
    destroyOrphan(pool, machine);
  }

  /** A record for an adopted machine, sized as its VO's machines are now. */
  private MachineRecord adoptedRecord(String id, VoConfig vo, String cloud) {
    MachineSpecs specs = new MachineSpecs(vo.cores(), vo.ramMb(), vo.hs06PerCore() * vo.cores(),
        vo.lifetime().toSeconds(), vo.grace().toSeconds(), vo.heartbeat().toSeconds());
    String machineId = isUuid(id) ? id : UUID.randomUUID().toString();
    return MachineRecord.requested(machineId, vo.name(), cloud, vo.image(), specs,
        Lifecycle.ADOPTED, clock.instant());
  }

  private static boolean isUuid(String id) {
    try {
      return UUID.fromString(id).toString().equals(id);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private void destroyOrphan(CloudPool pool, CloudMachine machine) {
    pool.call(CloudCall.DESTROY, () -> {
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
    CloudPool pool = clouds.get(cloud.name());
    for (int i = 0; i < action.count(); i++) {
      Optional<CloudGate.Pause> pause = pool.gate().createsPaused();
      if (pause.isPresent()) {
        hold(vo, cloud, "cloud paused until " + pause.get().until() + ": "
            + pause.get().reason());
        return;
      }
      MachinePlanner.Planned planned;
      try {
        planned = planner.plan(vo, cloud, image.get(), imageRef.get());
      } catch (ContextException e) {
        hold(vo, cloud, "user-data cannot be rendered: " + e.getMessage());
        return;
      }
      lifecycle.create(planned.record(), planned.spec()).onFailure(error -> {
        if (error instanceof CloudException refusal && !(error instanceof NotSentException)) {
          refusals.add(new Refusal(vo, cloud, refusal));
        }
      });
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
   * Acts on the creates refused since the last pass. Throttling and refused credentials
   * have already paused the whole cloud ({@link CloudGate}); a quota refusal lowers the
   * space's limit to what it holds now; a request the cloud calls invalid pauses the VO on
   * that cloud for its {@code backoff}, so a misconfiguration does not become a storm of
   * failing calls.
   */
  private void handleRefusals(List<MachineSummary> machines,
      Map<String, List<CloudMachine>> foreign) {
    Set<String> clamped = new HashSet<>();
    for (Refusal refusal = refusals.poll(); refusal != null; refusal = refusals.poll()) {
      String cloud = refusal.cloud().name();
      switch (refusal.error().kind()) {
        case QUOTA_EXCEEDED -> {
          if (clamped.add(cloud)) {
            clamps.lower(cloud, refusal.error().resource(), held(cloud, machines, foreign),
                clock.instant().plus(refusal.cloud().policy().quotaRecheck()));
            clouds.get(cloud).gate().quotaLimitLowered();
          }
        }
        case INVALID_REQUEST -> pauseVo(refusal);
        default -> { }
      }
    }
  }

  /**
   * What a space holds in the cloud: our machines that may hold it (creates still in flight
   * included, as the planner counts them), and others' as instances.
   */
  private static QuotaClamps.Held held(String cloud, List<MachineSummary> machines,
      Map<String, List<CloudMachine>> foreign) {
    long instances = foreign.getOrDefault(cloud, List.of()).stream()
        .filter(m -> m.state() != CloudState.GONE).count();
    long processors = 0;
    long ramMb = 0;
    for (MachineSummary machine : machines) {
      if (machine.space().equals(cloud) && machine.holdsCloud()) {
        instances++;
        processors += machine.cores();
        ramMb += machine.ramMb();
      }
    }
    return new QuotaClamps.Held(instances, processors, ramMb);
  }

  private void pauseVo(Refusal refusal) {
    Instant until = clock.instant().plus(refusal.vo().backoff());
    backoff.pause(refusal.vo().name(), refusal.cloud().name(), until);
    log.warn("cloud refused a create as invalid, pausing creates vo={} cloud={} until={}"
        + " error={}", refusal.vo().name(), refusal.cloud().name(), until,
        refusal.error().getMessage());
  }

  /** Every VO of a cloud whose creates are paused is held there, with the pause's reason. */
  private void cloudPauseHolds(Map<String, String> holds) {
    for (VoConfig vo : config.vos()) {
      for (String cloud : vo.clouds()) {
        CloudPool pool = clouds.get(cloud);
        Optional<CloudGate.Pause> pause = pool == null ? Optional.empty()
            : pool.gate().createsPaused();
        pause.ifPresent(p -> holds.putIfAbsent(PlanInput.key(vo.name(), cloud),
            "cloud paused until " + p.until() + ": " + p.reason()));
      }
    }
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
