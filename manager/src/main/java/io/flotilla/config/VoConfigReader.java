package io.flotilla.config;

import io.flotilla.config.VoConfig.CodeRange;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the {@code vos} section of a site file. */
final class VoConfigReader {
  private static final Pattern VO_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,127}");
  private static final Pattern RANGE = Pattern.compile("(\\d{3})\\s*-\\s*(\\d{3})");

  private VoConfigReader() {}

  static List<VoConfig> read(ConfigNode root, Set<String> cloudNames) {
    List<VoConfig> result = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (ConfigNode node : root.objects("vos", true)) {
      VoConfig vo = readOne(node, cloudNames);
      if (vo.name() != null && !names.add(vo.name())) {
        node.problem("name", "VO '" + vo.name() + "' is defined twice");
      }
      result.add(vo);
    }
    return result;
  }

  private static VoConfig readOne(ConfigNode node, Set<String> cloudNames) {
    String name = node.string("name");
    node.check("name", name, n -> VO_NAME.matcher(n).matches() ? null
        : "must be a VO name (lower-case letters, digits, '.', '_', '-'), got '" + n + "'");
    String image = node.string("image");
    List<String> clouds = node.strings("clouds", true);
    checkClouds(node, clouds, cloudNames);
    int machines = (int) node.integer("machines", 1, 0, 100_000);
    String flavour = node.string("flavour");
    int cores = (int) node.integer("cores", 1, 1, 1024);
    int ramMb = (int) node.integer("ram_mb", 2048 * cores, 64, 16 * 1024 * 1024);
    double hs06 = node.number("hs06_per_core", 0, 0, 1000);
    Duration lifetime = node.duration("lifetime", Duration.ofHours(48), Duration.ofSeconds(10));
    Duration grace = node.duration("grace", Duration.ofMinutes(10), Duration.ofSeconds(1));
    Duration heartbeat = node.duration("heartbeat", Duration.ofMinutes(5), Duration.ofSeconds(1));
    Duration backoff = node.duration("backoff", Duration.ofMinutes(10), Duration.ZERO);
    CodeRange abort = abortCodes(node);
    // A VO with a token issuer has no robot credential (CredentialsConfigReader checks it).
    boolean proxies = !node.has("token_issuer");
    Path cert = readableFile(node, "robot_certificate", proxies);
    Path key = readableFile(node, "robot_key", proxies);
    ContextConfig context = ContextConfigReader.readVo(node);
    checkLifetime(node, lifetime, grace, heartbeat);
    node.rejectUnknownKeys();
    return new VoConfig(name, image, clouds, machines, flavour, cores, ramMb, hs06, lifetime,
        grace, heartbeat, backoff, abort, cert, key, context.template(), context);
  }

  private static void checkClouds(ConfigNode node, List<String> clouds, Set<String> known) {
    if (clouds.isEmpty()) {
      node.problem("clouds", "must name at least one cloud");
    }
    for (String cloud : clouds) {
      if (!known.contains(cloud)) {
        node.problem("clouds", "names cloud '" + cloud + "', which is not defined under clouds"
            + " (known: " + known + ")");
      }
    }
  }

  private static void checkLifetime(
      ConfigNode node, Duration lifetime, Duration grace, Duration heartbeat) {
    if (grace.compareTo(lifetime) >= 0) {
      node.problem("grace", "must be shorter than lifetime (" + Durations.format(lifetime)
          + "), got " + Durations.format(grace));
    }
    if (heartbeat.compareTo(lifetime) >= 0) {
      node.problem("heartbeat", "must be shorter than lifetime ("
          + Durations.format(lifetime) + "), got " + Durations.format(heartbeat));
    }
  }

  private static CodeRange abortCodes(ConfigNode node) {
    String text = node.string("abort_codes", "300-699");
    Matcher match = text == null ? null : RANGE.matcher(text);
    if (match == null || !match.matches()) {
      node.problem("abort_codes", "must be a range of shutdown codes such as 300-699, got '"
          + text + "'");
      return new CodeRange(300, 699);
    }
    int from = Integer.parseInt(match.group(1));
    int to = Integer.parseInt(match.group(2));
    if (from < 100 || to > 999 || from > to) {
      node.problem("abort_codes", "must run upwards within 100-999, got '" + text + "'");
      return new CodeRange(300, 699);
    }
    return new CodeRange(from, to);
  }

  private static Path readableFile(ConfigNode node, String key, boolean required) {
    Path file = node.file(key, required);
    if (file != null && !Files.isReadable(file)) {
      node.problem(key, "file " + file + " does not exist or cannot be read");
    }
    return file;
  }
}
