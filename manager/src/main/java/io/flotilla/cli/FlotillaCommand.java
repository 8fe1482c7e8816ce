package io.flotilla.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code flotilla} command line. */
@Command(name = "flotilla", mixinStandardHelpOptions = true,
    versionProvider = FlotillaCommand.Version.class,
    description = "VM lifecycle manager for grid pilot frameworks.",
    subcommands = {RunCommand.class, PlanCommand.class, ImageListCommand.class,
        ContextCommand.class, CommandLine.HelpCommand.class})
public final class FlotillaCommand implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line, also used by tests. */
  public static CommandLine commandLine() {
    return new CommandLine(new FlotillaCommand())
        .setCaseInsensitiveEnumValuesAllowed(true);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
  }

  /** Reports the version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = FlotillaCommand.class.getPackage().getImplementationVersion();
      return new String[] {"flotilla " + (version == null ? "(development build)" : version)};
    }
  }
}
