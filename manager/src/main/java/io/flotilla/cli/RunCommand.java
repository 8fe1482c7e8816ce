package io.flotilla.cli;

import io.flotilla.config.ConfigException;
import io.flotilla.config.SiteConfig;
import io.flotilla.config.SiteConfigLoader;
import io.flotilla.run.ManagerStartException;
import io.flotilla.run.RunSummary;
import io.flotilla.run.SiteRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code flotilla run SITE.yaml}: runs a manager for a site. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Runs one manager for the site: creates, watches and ends machines.",
        "Exit status: 0 when nothing is left running and every record is complete, 1 when"
            + " something is, 2 when the configuration is refused."})
final class RunCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "SITE.yaml", description = "the site configuration")
  Path siteFile;

  @Option(names = "--for", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "run for this long (e.g. 60s, 5m), then drain and exit;"
          + " without it, run until interrupted")
  Duration runFor;

  @Option(names = "--summary", paramLabel = "FILE",
      description = "also write the run summary as JSON to FILE")
  Path summaryFile;

  @Override
  public Integer call() throws Exception {
    SiteConfig config;
    try {
      config = SiteConfigLoader.load(siteFile);
    } catch (ConfigException e) {
      return refused(e);
    }
    String summaryProblem = checkSummaryFile();
    if (summaryProblem != null) {
      System.err.println("flotilla: --summary " + summaryFile + ": " + summaryProblem);
      return 2;
    }
    SiteRun run = new SiteRun(config, Clock.systemUTC());
    StopSignals.onInterrupt(run::requestStop);
    RunSummary summary;
    try {
      summary = run.run(runFor);
    } catch (ConfigException e) {
      return refused(e);
    } catch (ManagerStartException e) {
      System.err.println("flotilla: cannot start: " + e.getMessage());
      return 2;
    }
    System.out.println("summary " + summary.text());
    if (summaryFile != null) {
      summary.writeJson(summaryFile);
    }
    return summary.clean() ? 0 : 1;
  }

  private static int refused(ConfigException e) {
    System.err.println("flotilla: the site configuration is refused:");
    e.problems().forEach(p -> System.err.println("  " + p));
    return 2;
  }

  /**
   * Checked before the run, so a clean run never ends in an error about where its summary
   * should have gone.
   */
  private String checkSummaryFile() {
    if (summaryFile == null) {
      return null;
    }
    Path parent = summaryFile.toAbsolutePath().getParent();
    if (Files.isDirectory(summaryFile)) {
      return "is a directory";
    }
    if (!Files.isDirectory(parent)) {
      return "its folder " + parent + " does not exist";
    }
    return Files.isWritable(parent) ? null : "its folder " + parent + " is not writable";
  }
}
