package io.flotilla.run;

import io.flotilla.config.ConfigException;
import io.flotilla.config.SiteConfig;
import io.flotilla.config.SiteConfig.CloudConfig;
import io.flotilla.emulator.EmulatorOptions;
import io.flotilla.provider.CloudProvider;
import io.flotilla.provider.Tags;
import io.flotilla.provider.ec2.Ec2Cloud;
import io.flotilla.provider.ec2.Ec2GuestHost;
import io.flotilla.provider.ec2.Ec2Options;
import io.flotilla.provider.opennebula.OpenNebulaCloud;
import io.flotilla.provider.opennebula.OpenNebulaGuestHost;
import io.flotilla.provider.opennebula.OpenNebulaOptions;
import io.flotilla.provider.openstack.NovaCloud;
import io.flotilla.provider.openstack.NovaGuestHost;
import io.flotilla.provider.openstack.OpenStackOptions;
import io.flotilla.provider.sandbox.GuestHost;
import io.flotilla.provider.sandbox.SandboxCloud;
import io.flotilla.provider.sandbox.SandboxOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Builds the providers of a site's clouds from their {@code type} and {@code options}, with
 * the size of each cloud's worker pool and, where the site asks for emulated guests, the
 * guest's view of the cloud an emulator plays VMs from.
 *
 * <p>Option errors are configuration errors: every cloud is checked and the problems are
 * thrown together as one {@link ConfigException}, each line
 * {@code FILE: clouds[i].options: REASON}; nothing stays open in that case. Relative paths
 * in key and password file options are taken from the site file's folder, like every other
 * path in it.
 */
public final class CloudProviders {

  /** Worker threads for a cloud whose options set no concurrency. */
  static final int DEFAULT_CONCURRENCY = 8;
  /** Longest a sandbox call may block a worker before Vert.x warns. */
  static final Duration SANDBOX_CALL_TIME = Duration.ofSeconds(120);
  /**
   * Cloud calls one operation may make: an EC2 create looks its token up between two
   * RunInstances; a worker thread may block that many call timeouts before Vert.x warns.
   */
  static final int CALLS_PER_OPERATION = 3;

  private static final Map<String, Set<String>> PATH_OPTIONS = Map.of(
      "ec2", Set.of("access_key_id_file", "secret_access_key_file"),
      "opennebula", Set.of("password_file"),
      "openstack", Set.of("password_file", "application_credential_secret_file"));

  /**
   * A cloud ready for the manager.
   *
   * @param provider the opened provider
   * @param concurrency worker threads for its blocking calls
   * @param operationTime how long one operation may block a worker before Vert.x warns
   * @param guests the guest view and behaviour of emulated VMs, when the site wants them
   */
  public record OpenedCloud(CloudProvider provider, int concurrency, Duration operationTime,
      Optional<EmulatedGuests> guests) {}

  /** What an emulator needs to play the VMs of one cloud. */
  public record EmulatedGuests(GuestHost host, EmulatorOptions options) {}

  private CloudProviders() {}

  /**
   * Opens every cloud of the site, in file order.
   *
   * @throws ConfigException listing each cloud whose options, credentials or emulator
   *     section are refused; the clouds opened meanwhile are closed again
   */
  public static List<OpenedCloud> openAll(SiteConfig config) {
    List<OpenedCloud> opened = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < config.clouds().size(); i++) {
      try {
        opened.add(open(config, i));
      } catch (CloudRefused e) {
        problems.add(config.source() + ": clouds[" + i + "]." + e.field + ": "
            + e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      opened.forEach(cloud -> cloud.provider().close());
      throw new ConfigException(problems);
    }
    return opened;
  }

  private static OpenedCloud open(SiteConfig config, int index) {
    CloudConfig cloud = config.clouds().get(index);
    Map<String, Object> options = resolvePaths(cloud, config.source());
    OpenedCloud opened;
    try {
      opened = switch (cloud.type()) {
        case "sandbox" -> sandbox(cloud, options);
        case "ec2" -> ec2(cloud, options, config.site());
        case "opennebula" -> openNebula(cloud, options, config.site());
        case "openstack" -> openStack(cloud, options, config.site());
        default -> throw new CloudRefused("type", "cloud type '" + cloud.type()
            + "' has no provider in this version");
      };
    } catch (IllegalArgumentException e) {
      throw new CloudRefused("options", e.getMessage());
    }
    return opened;
  }

  private static OpenedCloud sandbox(CloudConfig cloud, Map<String, Object> options) {
    SandboxCloud sandbox = new SandboxCloud(cloud.name(), SandboxOptions.fromMap(options));
    // The sandbox has no VMs of its own: its machines are always played by the emulator.
    EmulatorOptions guests = closingOnError(sandbox, () -> emulatorOptions(cloud));
    return new OpenedCloud(sandbox, DEFAULT_CONCURRENCY, SANDBOX_CALL_TIME,
        Optional.of(new EmulatedGuests(sandbox, guests)));
  }

  private static OpenedCloud ec2(CloudConfig cloud, Map<String, Object> options, String site) {
    Ec2Options parsed = Ec2Options.fromMap(options);
    Ec2Cloud ec2 = new Ec2Cloud(cloud.name(), parsed);
    Optional<EmulatedGuests> guests = closingOnError(ec2, () -> emulatorWanted(cloud)
        ? Optional.of(new EmulatedGuests(new Ec2GuestHost(ec2, Map.of(Tags.SITE, site)),
            emulatorOptions(cloud)))
        : Optional.empty());
    return new OpenedCloud(ec2, parsed.maxConcurrency(),
        parsed.callTimeout().multipliedBy(CALLS_PER_OPERATION), guests);
  }

  private static OpenedCloud openNebula(
      CloudConfig cloud, Map<String, Object> options, String site) {
    OpenNebulaOptions parsed = OpenNebulaOptions.fromMap(options);
    OpenNebulaCloud one = new OpenNebulaCloud(cloud.name(), parsed);
    Optional<EmulatedGuests> guests = closingOnError(one, () -> emulatorWanted(cloud)
        ? Optional.of(new EmulatedGuests(new OpenNebulaGuestHost(one, Map.of(Tags.SITE, site)),
            emulatorOptions(cloud)))
        : Optional.empty());
    return new OpenedCloud(one, DEFAULT_CONCURRENCY,
        parsed.callTimeout().multipliedBy(CALLS_PER_OPERATION), guests);
  }

  /**
   * Emulated guests read their user-data back through Nova's admin view of the server
   * ({@link NovaGuestHost}), so an emulator section suits a test cloud such as
   * tools/openstack-box.
   */
  private static OpenedCloud openStack(
      CloudConfig cloud, Map<String, Object> options, String site) {
    OpenStackOptions parsed = OpenStackOptions.fromMap(options);
    NovaCloud nova = new NovaCloud(cloud.name(), parsed);
    Optional<EmulatedGuests> guests = closingOnError(nova, () -> emulatorWanted(cloud)
        ? Optional.of(new EmulatedGuests(new NovaGuestHost(nova, Map.of(Tags.SITE, site)),
            emulatorOptions(cloud)))
        : Optional.empty());
    return new OpenedCloud(nova, parsed.maxConcurrency(),
        parsed.callTimeout().multipliedBy(CALLS_PER_OPERATION), guests);
  }

  private static boolean emulatorWanted(CloudConfig cloud) {
    return !cloud.emulator().isEmpty();
  }

  private static EmulatorOptions emulatorOptions(CloudConfig cloud) {
    try {
      return EmulatorOptions.fromMap(cloud.emulator());
    } catch (IllegalArgumentException e) {
      throw new CloudRefused("emulator", e.getMessage());
    }
  }

  /** The options with relative key and password file paths taken from the site's folder. */
  static Map<String, Object> resolvePaths(CloudConfig cloud, Path siteFile) {
    Map<String, Object> options = new LinkedHashMap<>(cloud.options());
    Path parent = siteFile.toAbsolutePath().getParent();
    Path base = parent == null ? Path.of(".") : parent;
    for (String key : PATH_OPTIONS.getOrDefault(cloud.type(), Set.of())) {
      if (options.get(key) instanceof String file && !file.isBlank()) {
        try {
          options.put(key, base.resolve(file.strip()).normalize().toString());
        } catch (RuntimeException e) {
          // Left as written: the provider's own check names the option and the reason.
        }
      }
    }
    return options;
  }

  private static <T> T closingOnError(CloudProvider provider, Supplier<T> step) {
    try {
      return step.get();
    } catch (RuntimeException e) {
      provider.close();
      throw e;
    }
  }

  /** A cloud the site file describes wrongly; {@code field} is under {@code clouds[i]}. */
  private static final class CloudRefused extends RuntimeException {
    final String field;

    CloudRefused(String field, String message) {
      super(message);
      this.field = field;
    }
  }
}
