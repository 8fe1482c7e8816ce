package io.flotilla.config;

import io.flotilla.config.ControlConfig.AccountingConfig;
import io.flotilla.config.ControlConfig.Flavour;
import io.flotilla.config.ControlConfig.ImagePolicy;
import io.flotilla.config.ControlConfig.Quota;
import io.flotilla.config.ControlConfig.SpaceLimits;
import io.flotilla.config.ControlConfig.VoPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the controller's options: per VO ({@code target_share}, {@code fizzle}, quotas, ...),
 * per cloud ({@code limits}, {@code creation_cap}, {@code flavours}, ...) and the site-wide
 * {@code planning} and {@code accounting} sections. It runs before the VO and cloud readers,
 * which then accept these keys as known.
 */
final class ControlConfigReader {
  private static final long MAX_COUNT = 100_000_000L;

  private ControlConfigReader() {}

  static ControlConfig read(ConfigNode root) {
    Map<String, VoPolicy> vos = new LinkedHashMap<>();
    for (ConfigNode node : root.objects("vos", false)) {
      String name = node.string("name", null);
      VoPolicy policy = voPolicy(node);
      if (name != null) {
        vos.put(name, policy);
      }
    }
    Map<String, SpaceLimits> spaces = new LinkedHashMap<>();
    for (ConfigNode node : root.objects("clouds", false)) {
      String name = node.string("name", null);
      SpaceLimits limits = spaceLimits(node);
      if (name != null) {
        spaces.put(name, limits);
      }
    }
    ConfigNode planning = root.object("planning", false);
    Instant shutdown = instant(planning, "site_shutdown_time");
    ImagePolicy images = imagePolicy(planning);
    planning.rejectUnknownKeys();
    AccountingConfig accounting = accounting(root.object("accounting", false));
    return new ControlConfig(vos, spaces, shutdown, images, accounting);
  }

  private static VoPolicy voPolicy(ConfigNode node) {
    double share = node.number("target_share", 0, 0, 1_000_000);
    if (node.has("target_share") && share <= 0) {
      node.problem("target_share", "must be above 0 (omit it for a fixed number of machines)");
    }
    if (share > 0 && node.has("machines")) {
      node.problem("machines", "cannot be combined with target_share: a VO either keeps a"
          + " fixed number of machines or takes a share of each space");
    }
    Duration fizzle = node.duration("fizzle", null, Duration.ofSeconds(1));
    long starting = node.integer("max_starting_processors", ControlConfig.UNLIMITED, 1,
        ControlConfig.UNLIMITED);
    long processors = node.integer("max_processors", ControlConfig.UNLIMITED, 0,
        ControlConfig.UNLIMITED);
    boolean with700 = node.bool("abort_includes_700", false);
    Quota quota = quota(node.object("quota", false));
    Quota spaceQuota = quota(node.object("space_quota", false));
    int demand = (int) node.integer("demand", -1, 0, MAX_COUNT);
    Duration tolerance = node.duration("heartbeat_tolerance", null, Duration.ZERO);
    String fqan = node.string("fqan", null);
    node.check("fqan", fqan, f -> f.startsWith("/") && f.length() <= 255
        && f.chars().noneMatch(Character::isISOControl) ? null
        : "must be a VOMS FQAN such as /atlas/Role=production, got '" + f + "'");
    return new VoPolicy(share, fizzle, starting, processors, with700, quota, spaceQuota,
        demand, tolerance, fqan);
  }

  private static Quota quota(ConfigNode node) {
    long instances = node.integer("instances", ControlConfig.UNLIMITED, 0, MAX_COUNT);
    long processors = node.integer("processors", ControlConfig.UNLIMITED, 0, MAX_COUNT);
    long ram = node.integer("ram_mb", ControlConfig.UNLIMITED, 0, Long.MAX_VALUE / 2);
    double hs06 = node.number("hs06", Double.POSITIVE_INFINITY, 0, 1e12);
    node.rejectUnknownKeys();
    return new Quota(instances, processors, ram, hs06);
  }

  private static SpaceLimits spaceLimits(ConfigNode node) {
    Quota limits = quota(node.object("limits", false));
    long cap = node.integer("creation_cap", 0, 1, MAX_COUNT);
    long rounding = node.integer("ram_rounding_mb", 1, 1, 1024 * 1024);
    Map<String, Flavour> flavours = flavours(node);
    return new SpaceLimits(limits, cap, rounding, flavours);
  }

  private static Map<String, Flavour> flavours(ConfigNode node) {
    Map<String, Flavour> result = new LinkedHashMap<>();
    node.options("flavours").forEach((name, value) -> {
      String field = "flavours." + name;
      if (!(value instanceof Map<?, ?> sizes)) {
        node.problem(field, "must be a mapping with processors and ram_mb");
        return;
      }
      Object processors = sizes.get("processors");
      Object ram = sizes.get("ram_mb");
      if (!(processors instanceof Long p) || p < 1 || p > 4096
          || !(ram instanceof Long r) || r < 1 || sizes.size() != 2) {
        node.problem(field, "must give exactly processors (1-4096) and ram_mb (a whole number"
            + " of MiB above 0), got " + sizes);
        return;
      }
      result.put(name, new Flavour(p.intValue(), r));
    });
    return result;
  }

  private static Instant instant(ConfigNode node, String key) {
    String text = node.string(key, null);
    if (text == null) {
      return null;
    }
    try {
      return text.matches("\\d{9,12}") ? Instant.ofEpochSecond(Long.parseLong(text))
          : Instant.parse(text);
    } catch (DateTimeParseException e) {
      node.problem(key, "must be a UTC time such as 2030-01-31T18:00:00Z or Unix seconds,"
          + " got '" + text + "'");
      return null;
    }
  }

  private static ImagePolicy imagePolicy(ConfigNode node) {
    String text = node.string("image_revocation", "keep");
    try {
      return ImagePolicy.valueOf(text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      node.problem("image_revocation", "must be keep, drain or terminate, got '" + text + "'");
      return ImagePolicy.KEEP;
    }
  }

  private static AccountingConfig accounting(ConfigNode node) {
    Path apel = node.file("apel_dir", false);
    Path archive = node.file("archive_dir", false);
    boolean fizzled = node.bool("include_fizzled", false);
    String submitHost = node.string("submit_host", null);
    String type = node.string("infrastructure_type", "grid");
    node.check("infrastructure_type", type, t -> t.equals("grid") || t.equals("local") ? null
        : "must be grid or local, got '" + t + "'");
    node.check("submit_host", submitHost, h -> h.chars().anyMatch(
        c -> Character.isWhitespace(c) || Character.isISOControl(c))
        ? "must not contain spaces or control characters" : null);
    node.rejectUnknownKeys();
    return new AccountingConfig(apel, archive, fizzled, submitHost, type);
  }
}
