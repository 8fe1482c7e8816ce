package io.flotilla.config;

import java.util.List;

/** The site configuration is invalid; the message lists every problem found, one a line. */
public final class ConfigException extends RuntimeException {
  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super(String.join(System.lineSeparator(), problems));
    this.problems = List.copyOf(problems);
  }

  /** Each problem as {@code FILE: FIELD: REASON}. */
  public List<String> problems() {
    return problems;
  }
}
