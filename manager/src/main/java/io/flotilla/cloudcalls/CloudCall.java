package io.flotilla.cloudcalls;

import java.util.Locale;

/** The kinds of call the manager makes to a cloud; creates alone stop while throttled. */
public enum CloudCall {
  CREATE,
  DESCRIBE,
  LIST,
  DESTROY,
  /** The project's quota and usage, read once per pass. */
  QUOTA,
  OTHER;

  /** The kind in lower case, for logs and messages. */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }
}
