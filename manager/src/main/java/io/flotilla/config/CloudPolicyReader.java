package io.flotilla.config;

import io.flotilla.config.CloudPolicy.OrphanPolicy;
import io.flotilla.config.CloudPolicy.RateLimit;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads the manager's own keys of one {@code clouds[i]} entry: {@code rate_limit},
 * {@code call_timeout}, {@code settle_time}, {@code auth_pause}, {@code quota_recheck} and
 * {@code orphans}. Problems name the file and the field, as every other reader does.
 */
final class CloudPolicyReader {
  /** More than this many calls a second is no limit worth writing down. */
  private static final double MAX_RATE = 10_000;
  private static final int MAX_BURST = 100_000;

  private CloudPolicyReader() {}

  static CloudPolicy read(ConfigNode cloud) {
    Optional<RateLimit> rate = rateLimit(cloud);
    Duration timeout = cloud.duration("call_timeout", null, Duration.ofSeconds(1));
    Duration settle = cloud.duration("settle_time", CloudPolicy.DEFAULT_SETTLE, Duration.ZERO);
    Duration auth = cloud.duration("auth_pause", CloudPolicy.DEFAULT_AUTH_PAUSE,
        Duration.ofSeconds(1));
    Duration quota = cloud.duration("quota_recheck", CloudPolicy.DEFAULT_QUOTA_RECHECK,
        Duration.ofSeconds(1));
    OrphanPolicy orphans = orphans(cloud);
    return new CloudPolicy(rate, Optional.ofNullable(timeout), settle, auth, quota, orphans);
  }

  private static Optional<RateLimit> rateLimit(ConfigNode cloud) {
    if (!cloud.has("rate_limit")) {
      cloud.object("rate_limit", false);
      return Optional.empty();
    }
    ConfigNode node = cloud.object("rate_limit", false);
    if (!node.has("calls_per_second")) {
      node.problem("calls_per_second", "is required: the calls a second the bucket refills");
    }
    double rate = node.number("calls_per_second", 1, 0.001, MAX_RATE);
    long burst = node.integer("burst", Math.max(1, (long) Math.ceil(rate)), 1, MAX_BURST);
    node.rejectUnknownKeys();
    return Optional.of(new RateLimit(rate, (int) burst));
  }

  private static OrphanPolicy orphans(ConfigNode cloud) {
    String text = cloud.string("orphans", "terminate");
    try {
      return OrphanPolicy.valueOf(text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      cloud.problem("orphans", "must be terminate or adopt, got '" + text + "'");
      return OrphanPolicy.TERMINATE;
    }
  }
}
