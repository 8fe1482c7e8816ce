package io.flotilla.cli;

import io.flotilla.trust.CaDirectory;
import io.flotilla.trust.Endorser;
import io.flotilla.trust.ImageListException;
import io.flotilla.trust.ImageListVerifier;
import io.flotilla.trust.NamespaceMode;
import io.flotilla.trust.SubscriptionRules;
import io.flotilla.trust.SubscriptionState;
import io.flotilla.trust.TrustException;
import io.flotilla.trust.VerificationReport;
import io.flotilla.trust.VerifiedImageList;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code flotilla imagelist verify}: runs every acceptance check and prints each outcome. */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {"Verifies a signed image list against a CA directory and prints every"
        + " check with its outcome.",
        "Exit status: 0 when every rule holds, 1 when one fails or FILE is not an image list,"
            + " 2 on a usage error (missing argument, unreadable CA directory or FILE)."})
final class ImageListVerifyCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--capath", required = true, paramLabel = "DIR",
      description = "OpenSSL hashed CA directory (e.g. /etc/grid-security/certificates)")
  Path caPath;

  @Option(names = "--endorser", paramLabel = "DN",
      description = "the trusted endorser's subject DN (slash form); without it the list's"
          + " own endorser is trusted")
  String endorserDn;

  @Option(names = "--endorser-ca", paramLabel = "DN",
      description = "the trusted endorser's CA DN; required with --endorser")
  String endorserCaDn;

  @Option(names = "--allow-unsigned",
      description = "accept a plain JSON list (only JSON and dates are checked)")
  boolean allowUnsigned;

  @Option(names = "--require-namespace",
      description = "refuse a chain whose CA has no .namespaces/.signing_policy rule")
  boolean requireNamespace;

  @Option(names = "--skew", paramLabel = "DURATION", defaultValue = "5m",
      converter = DurationConverter.class,
      description = "tolerated clock difference for dates and CRLs (default ${DEFAULT-VALUE})")
  Duration skew;

  @Parameters(index = "0", paramLabel = "FILE", description = "the image list file")
  Path file;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if ((endorserDn == null) != (endorserCaDn == null)) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--endorser and --endorser-ca must be given together");
    }
    Optional<byte[]> bytes = ImageListFiles.read(file, "image list", err);
    if (bytes.isEmpty()) {
      return ImageListFiles.USAGE;
    }
    CaDirectory caDirectory;
    try {
      caDirectory = CaDirectory.load(caPath);
    } catch (TrustException e) {
      err.println("flotilla imagelist verify: " + e.getMessage());
      return ImageListFiles.USAGE;
    }
    VerificationReport report = verifier(caDirectory).check(file.toString(), bytes.get(),
        trustedEndorsers(), allowUnsigned);
    report.checks().forEach(check -> out.println(line(check.outcome(), check.name(),
        check.detail())));
    int status = report.result().map(verified -> uniqueImages(verified, out))
        .orElse(ImageListFiles.REFUSED);
    out.println(summary(report, status));
    out.flush();
    return status;
  }

  private ImageListVerifier verifier(CaDirectory caDirectory) {
    NamespaceMode mode = requireNamespace ? NamespaceMode.REQUIRE : NamespaceMode.ALLOW_MISSING;
    return new ImageListVerifier(() -> caDirectory, Clock.systemUTC(), skew, mode);
  }

  private List<Endorser> trustedEndorsers() {
    return endorserDn == null ? null : List.of(new Endorser(endorserDn, endorserCaDn));
  }

  /** The within-list part of the subscription rules; a one-off check has no history. */
  private int uniqueImages(VerifiedImageList verified, PrintWriter out) {
    try {
      SubscriptionRules.check(SubscriptionState.initial(file.toString()), verified, Map.of());
      out.println(line(VerificationReport.Outcome.OK, "unique-images",
          verified.imageList().images().size() + " distinct image identifiers"));
      return ImageListFiles.OK;
    } catch (ImageListException e) {
      out.println(line(VerificationReport.Outcome.FAIL, "unique-images", e.getMessage()));
      return ImageListFiles.REFUSED;
    }
  }

  private String summary(VerificationReport report, int status) {
    if (status != ImageListFiles.OK) {
      return "REFUSED " + file + report.failure().map(e -> ": " + e.reason()).orElse("");
    }
    VerifiedImageList verified = report.result().orElseThrow();
    return (verified.signed() ? "ACCEPTED " : "ACCEPTED UNSIGNED ") + file + ": "
        + verified.imageList().images().size() + " images, dc:identifier "
        + verified.imageList().identifier();
  }

  static String line(VerificationReport.Outcome outcome, String name, String detail) {
    String label = outcome == VerificationReport.Outcome.OK ? "ok"
        : outcome.name().toUpperCase(Locale.ROOT);
    return String.format(Locale.ROOT, "%-4s %-16s %s", label, name, detail);
  }
}
