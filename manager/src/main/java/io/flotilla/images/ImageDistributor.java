package io.flotilla.images;

import io.flotilla.config.SiteConfig.CloudConfig;
import io.flotilla.config.VoConfig;
import io.flotilla.provider.CloudException;
import io.flotilla.provider.ImageDelivery;
import io.flotilla.provider.ImageFile;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the clouds that need image bytes supplied: listens to the catalog's {@link
 * ImageEvents}, downloads a newly endorsed version into the {@link ImageCache} when a VO
 * runs it on such a cloud, delivers it there through the cloud's {@link ImageDelivery}, and
 * records the cloud's image id in {@link CloudImages}. When a version expires, is removed or
 * its checksum changes, its cached file is evicted and its cloud copies are removed.
 *
 * <p>Downloads and uploads take minutes, so all work runs in order on one thread of its own;
 * event methods only queue it. Failed downloads, uploads and removals are retried by the
 * next {@link #sync()}. In a cluster only the leading manager transfers anything.
 */
public final class ImageDistributor implements ImageEvents, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ImageDistributor.class);

  private final Map<String, Set<String>> cloudsByImage;
  private final ImageCache cache;
  private final CloudImages cloudImages;
  private final Function<String, Optional<ImageDelivery>> deliveries;
  private final BooleanSupplier leads;
  private final Set<String> warnedNoDelivery = ConcurrentHashMap.newKeySet();
  private final ExecutorService worker = Executors.newSingleThreadExecutor(runnable -> {
    Thread thread = new Thread(runnable, "flotilla-images");
    thread.setDaemon(true);
    return thread;
  });

  /**
   * @param cloudsByImage the clouds some VO runs each image on, see {@link #cloudsByImage}
   * @param deliveries the upload interface of a cloud by name, empty for clouds that have
   *     none
   * @param leads whether this manager leads the cluster now
   */
  public ImageDistributor(Map<String, Set<String>> cloudsByImage, ImageCache cache,
      CloudImages cloudImages, Function<String, Optional<ImageDelivery>> deliveries,
      BooleanSupplier leads) {
    this.cloudsByImage = Map.copyOf(cloudsByImage);
    this.cache = cache;
    this.cloudImages = cloudImages;
    this.deliveries = deliveries;
    this.leads = leads;
  }

  /** Image identifier to the names of the clouds the VOs run it on. */
  public static Map<String, Set<String>> cloudsByImage(List<VoConfig> vos) {
    Map<String, Set<String>> clouds = new LinkedHashMap<>();
    for (VoConfig vo : vos) {
      clouds.computeIfAbsent(vo.image(), image -> new LinkedHashSet<>()).addAll(vo.clouds());
    }
    return clouds;
  }

  @Override
  public void available(ImageVersion image) {
    cloudImages.endorse(image);
    queue(() -> supply(image));
  }

  @Override
  public void expired(ImageVersion image) {
    cloudImages.withdraw(image);
    queue(() -> retire(image, "expired"));
  }

  @Override
  public void removed(ImageVersion image, String reason) {
    cloudImages.withdraw(image);
    queue(() -> retire(image, "removed"));
  }

  @Override
  public void checksumChanged(ImageVersion before, ImageVersion after) {
    cloudImages.withdraw(before);
    cloudImages.endorse(after);
    queue(() -> retire(before, "checksum changed"));
    queue(() -> supply(after));
  }

  /**
   * Queues a pass that supplies every endorsed version still missing somewhere and removes
   * cloud copies of versions no longer endorsed.
   *
   * @return completes when the pass (and all work queued before it) is done
   */
  public CompletableFuture<Void> sync() {
    return queue(() -> {
      cloudImages.endorsed().forEach(this::supply);
      for (CloudImages.Delivery delivery : cloudImages.deliveries()) {
        if (cloudImages.endorsed().stream().noneMatch(v -> matches(v, delivery))) {
          removeFromCloud(delivery);
        }
      }
    });
  }

  private static boolean matches(ImageVersion version, CloudImages.Delivery delivery) {
    return version.imageId().equals(delivery.imageId())
        && version.sha512().equals(delivery.sha512());
  }

  private CompletableFuture<Void> queue(Runnable work) {
    return CompletableFuture.runAsync(() -> {
      try {
        if (leads.getAsBoolean()) {
          work.run();
        }
      } catch (RuntimeException e) {
        log.error("image distribution step failed; the next sync retries it", e);
      }
    }, worker);
  }

  private void supply(ImageVersion image) {
    if (!cloudImages.isEndorsed(image)) {
      return;
    }
    Map<String, ImageDelivery> targets = targets(image);
    if (targets.isEmpty()) {
      return;
    }
    ImageFile file;
    try {
      file = cache.fetch(image);
    } catch (ImageCacheException e) {
      log.error("image not cached, clouds cannot launch it image={} reason={}",
          image.imageId(), e.getMessage());
      return;
    }
    targets.forEach((cloud, delivery) -> deliver(cloud, delivery, image, file));
  }

  private void deliver(String cloud, ImageDelivery delivery, ImageVersion image,
      ImageFile file) {
    try {
      String cloudImageId = delivery.deliver(file, "flotilla-" + image.key(), properties(image,
          file));
      cloudImages.recordDelivery(cloud, image, cloudImageId);
      log.info("image delivered cloud={} image={} cloud_image={}", cloud, image.imageId(),
          cloudImageId);
    } catch (CloudException e) {
      log.warn("image delivery failed cloud={} image={} kind={} reason={}", cloud,
          image.imageId(), e.kind(), e.getMessage());
    }
  }

  private static Map<String, String> properties(ImageVersion image, ImageFile file) {
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("flotilla_image_id", image.imageId());
    properties.put("flotilla_subscription", image.subscription());
    properties.put("flotilla_endorsed_sha512", image.sha512());
    properties.put("flotilla_file_sha512", file.sha512());
    if (image.version() != null) {
      properties.put("flotilla_image_version", image.version());
    }
    if (image.title() != null) {
      properties.put("flotilla_image_title", image.title());
    }
    return properties;
  }

  /** Clouds that need the bytes of {@code image} for some VO and do not have them yet. */
  private Map<String, ImageDelivery> targets(ImageVersion image) {
    Map<String, ImageDelivery> targets = new LinkedHashMap<>();
    for (String name : cloudsByImage.getOrDefault(image.imageId(), Set.of())) {
      CloudConfig cloud = cloudImages.cloud(name).orElse(null);
      if (cloud == null || !CloudImages.needsBytes(cloud)
          || cloud.images().containsKey(image.imageId())
          || cloudImages.delivered(name, image).isPresent()) {
        continue;
      }
      Optional<ImageDelivery> delivery = deliveries.apply(name);
      if (delivery.isPresent()) {
        targets.put(name, delivery.get());
      } else if (warnedNoDelivery.add(name + "|" + image.imageId())) {
        log.warn("cloud cannot take image uploads, map the image under its images: instead"
            + " cloud={} type={} image={}", name, cloud.type(), image.imageId());
      }
    }
    return targets;
  }

  private void retire(ImageVersion image, String why) {
    cache.evict(image);
    for (CloudImages.Delivery delivery : cloudImages.deliveries()) {
      if (matches(image, delivery)) {
        log.info("removing image from cloud cloud={} image={} cloud_image={} because={}",
            delivery.cloud(), image.imageId(), delivery.cloudImageId(), why);
        removeFromCloud(delivery);
      }
    }
  }

  private void removeFromCloud(CloudImages.Delivery delivery) {
    Optional<ImageDelivery> cloud = deliveries.apply(delivery.cloud());
    if (cloud.isEmpty()) {
      return;
    }
    try {
      cloud.get().remove(delivery.cloudImageId());
      cloudImages.forget(delivery);
    } catch (CloudException e) {
      log.warn("image removal failed, will retry cloud={} cloud_image={} kind={} reason={}",
          delivery.cloud(), delivery.cloudImageId(), e.kind(), e.getMessage());
    }
  }

  /** Stops the worker; queued work is dropped, a running transfer is interrupted. */
  @Override
  public void close() {
    worker.shutdownNow();
  }

  /** The bookkeeping this distributor keeps up to date. */
  public CloudImages cloudImages() {
    return cloudImages;
  }
}
