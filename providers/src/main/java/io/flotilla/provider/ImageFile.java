package io.flotilla.provider;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A verified disk image ready for upload: the file's bytes already matched the endorsed
 * size and SHA-512 and were converted to a format the cloud boots.
 *
 * @param path the cached file; read-only for the provider, which must not move or delete it
 * @param diskFormat {@code qcow2} or {@code raw}, as Glance and OpenNebula name them
 * @param size the file's length in bytes
 * @param sha512 lower-case hex SHA-512 of the file as it is now (after any conversion), for
 *     clouds that check what they stored (Glance {@code os_hash_value})
 */
public record ImageFile(Path path, String diskFormat, long size, String sha512) {

  /** Checks that no field is missing. */
  public ImageFile {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(diskFormat, "diskFormat");
    Objects.requireNonNull(sha512, "sha512");
  }
}
