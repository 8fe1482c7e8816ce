package io.flotilla.trust;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link CaDirectory} that follows its files on disk. {@link #get()} looks at the
 * directory at most once per {@code checkInterval}: if a file was added, removed, or changed
 * size or modification time, the directory is loaded again. If that load fails (e.g. the
 * directory is briefly empty while a package updates it) the previous directory stays in use
 * and the failure is logged; the next check tries again.
 *
 * <p>Thread-safe: concurrent callers see either the old or the new directory, and at most one
 * of them reloads.
 */
public final class ReloadingCaDirectory implements Supplier<CaDirectory> {

  private static final Logger log = LoggerFactory.getLogger(ReloadingCaDirectory.class);

  private final Path directory;
  private final Duration checkInterval;
  private final Clock clock;
  private CaDirectory current;
  private String fingerprint;
  private Instant lastCheck;

  /**
   * Loads {@code directory} now.
   *
   * @throws TrustException if the first load fails (DIRECTORY_UNREADABLE)
   */
  public ReloadingCaDirectory(Path directory, Duration checkInterval, Clock clock) {
    this.directory = Objects.requireNonNull(directory, "directory");
    this.checkInterval = Objects.requireNonNull(checkInterval, "checkInterval");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.fingerprint = fingerprint();
    this.current = CaDirectory.load(directory);
    this.lastCheck = clock.instant();
  }

  /** The current directory, reloaded first if the check interval passed and files changed. */
  @Override
  public synchronized CaDirectory get() {
    Instant now = clock.instant();
    if (now.isBefore(lastCheck.plus(checkInterval))) {
      return current;
    }
    lastCheck = now;
    String seen = fingerprint();
    if (!seen.equals(fingerprint)) {
      reload(seen);
    }
    return current;
  }

  private void reload(String seen) {
    try {
      current = CaDirectory.load(directory);
      fingerprint = seen;
      log.info("ca directory reloaded path={} anchors={}", directory, current.anchorCount());
    } catch (TrustException e) {
      log.error("ca directory reload failed, keeping the previous one path={} reason={}",
          directory, e.getMessage());
    }
  }

  /** Names, sizes and modification times of the directory's files, in name order. */
  private String fingerprint() {
    TreeMap<String, String> files = new TreeMap<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
      for (Path file : entries) {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        files.put(file.getFileName().toString(),
            attributes.size() + "@" + attributes.lastModifiedTime().toInstant());
      }
    } catch (IOException e) {
      return "unreadable: " + e.getMessage();
    }
    return files.toString();
  }
}
