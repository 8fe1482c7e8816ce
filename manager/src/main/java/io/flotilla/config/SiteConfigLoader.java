package io.flotilla.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.flotilla.config.SiteConfig.CloudConfig;
import io.flotilla.config.SiteConfig.ClusterConfig;
import io.flotilla.config.SiteConfig.EndorserConfig;
import io.flotilla.config.SiteConfig.GuestApiConfig;
import io.flotilla.config.SiteConfig.LifecycleConfig;
import io.flotilla.config.SiteConfig.NewImagePolicy;
import io.flotilla.config.SiteConfig.SubscriptionConfig;
import io.flotilla.config.SiteConfig.TrustConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a site file (YAML) into a {@link SiteConfig}, checking every value. All problems are
 * collected and thrown together as one {@link ConfigException}.
 */
public final class SiteConfigLoader {
  static final Set<String> CLOUD_TYPES = Set.of("sandbox", "ec2", "openstack", "opennebula");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
  private static final Pattern SLASH_DN = Pattern.compile("(/[A-Za-z][A-Za-z0-9.]*=[^/]*)+");
  /** Refuses a key given twice, which YAML parsers otherwise settle silently. */
  private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

  private SiteConfigLoader() {}

  /**
   * Loads and validates {@code file}.
   *
   * @throws ConfigException listing every problem, each as {@code FILE: FIELD: REASON}
   */
  public static SiteConfig load(Path file) {
    ConfigNode.Problems problems = new ConfigNode.Problems(file);
    JsonNode tree = parse(file, problems);
    if (!problems.list.isEmpty()) {
      throw new ConfigException(problems.list);
    }
    SiteConfig config = read(file, new ConfigNode(tree, "", problems));
    if (!problems.list.isEmpty()) {
      throw new ConfigException(problems.list);
    }
    return config;
  }

  private static JsonNode parse(Path file, ConfigNode.Problems problems) {
    try {
      JsonNode tree = YAML.readTree(Files.readAllBytes(file));
      if (tree == null || !tree.isObject()) {
        problems.add("(top level)", "must be a YAML mapping of sections");
      }
      return tree;
    } catch (NoSuchFileException e) {
      problems.add("(file)", "does not exist");
    } catch (JsonProcessingException e) {
      problems.add("(syntax)", "not valid YAML at line " + e.getLocation().getLineNr()
          + ", column " + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      problems.add("(file)", "cannot be read: " + e.getMessage());
    }
    return null;
  }

  private static SiteConfig read(Path file, ConfigNode root) {
    String site = root.string("site");
    root.check("site", site, s -> NAME.matcher(s).matches() ? null
        : "must be letters, digits, '.', '_' or '-' (at most 63), got '" + s + "'");
    Path stateDir = root.file("state_dir", false);
    Path state = stateDir != null ? stateDir : root.baseDir().resolve("var");
    ClusterConfig cluster = cluster(root.object("cluster", false), site, state);
    GuestApiConfig guest = guestApi(root.object("guest_api", true));
    TrustConfig trust = trust(root.object("trust", true));
    ControlConfig control = ControlConfigReader.read(root);
    CredentialsConfig credentials = CredentialsConfigReader.read(root);
    MetricsConfig metrics = MetricsConfigReader.read(root);
    SiteContextConfig context = ContextConfigReader.readSite(root);
    Map<String, EndorserConfig> endorsers = endorsers(root);
    List<SubscriptionConfig> lists = subscriptions(root, endorsers.keySet());
    List<CloudConfig> clouds = clouds(root);
    Set<String> cloudNames = new HashSet<>();
    clouds.forEach(c -> cloudNames.add(c.name()));
    List<VoConfig> vos = VoConfigReader.read(root, cloudNames);
    LifecycleConfig lifecycle = lifecycle(root.object("lifecycle", false));
    root.rejectUnknownKeys();
    return new SiteConfig(file, site, state, cluster, guest, trust, endorsers, lists, clouds,
        vos, lifecycle, control, context, credentials, metrics);
  }

  private static ClusterConfig cluster(ConfigNode node, String site, Path stateDir) {
    String name = node.string("name", "flotilla-" + site);
    String host = node.string("host", "127.0.0.1");
    node.check("host", host, SiteConfigLoader::checkAddress);
    int port = (int) node.integer("port", 5701, 1, 65535);
    List<String> members = node.strings("members", false);
    Path secret = node.file("secret_file", false);
    node.rejectUnknownKeys();
    return new ClusterConfig(name, host, port, members.isEmpty() ? List.of(host) : members,
        secret != null ? secret : stateDir.resolve("cluster.secret"));
  }

  /**
   * An address to bind must be an IP literal (or {@code localhost}): a host name would be
   * looked up in DNS at start, and a typo would surface as a resolver error.
   */
  static String checkAddress(String address) {
    boolean literal = address.equals("localhost") || address.matches("[0-9.]+")
        && address.split("\\.").length == 4 || address.contains(":");
    if (!literal) {
      return "must be an IP address such as 127.0.0.1 or ::1, got '" + address + "'";
    }
    try {
      java.net.InetAddress.getByName(address);
      return null;
    } catch (java.net.UnknownHostException e) {
      return "is not a valid IP address: '" + address + "'";
    }
  }

  private static GuestApiConfig guestApi(ConfigNode node) {
    String bind = node.string("bind", "127.0.0.1");
    node.check("bind", bind, SiteConfigLoader::checkAddress);
    int port = (int) node.integer("port", 8080, 0, 65535);
    String url = node.string("advertised_url");
    node.check("advertised_url", url, SiteConfigLoader::checkHttpUrl);
    Optional<GuestTlsConfig> tls = CredentialsConfigReader.guestTls(node);
    JobOutputsConfig jobOutputs = CredentialsConfigReader.jobOutputs(node);
    node.rejectUnknownKeys();
    String base = url == null ? null : url.replaceAll("/+$", "");
    return new GuestApiConfig(bind, port, base, tls, jobOutputs);
  }

  private static String checkHttpUrl(String url) {
    try {
      URI uri = new URI(url);
      boolean http = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
      if (!http || uri.getHost() == null) {
        return "must be an http:// or https:// URL with a host, got '" + url + "'";
      }
      return uri.getQuery() != null ? "must not carry a query string" : null;
    } catch (java.net.URISyntaxException e) {
      return "is not a valid URL: " + e.getReason();
    }
  }

  private static TrustConfig trust(ConfigNode node) {
    Path caDir = node.file("ca_dir", true);
    Duration skew = node.duration("clock_skew", Duration.ofMinutes(5), Duration.ZERO);
    node.rejectUnknownKeys();
    return new TrustConfig(caDir, skew);
  }

  private static Map<String, EndorserConfig> endorsers(ConfigNode root) {
    Map<String, EndorserConfig> result = new LinkedHashMap<>();
    for (ConfigNode node : root.objects("endorsers", true)) {
      String name = node.string("name");
      String dn = node.string("dn");
      String ca = node.string("ca");
      node.check("dn", dn, SiteConfigLoader::checkSlashDn);
      node.check("ca", ca, SiteConfigLoader::checkSlashDn);
      node.rejectUnknownKeys();
      if (name != null && result.putIfAbsent(name, new EndorserConfig(name, dn, ca)) != null) {
        node.problem("name", "endorser '" + name + "' is defined twice");
      }
    }
    return result;
  }

  static String checkSlashDn(String dn) {
    return SLASH_DN.matcher(dn).matches() ? null
        : "must be a DN in OpenSSL slash form such as /DC=ch/DC=cern/CN=name, got '" + dn + "'";
  }

  private static List<SubscriptionConfig> subscriptions(ConfigNode root, Set<String> known) {
    List<SubscriptionConfig> result = new java.util.ArrayList<>();
    for (ConfigNode node : root.objects("image_lists", true)) {
      String name = node.string("name");
      String url = subscriptionUrl(node);
      List<String> endorsers = node.strings("endorsers", true);
      for (String endorser : endorsers) {
        if (!known.contains(endorser)) {
          node.problem("endorsers", "names endorser '" + endorser + "', which is not defined"
              + " under endorsers (known: " + known + ")");
        }
      }
      if (endorsers.isEmpty()) {
        node.problem("endorsers", "must name at least one trusted endorser");
      }
      Duration refresh = node.duration("refresh", Duration.ofHours(1), Duration.ofSeconds(10));
      List<String> allowImages = node.strings("allow_images", false);
      if (node.has("allow_images") && allowImages.isEmpty()) {
        node.problem("allow_images", "must name at least one image; omit it to allow all");
      }
      NewImagePolicy newImages = newImagePolicy(node);
      boolean allowUnsigned = node.bool("allow_unsigned", false);
      node.rejectUnknownKeys();
      result.add(new SubscriptionConfig(name, url, endorsers, refresh, allowImages, newImages,
          allowUnsigned));
    }
    return result;
  }

  private static NewImagePolicy newImagePolicy(ConfigNode node) {
    String policy = node.string("new_images", "accept");
    return switch (policy == null ? "accept" : policy) {
      case "accept" -> NewImagePolicy.ACCEPT;
      case "refuse" -> NewImagePolicy.REFUSE;
      case "hold" -> NewImagePolicy.HOLD;
      default -> {
        node.problem("new_images", "must be accept, refuse or hold, got '" + policy + "'");
        yield NewImagePolicy.ACCEPT;
      }
    };
  }

  private static String subscriptionUrl(ConfigNode node) {
    String url = node.string("url");
    if (url == null) {
      return null;
    }
    if (url.startsWith("http://") || url.startsWith("https://")) {
      return url;
    }
    String path = url.startsWith("file:") ? url.substring("file:".length()) : url;
    return node.baseDir().resolve(path).normalize().toUri().toString();
  }

  private static List<CloudConfig> clouds(ConfigNode root) {
    List<CloudConfig> result = new java.util.ArrayList<>();
    Set<String> names = new HashSet<>();
    for (ConfigNode node : root.objects("clouds", true)) {
      String name = node.string("name");
      node.check("name", name, n -> NAME.matcher(n).matches() ? null
          : "must be letters, digits, '.', '_' or '-', got '" + n + "'");
      if (name != null && !names.add(name)) {
        node.problem("name", "cloud '" + name + "' is defined twice");
      }
      String type = node.string("type");
      node.check("type", type, t -> CLOUD_TYPES.contains(t) ? null
          : "unknown cloud type '" + t + "', expected one of " + CLOUD_TYPES);
      Map<String, Object> options = node.options("options");
      Map<String, String> images = stringMap(node, "images");
      Map<String, Object> emulator = node.options("emulator");
      CloudPolicy policy = CloudPolicyReader.read(node);
      node.rejectUnknownKeys();
      result.add(new CloudConfig(name, type, options, images, emulator, policy));
    }
    return result;
  }

  private static Map<String, String> stringMap(ConfigNode node, String key) {
    Map<String, String> result = new LinkedHashMap<>();
    node.options(key).forEach((k, v) -> {
      if (v instanceof String s && !s.isBlank()) {
        result.put(k, s);
      } else {
        node.problem(key + "." + k, "must be a non-empty string");
      }
    });
    return result;
  }

  private static LifecycleConfig lifecycle(ConfigNode node) {
    Duration cycle = node.duration("cycle", Duration.ofSeconds(5), Duration.ofMillis(100),
        Duration.ofMinutes(10));
    Duration start = node.duration("start_timeout", Duration.ofMinutes(10), Duration.ofSeconds(1));
    Duration retry = node.duration("delete_retry", Duration.ofSeconds(30), Duration.ofMillis(100));
    Duration keep = node.duration("keep_finished", Duration.ofHours(1), Duration.ofMinutes(1));
    node.rejectUnknownKeys();
    return new LifecycleConfig(cycle, start, retry, keep);
  }
}
