package io.flotilla.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flotilla.provider.ImageFile;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageCacheTest {
  @TempDir Path dir;
  private LoopbackFiles server;
  private ImageCache cache;

  @BeforeEach
  void start() throws IOException {
    server = new LoopbackFiles();
    cache = new ImageCache(dir.resolve("cache"), HttpClient.newHttpClient(),
        new DiskConverter("qemu-img", Duration.ofMinutes(1)));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void fetch_whenSizeAndChecksumMatch_cachesFileUnderReady() throws IOException {
    byte[] bytes = TestImages.qcow2Like(200_000, 1);
    ImageVersion image = TestImages.version(server.serve("/img.qcow2", bytes), bytes, "QCOW2");

    ImageFile file = cache.fetch(image);

    assertThat(file.path()).isEqualTo(dir.resolve("cache/ready/" + image.key() + ".qcow2"));
    assertThat(Files.readAllBytes(file.path())).isEqualTo(bytes);
    assertThat(file.diskFormat()).isEqualTo("qcow2");
    assertThat(file.sha512()).isEqualTo(image.sha512());
    assertThat(partialFiles()).isEmpty();
  }

  @Test
  void fetch_whenCachedAlready_doesNotDownloadAgain() {
    byte[] bytes = TestImages.qcow2Like(1000, 2);
    ImageVersion image = TestImages.version(server.serve("/img", bytes), bytes, "QCOW2");

    cache.fetch(image);
    cache.fetch(image);

    assertThat(server.requests("/img")).isEqualTo(1);
  }

  @Test
  void fetch_whenAnnouncedLengthDiffers_refusesAndLeavesNoFile() throws IOException {
    byte[] bytes = TestImages.qcow2Like(1000, 3);
    ImageVersion endorsed = TestImages.version(server.serve("/img", bytes), bytes, "QCOW2");
    ImageVersion image = new ImageVersion("appdb", endorsed.imageId(), null, null,
        endorsed.uri(), 999, endorsed.sha512(), null);

    assertThatThrownBy(() -> cache.fetch(image)).isInstanceOf(ImageCacheException.class)
        .hasMessage("image " + image.imageId() + " from " + image.uri() + ": server announces"
            + " 1000 bytes, the list endorses hv:size 999");
    assertThat(partialFiles()).isEmpty();
    assertThat(cache.cached(image)).isEmpty();
  }

  @Test
  void fetch_whenStreamedBodyExceedsSize_stopsAndLeavesNoFile() throws IOException {
    byte[] bytes = TestImages.qcow2Like(300_000, 4);
    String url = server.serveChunked("/img", bytes);
    ImageVersion image = new ImageVersion("appdb", TestImages.IMAGE_ID, null, null, url,
        100_000, TestImages.sha512(bytes), null);

    assertThatThrownBy(() -> cache.fetch(image)).isInstanceOf(ImageCacheException.class)
        .hasMessageEndingWith("body exceeds the endorsed hv:size 100000 bytes; download"
            + " stopped");
    assertThat(partialFiles()).isEmpty();
    assertThat(readyFiles()).isEmpty();
  }

  @Test
  void fetch_whenStreamedBodyIsShort_refusesNamingBothSizes() throws IOException {
    byte[] bytes = TestImages.qcow2Like(5000, 5);
    String url = server.serveChunked("/img", bytes);
    ImageVersion image = new ImageVersion("appdb", TestImages.IMAGE_ID, null, null, url,
        6000, TestImages.sha512(bytes), null);

    assertThatThrownBy(() -> cache.fetch(image))
        .hasMessageEndingWith("body has 5000 bytes, the list endorses hv:size 6000");
    assertThat(partialFiles()).isEmpty();
  }

  @Test
  void fetch_whenChecksumDiffers_refusesAndLeavesNoFile() throws IOException {
    byte[] bytes = TestImages.qcow2Like(5000, 6);
    byte[] corrupted = bytes.clone();
    corrupted[4000] ^= 1;
    ImageVersion image =
        TestImages.version(server.serve("/img", corrupted), bytes, "QCOW2");

    assertThatThrownBy(() -> cache.fetch(image))
        .hasMessageEndingWith("SHA-512 is " + TestImages.sha512(corrupted)
            + ", the list endorses " + image.sha512());
    assertThat(partialFiles()).isEmpty();
    assertThat(readyFiles()).isEmpty();
  }

  @Test
  void fetch_whenServerAnswers404_refusesNamingStatus() {
    ImageVersion image = new ImageVersion("appdb", TestImages.IMAGE_ID, null, null,
        server.fail("/gone", 404), 10, "ab".repeat(64), null);

    assertThatThrownBy(() -> cache.fetch(image)).hasMessageEndingWith("HTTP 404, expected 200");
  }

  @Test
  void fetch_whenUriIsAFile_refusesScheme() {
    ImageVersion image = new ImageVersion("appdb", TestImages.IMAGE_ID, null, null,
        "file:///etc/passwd", 10, "ab".repeat(64), null);

    assertThatThrownBy(() -> cache.fetch(image))
        .hasMessageEndingWith("hv:uri must be http:// or https://");
  }

  @Test
  void fetch_whenOva_extractsTheDiskAndConvertsItToQcow2() throws Exception {
    TestImages.requireQemuImg();
    byte[] ova = TestImages.tinyOva(dir.resolve("build"));
    ImageVersion image = TestImages.version(server.serve("/appliance.ova", ova), ova, "OVA");

    ImageFile file = cache.fetch(image);

    assertThat(file.diskFormat()).isEqualTo("qcow2");
    assertThat(file.path().getFileName().toString()).isEqualTo(image.key() + ".qcow2");
    assertThat(DiskFormat.of(file.path())).isEqualTo(DiskFormat.QCOW2);
    assertThat(file.sha512()).isEqualTo(ImageCache.sha512(file.path()))
        .isNotEqualTo(image.sha512());
    assertThat(partialFiles()).isEmpty();
  }

  @Test
  void fetch_whenOvaHasNoDisk_refusesNamingMembers() throws Exception {
    Path build = dir.resolve("nodisk");
    Files.createDirectories(build);
    Files.writeString(build.resolve("appliance.ovf"), "<Envelope/>");
    TestImages.run(build, List.of("tar", "--format=ustar", "-cf", "a.ova", "appliance.ovf"));
    byte[] ova = Files.readAllBytes(build.resolve("a.ova"));
    ImageVersion image = TestImages.version(server.serve("/a.ova", ova), ova, "OVA");

    assertThatThrownBy(() -> cache.fetch(image))
        .hasMessageContaining("holds 0 disks, expected exactly 1 (members: [appliance.ovf])");
    assertThat(partialFiles()).isEmpty();
    assertThat(readyFiles()).isEmpty();
  }

  @Test
  void evict_removesTheCachedFile() throws IOException {
    byte[] bytes = TestImages.qcow2Like(1000, 7);
    ImageVersion image = TestImages.version(server.serve("/img", bytes), bytes, "QCOW2");
    ImageFile file = cache.fetch(image);

    cache.evict(image);

    assertThat(file.path()).doesNotExist();
    assertThat(cache.cached(image)).isEmpty();
  }

  private List<Path> partialFiles() throws IOException {
    return list(dir.resolve("cache/partial"));
  }

  private List<Path> readyFiles() throws IOException {
    return list(dir.resolve("cache/ready"));
  }

  private static List<Path> list(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files.toList();
    }
  }
}
