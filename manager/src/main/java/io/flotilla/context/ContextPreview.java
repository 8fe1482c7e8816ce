package io.flotilla.context;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes what a VM of a cloud type would be given, as files: {@code user-data} always (the
 * exact bytes before the cloud's transport encoding), an OpenStack config drive tree, or an
 * OpenNebula {@code context.sh}. Nothing is started.
 */
public final class ContextPreview {
  /** Stands for the machine's guest token in previews; never a real one. */
  public static final String TOKEN = "FLOTILLA-PREVIEW-TOKEN";
  /** Stands for the machine id in previews. */
  public static final String MACHINE_ID = "flotilla-preview-machine";
  /** Stands for OpenNebula's OneGate token in previews. */
  public static final String ONEGATE_TOKEN = "FLOTILLA-PREVIEW-ONEGATE-TOKEN";

  private ContextPreview() {}

  /**
   * Writes the files for {@code context} under {@code dir}, creating it.
   *
   * @param name the machine's name in the config drive's metadata
   * @return the files written, in order
   * @throws UncheckedIOException naming the file that could not be written
   */
  public static List<Path> write(RenderedContext context, Path dir, String name) {
    List<Path> written = new ArrayList<>();
    write(dir.resolve("user-data"), context.userData(), written);
    switch (context.cloudType()) {
      case "openstack" -> {
        Path latest = dir.resolve("config-drive/openstack/latest");
        write(latest.resolve("meta_data.json"), utf8(context.configDriveMetaData(MACHINE_ID,
            name)), written);
        write(latest.resolve("user_data"), context.userData(), written);
      }
      case "opennebula" -> {
        write(dir.resolve("context.sh"), utf8(context.openNebulaContextScript()), written);
        write(dir.resolve("token.txt"), utf8(ONEGATE_TOKEN + "\n"), written);
      }
      default -> {
        // EC2 and the sandbox hand the user-data over as it is.
      }
    }
    return written;
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static void write(Path file, byte[] bytes, List<Path> written) {
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, bytes);
      written.add(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
