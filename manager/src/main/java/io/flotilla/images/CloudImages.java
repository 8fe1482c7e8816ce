package io.flotilla.images;

import io.flotilla.config.SiteConfig.CloudConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Which image each cloud launches for an endorsed image: the answer to "may a machine of
 * this image start on that cloud, and with which image reference?".
 *
 * <p>An image is launchable on a cloud only while it is endorsed (the catalog announced the
 * version and has not withdrawn it) and the cloud has it: clouds that launch by reference
 * take the operator's mapping under the cloud's {@code images:} (EC2 AMIs) or, for the
 * sandbox, the image identifier itself; clouds that need the bytes (OpenStack, OpenNebula)
 * take the id recorded when this exact version (identifier and SHA-512) was delivered, unless
 * the operator mapped the image by hand. Deliveries are recorded in a shared map (a
 * Hazelcast {@code IMap} in a cluster) so every manager sees them. Thread-safe.
 */
public final class CloudImages {
  private static final Set<String> BYTE_CLOUD_TYPES = Set.of("openstack", "opennebula");

  private final Map<String, CloudConfig> clouds;
  private final ConcurrentMap<String, String> deliveries;
  private final Map<String, ImageVersion> endorsed = new ConcurrentHashMap<>();

  /** A recorded delivery: which version went to which cloud, under which cloud image id. */
  public record Delivery(String cloud, String imageId, String sha512, String cloudImageId) {}

  /**
   * @param clouds the site's clouds
   * @param deliveries shared map of {@code cloud|imageId|sha512} to the cloud's image id
   */
  public CloudImages(List<CloudConfig> clouds, ConcurrentMap<String, String> deliveries) {
    this.clouds = new LinkedHashMap<>();
    clouds.forEach(cloud -> this.clouds.put(cloud.name(), cloud));
    this.deliveries = deliveries;
  }

  /** The configuration of a cloud by name. */
  Optional<CloudConfig> cloud(String name) {
    return Optional.ofNullable(clouds.get(name));
  }

  /** Whether machines of this cloud boot only from images uploaded into it. */
  public static boolean needsBytes(CloudConfig cloud) {
    return BYTE_CLOUD_TYPES.contains(cloud.type());
  }

  /**
   * The reference to put in a create request for {@code imageId} on {@code cloud}, or empty
   * if the image is not endorsed now or that cloud does not have it (yet).
   */
  public Optional<String> cloudImageRef(String cloud, String imageId) {
    ImageVersion version = endorsed.get(imageId);
    Optional<CloudConfig> config = cloud(cloud);
    if (version == null || config.isEmpty()) {
      return Optional.empty();
    }
    String mapped = config.get().images().get(imageId);
    if (mapped != null) {
      return Optional.of(mapped);
    }
    if ("sandbox".equals(config.get().type())) {
      return Optional.of(imageId);
    }
    return needsBytes(config.get()) ? delivered(cloud, version) : Optional.empty();
  }

  /** Records that {@code version} is endorsed now (replacing an older version). */
  void endorse(ImageVersion version) {
    endorsed.put(version.imageId(), version);
  }

  /** Records that {@code version} is no longer endorsed. */
  void withdraw(ImageVersion version) {
    endorsed.remove(version.imageId(), version);
  }

  /** Whether exactly this version is endorsed now. */
  boolean isEndorsed(ImageVersion version) {
    return version.equals(endorsed.get(version.imageId()));
  }

  /** The endorsed versions. */
  Collection<ImageVersion> endorsed() {
    return List.copyOf(endorsed.values());
  }

  /** The cloud's image id for this version, if it was delivered there. */
  public Optional<String> delivered(String cloud, ImageVersion version) {
    return Optional.ofNullable(deliveries.get(key(cloud, version.imageId(), version.sha512())));
  }

  void recordDelivery(String cloud, ImageVersion version, String cloudImageId) {
    deliveries.put(key(cloud, version.imageId(), version.sha512()), cloudImageId);
  }

  void forget(Delivery delivery) {
    deliveries.remove(key(delivery.cloud(), delivery.imageId(), delivery.sha512()),
        delivery.cloudImageId());
  }

  /** Every recorded delivery, of endorsed versions and of versions waiting for removal. */
  public List<Delivery> deliveries() {
    List<Delivery> result = new ArrayList<>();
    deliveries.forEach((key, cloudImageId) -> {
      int first = key.indexOf('|');
      int last = key.lastIndexOf('|');
      if (first > 0 && last > first) {
        result.add(new Delivery(key.substring(0, first), key.substring(first + 1, last),
            key.substring(last + 1), cloudImageId));
      }
    });
    return result;
  }

  private static String key(String cloud, String imageId, String sha512) {
    return cloud + "|" + imageId + "|" + sha512;
  }
}
