package io.flotilla.config;

import java.time.Duration;

/** Formats durations the way the site file writes them. */
public final class Durations {
  private Durations() {}

  /** {@code 90s}, {@code 5m}, {@code 2h}, {@code 250ms}: the largest unit that is exact. */
  public static String format(Duration duration) {
    long millis = duration.toMillis();
    if (millis % 1000 != 0) {
      return millis + "ms";
    }
    long seconds = duration.toSeconds();
    if (seconds != 0 && seconds % 86400 == 0) {
      return seconds / 86400 + "d";
    }
    if (seconds != 0 && seconds % 3600 == 0) {
      return seconds / 3600 + "h";
    }
    if (seconds != 0 && seconds % 60 == 0) {
      return seconds / 60 + "m";
    }
    return seconds + "s";
  }
}
