package io.flotilla.cloudcalls;

import io.flotilla.config.ControlConfig.Quota;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Limits lowered after a cloud refused a create for quota: the refused resource's limit
 * becomes what the space held when the cloud said no, for a while ({@code quota_recheck}),
 * so the planner stops asking for what the cloud will refuse and there is no retry loop.
 * When the while is over the site file's (or the cloud's reported) limit applies again,
 * and at most one create finds out whether the quota was raised.
 *
 * <p>Thread-safe; kept by the manager that plans.
 */
public final class QuotaClamps {
  private static final Logger log = LoggerFactory.getLogger(QuotaClamps.class);

  private final Map<String, Clamp> byCloud = new ConcurrentHashMap<>();
  private volatile MeterRegistry registry;

  /** A lowered limit for one cloud, in force until {@code until}. */
  public record Clamp(Quota limits, String resource, Instant until) {}

  /**
   * Publishes, per cloud, the refusals counted ({@code flotilla.cloud.quota.refusals}) and
   * the lowered instance, processor and RAM limits ({@code flotilla.cloud.quota.lowered.limit},
   * NaN while none is lowered).
   */
  public void bindTo(MeterRegistry meters) {
    this.registry = meters;
  }

  /** What a space held when its cloud refused a create. */
  public record Held(long instances, long processors, long ramMb) {}

  /**
   * Lowers the limit of the resource the cloud named ({@code instances}, {@code cores},
   * {@code ram}, ...; an unknown or missing name lowers instances) to {@code held}, logging
   * an ERROR an operator should act on.
   */
  public Clamp lower(String cloud, String resource, Held held, Instant until) {
    Quota limits = switch (kind(resource)) {
      case "processors" -> new Quota(Quota.NONE.instances(), held.processors(),
          Quota.NONE.ramMb(), Quota.NONE.hs06());
      case "ram_mb" -> new Quota(Quota.NONE.instances(), Quota.NONE.processors(),
          held.ramMb(), Quota.NONE.hs06());
      default -> new Quota(held.instances(), Quota.NONE.processors(), Quota.NONE.ramMb(),
          Quota.NONE.hs06());
    };
    Clamp clamp = new Clamp(limits, kind(resource), until);
    byCloud.put(cloud, clamp);
    publish(cloud);
    log.error("cloud quota exhausted, limit lowered to current usage cloud={} resource={}"
        + " cloud_resource={} usage_instances={} usage_processors={} usage_ram_mb={} until={}",
        cloud, clamp.resource(), resource, held.instances(), held.processors(), held.ramMb(),
        until);
    return clamp;
  }

  /** {@code base} with the clamp of {@code cloud} in force at {@code now} applied. */
  public Quota apply(String cloud, Quota base, Instant now) {
    return current(cloud, now).map(c -> base.min(c.limits())).orElse(base);
  }

  /** The clamp in force on {@code cloud} at {@code now}, for status reports and metrics. */
  public Optional<Clamp> current(String cloud, Instant now) {
    Clamp clamp = byCloud.get(cloud);
    if (clamp != null && !now.isBefore(clamp.until())) {
      byCloud.remove(cloud, clamp);
      log.info("lowered quota limit lapsed, trying the configured limit again cloud={}",
          cloud);
      return Optional.empty();
    }
    return Optional.ofNullable(clamp);
  }

  private void publish(String cloud) {
    MeterRegistry meters = registry;
    if (meters == null) {
      return;
    }
    Counter.builder("flotilla.cloud.quota.refusals").tag("cloud", cloud)
        .description("creates the cloud refused for quota").register(meters).increment();
    gauge(meters, cloud, "instances", Quota::instances);
    gauge(meters, cloud, "processors", Quota::processors);
    gauge(meters, cloud, "ram_mb", Quota::ramMb);
  }

  private void gauge(MeterRegistry meters, String cloud, String resource,
      java.util.function.ToLongFunction<Quota> limit) {
    Gauge.builder("flotilla.cloud.quota.lowered.limit", this, clamps -> {
      Clamp clamp = clamps.byCloud.get(cloud);
      long value = clamp == null ? Quota.NONE.instances() : limit.applyAsLong(clamp.limits());
      return value >= Quota.NONE.instances() || clamp == null ? Double.NaN : value;
    }).tags("cloud", cloud, "resource", resource)
        .description("a limit lowered to usage after a quota refusal").register(meters);
  }

  /** Our limit name for a cloud's resource name. */
  static String kind(String resource) {
    String name = resource == null ? "" : resource.toLowerCase(Locale.ROOT);
    if (name.contains("core") || name.contains("cpu") || name.contains("processor")) {
      return "processors";
    }
    if (name.contains("ram") || name.contains("memory")) {
      return "ram_mb";
    }
    return "instances";
  }
}
