package io.flotilla.images;

import io.flotilla.provider.ImageFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Endorsed image files on local disk, for clouds that must be sent the bytes.
 *
 * <p>A download goes to {@code partial/} and is checked while it streams ({@code hv:size},
 * {@code sl:checksum:sha512}). A format the clouds cannot boot is converted: an OVA is
 * unpacked and its disk, like a bare VMDK, becomes qcow2. Only then is the result moved into
 * {@code ready/} in one atomic rename, so {@code ready/} never holds an unchecked or half
 * written file. Anything refused is deleted. Files are named by {@link ImageVersion#key()},
 * so a new checksum is a new file. Blocking; calls for different images are serialised.
 */
public final class ImageCache {
  private static final Logger log = LoggerFactory.getLogger(ImageCache.class);

  private final Path partial;
  private final Path ready;
  private final ImageDownload download;
  private final DiskConverter converter;
  private final Map<String, ImageFile> files = new ConcurrentHashMap<>();

  /**
   * Opens (creating if needed) a cache in {@code directory} and deletes leftovers of
   * downloads that a stop interrupted.
   */
  public ImageCache(Path directory, HttpClient http, DiskConverter converter) {
    this.partial = directory.resolve("partial");
    this.ready = directory.resolve("ready");
    this.download = new ImageDownload(http, Duration.ofMinutes(2));
    this.converter = converter;
    try {
      Files.createDirectories(ready);
      Files.createDirectories(partial);
      deleteMatching(partial, "*");
    } catch (IOException e) {
      throw new UncheckedIOException("image cache " + directory + " cannot be prepared", e);
    }
  }

  /** A cache using a redirect-following HTTP client and {@link DiskConverter#standard()}. */
  public static ImageCache open(Path directory) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(15))
        .followRedirects(HttpClient.Redirect.NORMAL).build();
    return new ImageCache(directory, http, DiskConverter.standard());
  }

  /**
   * The cached file of {@code image}, downloading, checking and converting it first if it
   * is not cached yet. Blocks for as long as the download takes.
   *
   * @throws ImageCacheException if the download fails or the bytes are not those endorsed
   */
  public synchronized ImageFile fetch(ImageVersion image) {
    Optional<ImageFile> cached = cached(image);
    if (cached.isPresent()) {
      return cached.get();
    }
    try {
      checkSpace(image);
      ImageFile file = prepare(image);
      files.put(image.key(), file);
      log.info("image cached image={} file={} format={} bytes={}", image.imageId(),
          file.path(), file.diskFormat(), file.size());
      return file;
    } catch (IOException e) {
      throw new ImageCacheException("image " + image.imageId() + " from " + image.uri()
          + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ImageCacheException("image " + image.imageId() + ": interrupted", e);
    } finally {
      deleteQuietly(partial, image.key() + ".*");
    }
  }

  private ImageFile prepare(ImageVersion image) throws IOException, InterruptedException {
    Path downloaded = partial.resolve(image.key() + ".download");
    download.fetch(image, downloaded);
    Path disk = downloaded;
    DiskFormat format = DiskFormat.of(downloaded);
    if (format == DiskFormat.OVA) {
      disk = partial.resolve(image.key() + ".disk");
      new OvaArchive(downloaded, image.imageId()).extractDisk(disk);
      format = DiskFormat.of(disk);
    }
    if (format == DiskFormat.VMDK) {
      Path converted = partial.resolve(image.key() + ".qcow2");
      converter.toQcow2(image.imageId(), disk, format, converted);
      disk = converted;
      format = DiskFormat.QCOW2;
    }
    if (!format.bootable()) {
      throw new ImageCacheException("image " + image.imageId() + " from " + image.uri()
          + ": content is " + format + " (hv:format says " + image.format()
          + "); usable are qcow2, raw, VMDK and single-disk OVA");
    }
    String sha512 = disk == downloaded ? image.sha512() : sha512(disk);
    Path target = ready.resolve(image.key() + "." + format.qemuName());
    moveAtomically(disk, target);
    return new ImageFile(target, format.qemuName(), Files.size(target), sha512);
  }

  /** The cached file of {@code image}, if a complete one is in the cache. */
  public Optional<ImageFile> cached(ImageVersion image) {
    ImageFile known = files.get(image.key());
    if (known != null && Files.isRegularFile(known.path())) {
      return Optional.of(known);
    }
    for (String format : List.of("qcow2", "raw")) {
      Path file = ready.resolve(image.key() + "." + format);
      if (Files.isRegularFile(file)) {
        return Optional.of(files.computeIfAbsent(image.key(), key -> reopen(file, format)));
      }
    }
    return Optional.empty();
  }

  /** Deletes the cached file of {@code image}; nothing happens if there is none. */
  public synchronized void evict(ImageVersion image) {
    files.remove(image.key());
    try {
      if (deleteMatching(ready, image.key() + ".*") > 0) {
        log.info("image evicted from cache image={} key={}", image.imageId(), image.key());
      }
    } catch (IOException e) {
      log.warn("image cache file could not be deleted image={} reason={}", image.imageId(),
          e.toString());
    }
  }

  private void checkSpace(ImageVersion image) throws IOException {
    long usable = Files.getFileStore(partial).getUsableSpace();
    // Room for the download plus a converted copy of about the same size.
    if (usable < 2 * image.size()) {
      throw new ImageCacheException("image " + image.imageId() + ": needs about "
          + 2 * image.size() + " bytes free in " + partial + ", " + usable + " are");
    }
  }

  private static ImageFile reopen(Path file, String format) {
    try {
      return new ImageFile(file, format, Files.size(file), sha512(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cached image " + file + " cannot be read", e);
    }
  }

  static String sha512(Path file) throws IOException {
    MessageDigest digest = ImageDownload.sha512();
    byte[] chunk = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
        digest.update(chunk, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static void moveAtomically(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("cannot rename " + from + " to " + to + " atomically; partial/"
          + " and ready/ must be on one file system", e);
    }
  }

  private static void deleteQuietly(Path directory, String glob) {
    try {
      deleteMatching(directory, glob);
    } catch (IOException e) {
      log.warn("partial image files could not be deleted dir={} pattern={} reason={}",
          directory, glob, e.toString());
    }
  }

  private static int deleteMatching(Path directory, String glob) throws IOException {
    int deleted = 0;
    try (DirectoryStream<Path> matches = Files.newDirectoryStream(directory, glob)) {
      for (Path match : matches) {
        Files.deleteIfExists(match);
        deleted++;
      }
    }
    return deleted;
  }
}
