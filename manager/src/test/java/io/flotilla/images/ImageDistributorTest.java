package io.flotilla.images;

import static org.assertj.core.api.Assertions.assertThat;

import io.flotilla.config.SiteConfig.CloudConfig;
import io.flotilla.provider.CloudException;
import io.flotilla.provider.ImageDelivery;
import io.flotilla.provider.ImageFile;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Delivery bookkeeping: which reference each cloud launches, and when it changes. */
class ImageDistributorTest {
  private static final String ID = TestImages.IMAGE_ID;

  @TempDir Path dir;
  private LoopbackFiles server;
  private final RecordingDelivery glance = new RecordingDelivery();
  private final ConcurrentHashMap<String, String> shared = new ConcurrentHashMap<>();
  private CloudImages cloudImages;
  private ImageDistributor distributor;
  private ImageCache cache;

  @BeforeEach
  void start() throws IOException {
    server = new LoopbackFiles();
    List<CloudConfig> clouds = List.of(
        new CloudConfig("os", "openstack", Map.of(), Map.of(), Map.of()),
        new CloudConfig("one", "opennebula", Map.of(), Map.of(), Map.of()),
        new CloudConfig("aws", "ec2", Map.of(), Map.of(ID, "ami-0123"), Map.of()),
        new CloudConfig("sandbox", "sandbox", Map.of(), Map.of(), Map.of()));
    cloudImages = new CloudImages(clouds, shared);
    cache = new ImageCache(dir, HttpClient.newHttpClient(),
        new DiskConverter("qemu-img", Duration.ofMinutes(1)));
    distributor = new ImageDistributor(Map.of(ID, Set.of("os", "one", "aws", "sandbox")),
        cache, cloudImages, name -> "os".equals(name) ? Optional.of(glance) : Optional.empty(),
        () -> true);
  }

  @AfterEach
  void stop() {
    distributor.close();
    server.close();
  }

  @Test
  void available_deliversToByteCloudsOnlyAndRecordsTheirIds() {
    ImageVersion image = served("/v1", 1);

    distributor.available(image);
    distributor.sync().join();

    assertThat(glance.delivered).containsExactly("flotilla-" + image.key());
    assertThat(cloudImages.cloudImageRef("os", ID)).contains("glance-1");
    assertThat(cloudImages.cloudImageRef("one", ID)).isEmpty();
    assertThat(cloudImages.cloudImageRef("aws", ID)).contains("ami-0123");
    assertThat(cloudImages.cloudImageRef("sandbox", ID)).contains(ID);
    assertThat(shared).containsEntry("os|" + ID + "|" + image.sha512(), "glance-1");
  }

  @Test
  void cloudImageRef_whenNotEndorsed_isEmptyEvenForReferenceClouds() {
    assertThat(cloudImages.cloudImageRef("aws", ID)).isEmpty();
    assertThat(cloudImages.cloudImageRef("sandbox", ID)).isEmpty();
    assertThat(cloudImages.cloudImageRef("nosuchcloud", ID)).isEmpty();
  }

  @Test
  void removed_removesCloudCopyEvictsCacheAndStopsLaunching() {
    ImageVersion image = served("/v1", 2);
    distributor.available(image);
    distributor.sync().join();

    distributor.removed(image, "gone from list");
    distributor.sync().join();

    assertThat(glance.removed).containsExactly("glance-1");
    assertThat(cloudImages.cloudImageRef("os", ID)).isEmpty();
    assertThat(cloudImages.cloudImageRef("sandbox", ID)).isEmpty();
    assertThat(cache.cached(image)).isEmpty();
    assertThat(shared).isEmpty();
  }

  @Test
  void expired_removesCloudCopy() {
    ImageVersion image = served("/v1", 3);
    distributor.available(image);
    distributor.sync().join();

    distributor.expired(image);
    distributor.sync().join();

    assertThat(glance.removed).containsExactly("glance-1");
    assertThat(cloudImages.cloudImageRef("os", ID)).isEmpty();
  }

  @Test
  void checksumChanged_replacesTheCloudCopyWithTheNewVersion() {
    ImageVersion before = served("/v1", 4);
    distributor.available(before);
    distributor.sync().join();
    ImageVersion after = served("/v2", 5);

    distributor.checksumChanged(before, after);
    distributor.sync().join();

    assertThat(glance.delivered).containsExactly("flotilla-" + before.key(),
        "flotilla-" + after.key());
    assertThat(glance.removed).containsExactly("glance-1");
    assertThat(cloudImages.cloudImageRef("os", ID)).contains("glance-2");
    assertThat(cache.cached(before)).isEmpty();
  }

  @Test
  void sync_whenDeliveryFailedBefore_retriesIt() {
    glance.failures = 2;
    ImageVersion image = served("/v1", 6);
    distributor.available(image);
    distributor.sync().join();
    assertThat(glance.delivered).isEmpty();

    distributor.sync().join();

    assertThat(cloudImages.cloudImageRef("os", ID)).contains("glance-1");
  }

  @Test
  void available_whenDownloadIsCorrupt_deliversNothing() throws IOException {
    byte[] bytes = TestImages.qcow2Like(4000, 7);
    String url = server.serve("/bad", TestImages.qcow2Like(4000, 8));
    distributor.available(TestImages.version(url, bytes, "QCOW2"));
    distributor.sync().join();

    assertThat(glance.delivered).isEmpty();
    assertThat(cloudImages.cloudImageRef("os", ID)).isEmpty();
    try (var files = Files.list(dir.resolve("ready"))) {
      assertThat(files.toList()).isEmpty();
    }
  }

  private ImageVersion served(String path, int seed) {
    byte[] bytes = TestImages.qcow2Like(4000, seed);
    return TestImages.version(server.serve(path, bytes), bytes, "QCOW2");
  }

  /** A cloud that stores image names and hands out sequential ids. */
  private static final class RecordingDelivery implements ImageDelivery {
    final List<String> delivered = new ArrayList<>();
    final List<String> removed = new ArrayList<>();
    int failures;

    @Override
    public synchronized String deliver(ImageFile file, String name,
        Map<String, String> properties) {
      if (failures > 0) {
        failures--;
        throw new CloudException(CloudException.Kind.TRANSIENT, "upload interrupted");
      }
      assertThat(file.path()).exists();
      assertThat(properties).containsEntry("flotilla_image_id", ID);
      delivered.add(name);
      return "glance-" + delivered.size();
    }

    @Override
    public synchronized void remove(String cloudImageId) {
      removed.add(cloudImageId);
    }
  }
}
