package io.flotilla.cli;

import io.flotilla.config.ConfigException;
import io.flotilla.config.SiteConfig;
import io.flotilla.config.SiteConfig.CloudConfig;
import io.flotilla.config.SiteConfigLoader;
import io.flotilla.config.VoConfig;
import io.flotilla.context.CloudLimits;
import io.flotilla.context.ContextException;
import io.flotilla.context.ContextPreview;
import io.flotilla.context.ContextRenderer;
import io.flotilla.context.ContextValues;
import io.flotilla.context.ManagerIdentity;
import io.flotilla.context.RenderedContext;
import io.flotilla.guest.GuestUrls;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code flotilla context}: works with machines' contextualisation. */
@Command(name = "context", mixinStandardHelpOptions = true,
    description = "Shows what machines are given to contextualise them.",
    subcommands = {ContextCommand.Render.class})
final class ContextCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
  }

  /** {@code flotilla context render SITE.yaml --vo VO --cloud CLOUD --out DIR}. */
  @Command(name = "render", mixinStandardHelpOptions = true,
      description = {"Writes what a VM of the VO on the cloud would be given, without starting"
          + " anything: DIR/user-data (exact bytes, gzip if configured, never base64), for"
          + " OpenStack DIR/config-drive/openstack/latest/{meta_data.json,user_data}, for"
          + " OpenNebula DIR/context.sh. The machine id and tokens are marked placeholders.",
          "Exit status: 0 when written, 2 when the configuration or the rendering is"
              + " refused."})
  static final class Render implements Callable<Integer> {
    private static final Set<String> TYPES = Set.of("ec2", "openstack", "opennebula",
        "sandbox");

    @Parameters(index = "0", paramLabel = "SITE.yaml", description = "the site configuration")
    Path siteFile;

    @Option(names = "--vo", required = true, paramLabel = "VO", description = "the VO")
    String voName;

    @Option(names = "--cloud", required = true, paramLabel = "CLOUD",
        description = "a cloud named in the site file, or a type (ec2, openstack, opennebula,"
            + " sandbox) to preview that format")
    String cloudName;

    @Option(names = "--out", required = true, paramLabel = "DIR",
        description = "the folder to write into (created if needed)")
    Path outDir;

    @Override
    public Integer call() {
      SiteConfig config;
      try {
        config = SiteConfigLoader.load(siteFile);
      } catch (ConfigException e) {
        System.err.println("flotilla: the site configuration is refused:");
        e.problems().forEach(p -> System.err.println("  " + p));
        return 2;
      }
      Optional<VoConfig> vo = config.vo(voName);
      if (vo.isEmpty()) {
        return refuse("VO '" + voName + "' is not in " + siteFile + " (known: "
            + config.vos().stream().map(VoConfig::name).toList() + ")");
      }
      Optional<CloudConfig> cloud = config.cloud(cloudName);
      if (cloud.isEmpty() && !TYPES.contains(cloudName)) {
        return refuse("cloud '" + cloudName + "' is neither a cloud in " + siteFile
            + " (known: " + config.clouds().stream().map(CloudConfig::name).toList()
            + ") nor a cloud type " + TYPES);
      }
      String type = cloud.map(CloudConfig::type).orElse(cloudName);
      try {
        RenderedContext context = new ContextRenderer(config).render(vo.get(), type,
            previewValues(config, vo.get(), cloudName));
        List<Path> files = ContextPreview.write(context, outDir, "flotilla-" + voName);
        report(context, files);
        return 0;
      } catch (ContextException e) {
        return refuse(e.getMessage());
      }
    }

    private static ContextValues previewValues(SiteConfig config, VoConfig vo, String cloud) {
      GuestUrls urls = GuestUrls.of(config.guestApi().advertisedUrl(),
          ContextPreview.MACHINE_ID, ContextPreview.TOKEN);
      String image = cloud + "-image-of-" + vo.image();
      return new ContextValues(ContextPreview.MACHINE_ID, vo.name(), config.site(), cloud, urls,
          vo.heartbeat().toSeconds(), image, ManagerIdentity.hostname(),
          ManagerIdentity.version());
    }

    private static void report(RenderedContext context, List<Path> files) {
      System.out.println("context " + context.cloudType() + ": user-data "
          + context.userData().length + " bytes" + (context.gzipped() ? " (gzip)" : "")
          + limitText(context.cloudType()));
      files.forEach(file -> System.out.println("wrote " + file));
    }

    private static String limitText(String type) {
      return switch (type) {
        case "ec2" -> ", EC2 limit " + CloudLimits.EC2_MAX_BYTES + " bytes";
        case "openstack" -> ", OpenStack limit " + CloudLimits.OPENSTACK_MAX_BYTES + " bytes";
        default -> "";
      };
    }

    private static int refuse(String message) {
      System.err.println("flotilla: " + message);
      return 2;
    }
  }
}
