package io.flotilla.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Converts a disk to qcow2 with {@code qemu-img} (Debian package {@code qemu-utils}).
 *
 * <p>A disk image can name other files: a backing file, or VMDK extents. {@code qemu-img}
 * would read them from this host and copy them into the output, so the input is inspected
 * first ({@code qemu-img info}) and refused if it refers to any file but itself; the
 * conversion then names the input format explicitly instead of letting qemu-img guess.
 */
public final class DiskConverter {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_OUTPUT = 64 * 1024;

  private final String qemuImg;
  private final Duration timeout;

  /**
   * @param qemuImg the {@code qemu-img} command, e.g. {@code qemu-img} from the PATH
   * @param timeout the longest one conversion may take
   */
  public DiskConverter(String qemuImg, Duration timeout) {
    this.qemuImg = qemuImg;
    this.timeout = timeout;
  }

  /** {@code qemu-img} from the PATH, with up to an hour per conversion. */
  public static DiskConverter standard() {
    return new DiskConverter("qemu-img", Duration.ofHours(1));
  }

  /**
   * Writes {@code source}, a disk in {@code format}, as qcow2 to {@code target}.
   *
   * @param imageName names the image in messages
   * @throws ImageCacheException if the disk refers to other files, or qemu-img fails
   */
  void toQcow2(String imageName, Path source, DiskFormat format, Path target) {
    checkSelfContained(imageName, source, format);
    run(imageName, List.of(qemuImg, "convert", "-f", format.qemuName(), "-O", "qcow2",
        source.toString(), target.toString()));
  }

  private void checkSelfContained(String imageName, Path source, DiskFormat format) {
    String json = run(imageName, List.of(qemuImg, "info", "-f", format.qemuName(),
        "--output=json", source.toString()));
    JsonNode info;
    try {
      info = JSON.readTree(json);
    } catch (IOException e) {
      throw new ImageCacheException("image " + imageName + ": qemu-img info printed no JSON: "
          + e.getMessage(), e);
    }
    if (info.hasNonNull("backing-filename")) {
      throw new ImageCacheException("image " + imageName + ": disk names a backing file '"
          + info.get("backing-filename").asText() + "'; only self-contained disks are used");
    }
    for (JsonNode extent : info.path("format-specific").path("data").path("extents")) {
      String file = extent.path("filename").asText();
      if (!Path.of(file).toAbsolutePath().normalize()
          .equals(source.toAbsolutePath().normalize())) {
        throw new ImageCacheException("image " + imageName + ": VMDK names extent '" + file
            + "' outside the disk itself; only self-contained disks are used");
      }
    }
  }

  private String run(String imageName, List<String> command) {
    Path output = null;
    try {
      output = Files.createTempFile("flotilla-qemu-img", ".out");
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(output.toFile()).start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new ImageCacheException("image " + imageName + ": " + describe(command)
            + " did not finish within " + timeout);
      }
      String text = head(output);
      if (process.exitValue() != 0) {
        throw new ImageCacheException("image " + imageName + ": " + describe(command)
            + " exited with " + process.exitValue() + ": " + text.strip());
      }
      return text;
    } catch (IOException e) {
      throw new ImageCacheException("image " + imageName + ": cannot run " + describe(command)
          + " (is qemu-utils installed?): " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ImageCacheException("image " + imageName + ": interrupted during "
          + describe(command), e);
    } finally {
      deleteQuietly(output);
    }
  }

  private static String head(Path output) throws IOException {
    byte[] bytes = Files.readAllBytes(output);
    int length = Math.min(bytes.length, MAX_OUTPUT);
    return new String(bytes, 0, length, StandardCharsets.UTF_8);
  }

  private static String describe(List<String> command) {
    return String.join(" ", new ArrayList<>(command.subList(0, 2)));
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // A leftover temporary file of a few bytes is not worth failing the conversion for.
      }
    }
  }
}
