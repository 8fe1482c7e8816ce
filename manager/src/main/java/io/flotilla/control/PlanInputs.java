package io.flotilla.control;

import io.flotilla.config.ControlConfig;
import io.flotilla.config.ControlConfig.Quota;
import io.flotilla.config.SiteConfig;
import io.flotilla.config.SiteConfig.CloudConfig;
import io.flotilla.config.VoConfig;
import io.flotilla.lifecycle.CloudListing;
import io.flotilla.lifecycle.DrainBook;
import io.flotilla.lifecycle.Lifecycle;
import io.flotilla.provider.CloudMachine;
import io.flotilla.provider.CloudState;
import io.flotilla.provider.ProjectQuota;
import io.flotilla.provider.Tags;
import io.flotilla.state.MachineRecord;
import io.flotilla.trust.ImageCatalog;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Builds a {@link PlanInput} from what a manager (or {@code flotilla plan}) has at hand:
 * machine records, cloud listings, the image catalog and the shared maps.
 */
public final class PlanInputs {
  private PlanInputs() {}

  /** The machine types of a site, in site-file order. */
  public static List<MachineType> types(SiteConfig config) {
    List<MachineType> types = new ArrayList<>();
    for (VoConfig vo : config.vos()) {
      types.add(MachineType.of(vo, config.control().vo(vo.name())));
    }
    return types;
  }

  /**
   * The fizzle time and heartbeat tolerance of each VO, for the lifecycle; an unknown VO
   * (its machines outlived a configuration change) gets the defaults.
   */
  public static Function<String, Lifecycle.EndRules> endRules(SiteConfig config) {
    Map<String, Lifecycle.EndRules> rules = new HashMap<>();
    for (MachineType type : types(config)) {
      Duration tolerance = type.policy().heartbeatTolerance() != null
          ? type.policy().heartbeatTolerance()
          : Lifecycle.defaultTolerance(type.vo().heartbeat(), config.lifecycle().cycle());
      rules.put(type.name(), new Lifecycle.EndRules(type.fizzle(), tolerance));
    }
    Lifecycle.EndRules fallback = new Lifecycle.EndRules(MachineType.DEFAULT_FIZZLE,
        config.lifecycle().cycle().multipliedBy(2));
    return vo -> rules.getOrDefault(vo, fallback);
  }

  /** Compact summaries of the records, sharing their VO, cloud and image strings. */
  public static List<MachineSummary> summaries(List<MachineRecord> records) {
    Map<String, String> names = new HashMap<>();
    List<MachineSummary> summaries = new ArrayList<>(records.size());
    records.forEach(record -> summaries.add(MachineSummary.of(record, names)));
    return summaries;
  }

  /**
   * As {@link #spaces(SiteConfig, Map, Map, QuotaSource, List)} with no machine records: a
   * cloud's reported usage then counts wholly as foreign.
   */
  public static List<SpaceView> spaces(SiteConfig config, Map<String, CloudListing> listings,
      Map<String, List<CloudMachine>> foreign, QuotaSource quotas) {
    return spaces(config, listings, foreign, quotas, List.of());
  }

  /**
   * What each cloud reported: whether its listing came, the quota it reports, and what the
   * machines not started by this site use there. Where the cloud reports its usage, that is
   * the usage less what our machines hold ({@code machines} that hold the cloud, sized as the
   * planner charges them), and never fewer instances than the listing shows of others; where
   * it does not, the others in the listing, counted as instances only.
   */
  public static List<SpaceView> spaces(SiteConfig config, Map<String, CloudListing> listings,
      Map<String, List<CloudMachine>> foreign, QuotaSource quotas,
      List<MachineSummary> machines) {
    Map<String, MachineType> types = new HashMap<>();
    types(config).forEach(type -> types.put(type.name(), type));
    List<SpaceView> views = new ArrayList<>();
    for (CloudConfig cloud : config.clouds()) {
      CloudListing listing = listings.get(cloud.name());
      boolean available = listing != null && listing.available();
      long others = foreign.getOrDefault(cloud.name(), List.of()).stream()
          .filter(m -> m.state() != CloudState.GONE).count();
      Usage foreignUsage = quotas.used(cloud)
          .map(used -> beyond(used, held(config, cloud.name(), machines, types), others))
          .orElse(new Usage(others, 0, 0, 0));
      views.add(new SpaceView(cloud.name(), available, quotas.limits(cloud), foreignUsage));
    }
    return views;
  }

  /** What our machines that may still be in a space hold there, as the planner counts it. */
  private static Usage held(SiteConfig config, String space, List<MachineSummary> machines,
      Map<String, MachineType> types) {
    ControlConfig.SpaceLimits limits = config.control().space(space);
    Tallies.Counter held = new Tallies.Counter();
    for (MachineSummary machine : machines) {
      if (machine.holdsCloud() && space.equals(machine.space())) {
        MachineType type = types.get(machine.vo());
        held.add(type != null ? Tallies.Size.charged(type, limits)
            : Tallies.Size.ofMachine(machine, limits));
      }
    }
    return new Usage(held.instances, held.processors, held.ramMb, held.hs06);
  }

  /**
   * The cloud's usage beyond ours, each amount at least 0; an amount the cloud does not
   * report is 0, but instances are never fewer than the others the listing shows.
   */
  private static Usage beyond(ProjectQuota.Usage used, Usage ours, long listedOthers) {
    return new Usage(Math.max(listedOthers, excess(used.instances(), ours.instances())),
        excess(used.cores(), ours.processors()), excess(used.ramMb(), ours.ramMb()), 0);
  }

  private static long excess(Long reported, long ours) {
    return reported == null ? 0 : Math.max(0, reported - ours);
  }

  /** Splits one full listing of a cloud into ours (by machine id) and everyone else's. */
  public static Map<String, CloudMachine> ours(String site, List<CloudMachine> all,
      List<CloudMachine> othersOut) {
    Map<String, CloudMachine> byId = new LinkedHashMap<>();
    for (CloudMachine machine : all) {
      if (site.equals(machine.tags().get(Tags.SITE)) && machine.machineId() != null) {
        byId.put(machine.machineId(), machine);
      } else {
        othersOut.add(machine);
      }
    }
    return byId;
  }

  /**
   * Why each type cannot be created on each of its spaces regardless of capacity: no
   * endorsed image, or no reference to it on that cloud.
   */
  public static Map<String, String> imageHolds(SiteConfig config, ImageCatalog catalog,
      BiFunction<CloudConfig, String, Optional<String>> cloudImage) {
    Map<String, String> holds = new HashMap<>();
    for (VoConfig vo : config.vos()) {
      boolean endorsed = catalog.launchable(vo.image()).isPresent();
      for (String cloudName : vo.clouds()) {
        CloudConfig cloud = config.cloud(cloudName).orElseThrow();
        if (!endorsed) {
          holds.put(PlanInput.key(vo.name(), cloudName), "image " + vo.image()
              + " is not in any verified, unexpired image list");
        } else if (cloudImage.apply(cloud, vo.image()).isEmpty()) {
          holds.put(PlanInput.key(vo.name(), cloudName), "image " + vo.image()
              + " has no image reference on this cloud");
        }
      }
    }
    return holds;
  }

  /** Assembles the input of one pass. */
  public static PlanInput input(SiteConfig config, List<MachineSummary> machines,
      List<SpaceView> spaces, Demand demand, Backoff.View backoff, DrainBook.View drains,
      Map<String, String> holds, Instant now) {
    return new PlanInput(machines, types(config), config.control(), spaces, demand, backoff,
        drains, holds, now);
  }

  /** The cloud's own limits for a space: a provider that reports a quota, or none. */
  @FunctionalInterface
  public interface QuotaSource {
    QuotaSource NONE = cloud -> Quota.NONE;

    Quota limits(CloudConfig cloud);

    /**
     * What the cloud reports in use in its project, by every user, this site included;
     * empty when it reports nothing (then others are counted from the listing).
     */
    default Optional<ProjectQuota.Usage> used(CloudConfig cloud) {
      return Optional.empty();
    }

    /** Reads the clouds anew; called once per pass, on a worker. Blocks on cloud calls. */
    default void refresh() {}

    /**
     * The quotas known from the site file alone, without asking any cloud: a sandbox's
     * {@code max_instances} option. Used by {@code flotilla plan} and, in a manager, until a
     * cloud first answers {@link ReportedQuotas}.
     */
    static QuotaSource fromOptions() {
      return cloud -> {
        Object max = cloud.options().get("max_instances");
        if ("sandbox".equals(cloud.type()) && max instanceof Number number) {
          return new Quota(number.longValue(), ControlConfig.UNLIMITED,
              ControlConfig.UNLIMITED, Double.POSITIVE_INFINITY);
        }
        return Quota.NONE;
      };
    }
  }
}
