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
   * What each cloud reported: whether its listing came, the quota it reports, and what the
   * machines not tagged with this site use there (counted as instances: the provider
   * interface reports no sizes for machines it did not start).
   */
  public static List<SpaceView> spaces(SiteConfig config, Map<String, CloudListing> listings,
      Map<String, List<CloudMachine>> foreign, QuotaSource quotas) {
    List<SpaceView> views = new ArrayList<>();
    for (CloudConfig cloud : config.clouds()) {
      CloudListing listing = listings.get(cloud.name());
      boolean available = listing != null && listing.available();
      long others = foreign.getOrDefault(cloud.name(), List.of()).stream()
          .filter(m -> m.state() != CloudState.GONE).count();
      views.add(new SpaceView(cloud.name(), available, quotas.limits(cloud),
          new Usage(others, 0, 0, 0)));
    }
    return views;
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
     * The quotas the site's clouds are known to report. The sandbox reports its
     * {@code max_instances} option; the provider interface carries no quota call yet, so
     * other clouds report none and the site file's {@code limits} apply alone.
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
