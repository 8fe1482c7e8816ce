package io.flotilla.guest;

import io.flotilla.config.JobOutputsConfig;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The files guests write under {@code $JOBOUTPUTS}, kept as
 * {@code <dir>/<machine-id>/<name>} for operators and never served back: the guest API has
 * no GET on job outputs, so no VM reads what another (or even itself) wrote.
 *
 * <p>A name must match the site's allowed names or globs ({@code heartbeat} and
 * {@code shutdown_message} always do), consist of letters, digits, {@code . _ -} without
 * leading dot, and so cannot leave the machine's folder. Files are written whole (a
 * temporary file moved into place), owner-only, at most {@code max_bytes}, at most
 * {@code max_files} per machine. Thread-safe for distinct machines; a machine's own
 * concurrent writes of one name end with one of them whole.
 */
public final class JobOutputs {
  /** The outputs the manager itself acts on; always accepted. */
  public static final List<String> BUILT_IN = List.of("heartbeat", "shutdown_message");

  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
  private static final String TEMPORARY_SUFFIX = ".part";

  private final Optional<Path> dir;
  private final JobOutputsConfig config;
  private final List<Pattern> allowed;

  /**
   * @param dir where files are kept; empty keeps none (only heartbeat and shutdown_message
   *     are then accepted, and acted on without a copy)
   */
  public JobOutputs(Optional<Path> dir, JobOutputsConfig config) {
    this.dir = dir;
    this.config = config;
    this.allowed = config.allowed().stream().map(JobOutputs::globPattern).toList();
  }

  /** Accepts heartbeat and shutdown_message only, keeping no files. */
  public static JobOutputs builtInOnly() {
    return new JobOutputs(Optional.empty(), JobOutputsConfig.defaults());
  }

  public int maxBytes() {
    return config.maxBytes();
  }

  /**
   * Why {@code name} may not be written, or empty if it may.
   */
  Optional<String> refusal(String name) {
    if (!SAFE_NAME.matcher(name).matches() || name.endsWith(TEMPORARY_SUFFIX)) {
      return Optional.of("joboutputs: '" + printable(name) + "' is not a safe file name"
          + " (letters, digits, '.', '_', '-'; no leading dot)");
    }
    if (BUILT_IN.contains(name)) {
      return Optional.empty();
    }
    if (dir.isEmpty() || allowed.stream().noneMatch(glob -> glob.matcher(name).matches())) {
      return Optional.of("joboutputs: '" + name + "' is not accepted; this site accepts "
          + accepted());
    }
    return Optional.empty();
  }

  /**
   * Stores one output of {@code machineId}; does nothing without a folder.
   *
   * @throws GuestInputException if the machine already has {@code max_files} other files
   * @throws IOException if the file cannot be written
   */
  void store(String machineId, String name, byte[] body) throws IOException {
    if (dir.isEmpty()) {
      return;
    }
    Path folder = Files.createDirectories(dir.get()).resolve(machineId);
    if (!Files.isDirectory(folder)) {
      createOwnerOnly(folder);
    }
    Path target = folder.resolve(name);
    if (!Files.exists(target) && fileCount(folder) >= config.maxFiles()) {
      throw new GuestInputException("joboutputs: this machine already has "
          + config.maxFiles() + " files; no more are accepted");
    }
    Path temporary = Files.createTempFile(folder, "." + name, TEMPORARY_SUFFIX,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.write(temporary, body);
    try {
      Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private String accepted() {
    return dir.isEmpty() || config.allowed().isEmpty() ? String.join(" and ", BUILT_IN)
        : String.join(", ", BUILT_IN) + " and " + String.join(", ", config.allowed());
  }

  private static void createOwnerOnly(Path folder) throws IOException {
    try {
      Files.createDirectory(folder,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (java.nio.file.FileAlreadyExistsException e) {
      // Another request of the same machine made it first.
    }
  }

  private static long fileCount(Path folder) throws IOException {
    long count = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
      for (Path file : files) {
        count += file.getFileName().toString().endsWith(TEMPORARY_SUFFIX) ? 0 : 1;
      }
    }
    return count;
  }

  /** {@code *} is any run of characters, {@code ?} any one; the rest is literal. */
  static Pattern globPattern(String glob) {
    StringBuilder regex = new StringBuilder();
    for (char c : glob.toCharArray()) {
      switch (c) {
        case '*' -> regex.append(".*");
        case '?' -> regex.append('.');
        default -> regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString());
  }

  private static String printable(String name) {
    String clean = name.chars().filter(c -> c >= 32 && c < 127).limit(64)
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
        .toString();
    return clean.length() < name.length() ? clean + "..." : clean;
  }
}
