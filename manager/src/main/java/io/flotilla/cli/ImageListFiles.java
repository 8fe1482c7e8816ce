package io.flotilla.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Reads the files named on an {@code imagelist} command line, reporting failures. */
final class ImageListFiles {

  /** Exit status: every rule held. */
  static final int OK = 0;
  /** Exit status: a rule failed or the file is not an image list. */
  static final int REFUSED = 1;
  /** Exit status: usage error, unreadable argument. */
  static final int USAGE = 2;

  /** Same bound as the fetcher: larger than any real list, stops reading a wrong file. */
  private static final long MAX_BYTES = 64L * 1024 * 1024;

  private ImageListFiles() {}

  /** The file's bytes, or empty after printing why it cannot be read. */
  static Optional<byte[]> read(Path file, String what, PrintWriter err) {
    try {
      if (Files.size(file) > MAX_BYTES) {
        err.println("flotilla imagelist: " + what + " " + file + " is larger than " + MAX_BYTES
            + " bytes");
        return Optional.empty();
      }
      return Optional.of(Files.readAllBytes(file));
    } catch (IOException e) {
      err.println("flotilla imagelist: cannot read " + what + " " + file + ": " + e);
      return Optional.empty();
    }
  }
}
