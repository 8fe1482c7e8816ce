package io.flotilla.control;

import io.flotilla.config.ControlConfig;
import io.flotilla.config.ControlConfig.Quota;
import io.flotilla.config.SiteConfig.CloudConfig;
import io.flotilla.control.PlanInputs.QuotaSource;
import io.flotilla.lifecycle.CloudPool;
import io.flotilla.provider.CloudException;
import io.flotilla.provider.ProjectQuota;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The quotas the clouds report themselves ({@link io.flotilla.provider.CloudProvider#quota}),
 * read through each cloud's {@link CloudPool} once per {@link #refresh()}, that is once per
 * pass.
 *
 * <p>A cloud's limits stay as last read when a read fails (limits seldom change, and a
 * cloud that cannot answer gets no creates anyway); its usage is dropped, since usage is only
 * worth its moment, and foreign machines are then counted from the listing alone. Until a
 * cloud's first answer, and for a cloud that reports no quota, the fallback source's limits
 * apply. Thread-safe: refreshed on the pass's worker, read by the planner and status calls.
 */
public final class ReportedQuotas implements QuotaSource {
  private static final Logger log = LoggerFactory.getLogger(ReportedQuotas.class);

  private final Map<String, CloudPool> clouds;
  private final QuotaSource fallback;
  private final Map<String, Quota> limits = new ConcurrentHashMap<>();
  private final Map<String, ProjectQuota.Usage> usage = new ConcurrentHashMap<>();
  private final Map<String, Boolean> failing = new ConcurrentHashMap<>();

  /**
   * @param clouds the site's clouds by name
   * @param fallback limits for a cloud that has not (yet) reported any
   */
  public ReportedQuotas(Map<String, CloudPool> clouds, QuotaSource fallback) {
    this.clouds = Map.copyOf(clouds);
    this.fallback = fallback;
  }

  /** Asks every cloud for its quota and usage, one call each; failures are logged. */
  @Override
  public void refresh() {
    clouds.values().forEach(this::read);
  }

  /** The lower of the cloud's reported limits and the fallback's. */
  @Override
  public Quota limits(CloudConfig cloud) {
    Quota known = fallback.limits(cloud);
    Quota reported = limits.get(cloud.name());
    return reported == null ? known : known.min(reported);
  }

  @Override
  public Optional<ProjectQuota.Usage> used(CloudConfig cloud) {
    return Optional.ofNullable(usage.get(cloud.name()));
  }

  private void read(CloudPool pool) {
    String cloud = pool.name();
    try {
      Optional<ProjectQuota> quota = pool.quota();
      quota.ifPresentOrElse(q -> remember(cloud, q), () -> forget(cloud));
      if (failing.remove(cloud) != null) {
        log.info("cloud quota readable again cloud={}", cloud);
      }
    } catch (CloudException e) {
      usage.remove(cloud);
      if (failing.put(cloud, Boolean.TRUE) == null) {
        log.warn("cloud quota unreadable, keeping its last limits, foreign usage from the"
            + " listing alone cloud={} error={}: {}", cloud, e.kind(), e.getMessage());
      }
    }
  }

  private void remember(String cloud, ProjectQuota quota) {
    Quota now = toQuota(quota.limits());
    Quota before = limits.put(cloud, now);
    if (!now.equals(before)) {
      log.info("cloud quota reported cloud={} instances={} processors={} ram_mb={}", cloud,
          word(now.instances()), word(now.processors()), word(now.ramMb()));
    }
    usage.put(cloud, quota.usage());
  }

  private void forget(String cloud) {
    limits.remove(cloud);
    usage.remove(cloud);
  }

  /** A provider's limits as the planner's quota: an unreported amount is unlimited. */
  static Quota toQuota(ProjectQuota.Limits reported) {
    return new Quota(orUnlimited(reported.instances()), orUnlimited(reported.cores()),
        orUnlimited(reported.ramMb()), Double.POSITIVE_INFINITY);
  }

  private static long orUnlimited(Long amount) {
    return amount == null ? ControlConfig.UNLIMITED : amount;
  }

  private static String word(long amount) {
    return amount == ControlConfig.UNLIMITED ? "unlimited" : Long.toString(amount);
  }
}
