package io.flotilla.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code flotilla imagelist}: tools for HEPiX image lists. A standalone picocli command;
 * {@link FlotillaCommand} registers it as a subcommand.
 */
@Command(name = "imagelist", mixinStandardHelpOptions = true,
    description = "Verify, sign, create and show HEPiX image lists.",
    subcommands = {ImageListVerifyCommand.class, ImageListSignCommand.class,
        ImageListNewCommand.class, ImageListShowCommand.class})
public final class ImageListCommand implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** For picocli and for {@link FlotillaCommand}. */
  public ImageListCommand() {
    // Options are injected by picocli.
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "a subcommand is required: verify, sign, new or show");
  }
}
