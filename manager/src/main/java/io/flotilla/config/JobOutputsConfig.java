package io.flotilla.config;

import java.util.List;

/**
 * What guests may write under {@code $JOBOUTPUTS} beyond {@code heartbeat} and
 * {@code shutdown_message} ({@code guest_api.joboutputs}).
 *
 * @param allowed file names or globs ({@code *} and {@code ?}) a guest may PUT, such as
 *     {@code *.log}; {@code heartbeat} and {@code shutdown_message} are always allowed
 * @param maxBytes the largest file accepted, in bytes
 * @param maxFiles the most files kept per machine, {@code heartbeat} and
 *     {@code shutdown_message} included
 */
public record JobOutputsConfig(List<String> allowed, int maxBytes, int maxFiles) {
  public static final int DEFAULT_MAX_BYTES = 65_536;
  public static final int DEFAULT_MAX_FILES = 32;

  public JobOutputsConfig {
    allowed = List.copyOf(allowed);
  }

  /** Only {@code heartbeat} and {@code shutdown_message}, 64 KiB each at most. */
  public static JobOutputsConfig defaults() {
    return new JobOutputsConfig(List.of(), DEFAULT_MAX_BYTES, DEFAULT_MAX_FILES);
  }
}
