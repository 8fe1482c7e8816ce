package io.flotilla.credentials;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A VO's robot credential, re-read when its files change: a VOMS proxy renewed outside
 * Flotilla (by a cron job running {@code voms-proxy-init}, say) is picked up by the next
 * issue without a restart. A changed file that fails the checks is refused with a warning
 * and the previous credential stays in use until it expires.
 *
 * <p>Each {@link #get()} costs two file-attribute reads. Thread-safe.
 */
public final class RenewableCredential implements Supplier<RobotCredential> {
  private static final Logger log = LoggerFactory.getLogger(RenewableCredential.class);

  private final String vo;
  private final Path certificate;
  private final Path key;
  private final Clock clock;
  private RobotCredential current;
  private List<FileTime> loadedStamps;
  private List<FileTime> refusedStamps;

  /**
   * Loads the credential now.
   *
   * @throws CredentialException as {@link RobotCredential#load} does
   */
  public RenewableCredential(String vo, Path certificate, Path key, Clock clock) {
    this.vo = vo;
    this.certificate = certificate;
    this.key = key;
    this.clock = clock;
    this.loadedStamps = stamps();
    this.current = RobotCredential.load(certificate, key, clock);
  }

  /** The credential as of the files now on disk (or the last one that passed the checks). */
  @Override
  public synchronized RobotCredential get() {
    List<FileTime> stamps = stamps();
    if (stamps.equals(loadedStamps) || stamps.equals(refusedStamps)) {
      return current;
    }
    try {
      current = RobotCredential.load(certificate, key, clock);
      loadedStamps = stamps;
      log.info("robot credential reloaded vo={} file={} notAfter={}", vo, certificate,
          current.notAfter());
    } catch (CredentialException e) {
      refusedStamps = stamps;
      log.warn("robot credential changed but is refused, keeping the previous one vo={}"
          + " notAfter={} reason={}", vo, current.notAfter(), e.getMessage());
    }
    return current;
  }

  public String vo() {
    return vo;
  }

  private List<FileTime> stamps() {
    return List.of(modified(certificate), modified(key));
  }

  private static FileTime modified(Path file) {
    try {
      return Files.getLastModifiedTime(file);
    } catch (IOException e) {
      return FileTime.fromMillis(0);
    }
  }
}
