package io.flotilla.provider.openstack;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.flotilla.provider.CloudException;
import io.flotilla.provider.CloudException.Kind;
import io.flotilla.provider.CloudImage;
import io.flotilla.provider.ImageFile;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Image upload to Glance v2 over its REST API (jclouds has no Glance v2 client): create the
 * image record (private, bare container, the file's disk format, the caller's properties),
 * stream the file into it, wait until Glance reports it active, and check that Glance stored
 * exactly the file: its size, and its {@code os_hash_value} when Glance hashes with SHA-512
 * (the default since Rocky), else its MD5 {@code checksum}. Whatever fails after the record
 * exists, the record is deleted again, so no half-made image is left to boot from.
 *
 * <p>A delivery is idempotent by name: an active image of the same name whose size and hash
 * match the file is reused (a manager that died between upload and bookkeeping uploads
 * nothing twice), and a non-active one (queued, saving, killed: a delivery interrupted
 * earlier) is deleted first.
 */
final class GlanceImages {

  /** Longest wait for an uploaded image to become active. */
  static final Duration ACTIVE_WAIT = Duration.ofMinutes(5);
  /** Uploads slower than this time out: the timeout is the call timeout plus size / rate. */
  static final long MIN_UPLOAD_BYTES_PER_SECOND = 1L << 20;
  static final Set<String> DISK_FORMATS = Set.of("qcow2", "raw");
  /** Glance's own image attributes (v2 image schema): never set as properties. */
  static final Set<String> CORE_ATTRIBUTES = Set.of("id", "name", "status", "visibility",
      "protected", "checksum", "owner", "size", "virtual_size", "container_format",
      "disk_format", "created_at", "updated_at", "tags", "direct_url", "min_ram", "min_disk",
      "self", "file", "schema", "locations", "stores", "kernel_id", "ramdisk_id");
  static final int MAX_PROPERTY_LENGTH = 255;
  /** Images asked for per page of a listing (Glance's default api_limit_max is 1000). */
  static final int LIST_PAGE = 200;

  private static final Logger log = LoggerFactory.getLogger(GlanceImages.class);
  private static final Gson GSON = new Gson();
  private static final Pattern PROPERTY_KEY = Pattern.compile("[A-Za-z0-9_:.-]{1,255}");
  private static final Pattern IMAGE_NAME =
      Pattern.compile("[^\\p{Cntrl}\\s]([^\\p{Cntrl}]{0,253}[^\\p{Cntrl}\\s])?");
  private static final Pattern IMAGE_ID = Pattern.compile(
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Set<String> UNFINISHED =
      Set.of("queued", "saving", "uploading", "importing");
  private static final Set<String> FAILED = Set.of("killed", "deleted", "pending_delete");
  private static final Duration FIRST_POLL = Duration.ofMillis(200);
  private static final Duration LONGEST_POLL = Duration.ofSeconds(5);

  private final String cloud;
  private final OpenStackRest rest;
  private final Duration activeWait;

  GlanceImages(String cloud, OpenStackRest rest, Duration activeWait) {
    this.cloud = Objects.requireNonNull(cloud, "cloud");
    this.rest = Objects.requireNonNull(rest, "rest");
    this.activeWait = Objects.requireNonNull(activeWait, "activeWait");
  }

  /**
   * Every image the project may see (its own, shared and public), following Glance's
   * {@code next} links page by page.
   *
   * @throws CloudException as classified from Glance's answers; TRANSIENT for an answer
   *     that is not an image listing or a {@code next} link that does not advance
   */
  List<CloudImage> list(int pageSize) {
    List<CloudImage> found = new ArrayList<>();
    Set<String> pagesSeen = new HashSet<>();
    URI page = URI.create(imagesUrl() + "?limit=" + pageSize);
    while (page != null) {
      if (!pagesSeen.add(page.toString())) {
        throw new CloudException(Kind.TRANSIENT, "openstack cloud " + cloud
            + ": list images failed: Glance's next link repeats page " + page.getRawQuery());
      }
      URI current = page;
      JsonObject listing = json("list images",
          rest.send("list images", () -> request(current).GET(), Set.of(200)).body());
      for (JsonElement element : array(listing, "images")) {
        found.add(image(element));
      }
      String next = text(listing, "next");
      page = next == null ? null : glanceRoot().resolve(next.replaceFirst("^/+", ""));
    }
    return found;
  }

  /** See {@link io.flotilla.provider.ImageDelivery#deliver}. */
  String deliver(ImageFile file, String name, Map<String, String> properties) {
    Map<String, String> checked = checkRequest(file, name, properties);
    URI images = imagesUrl();
    Optional<String> existing = reuseOrClear(images, file, name);
    if (existing.isPresent()) {
      return existing.get();
    }
    long started = System.nanoTime();
    String id = createRecord(images, file, name, checked);
    try {
      upload(images, id, file);
      checkStored(id, awaitActive(images, id), file);
    } catch (RuntimeException e) {
      deleteAfterFailure(images, id, e);
      throw e;
    }
    log.info("glance image delivered cloud={} cloud_image={} name={} format={} bytes={} "
        + "millis={}", cloud, id, name, file.diskFormat(), file.size(),
        Duration.ofNanos(System.nanoTime() - started).toMillis());
    return id;
  }

  /** See {@link io.flotilla.provider.ImageDelivery#remove}. */
  void remove(String imageId) {
    checkImageId(imageId);
    int status = delete(imagesUrl(), imageId);
    if (status == 404) {
      log.debug("glance image already gone cloud={} cloud_image={}", cloud, imageId);
    } else {
      log.info("glance image deleted cloud={} cloud_image={}", cloud, imageId);
    }
  }

  private Map<String, String> checkRequest(
      ImageFile file, String name, Map<String, String> properties) {
    Objects.requireNonNull(file, "file");
    if (!DISK_FORMATS.contains(file.diskFormat())) {
      throw refused(name, "disk format '" + file.diskFormat() + "' is not one of "
          + DISK_FORMATS);
    }
    long actual = sizeOf(file, name);
    if (actual != file.size()) {
      throw refused(name, "file " + file.path() + " has " + actual + " bytes, expected "
          + file.size());
    }
    if (name == null || !IMAGE_NAME.matcher(name).matches()) {
      throw refused(name, "the image name must be 1 to 255 characters without control "
          + "characters or surrounding spaces");
    }
    Map<String, String> checked = new LinkedHashMap<>();
    properties.forEach((key, value) -> checked.put(checkedKey(name, key), cut(name, key, value)));
    return checked;
  }

  private String checkedKey(String name, String key) {
    if (!PROPERTY_KEY.matcher(key).matches()) {
      throw refused(name, "property key '" + key + "' must be 1 to 255 of a-z A-Z 0-9 _ : . -");
    }
    if (CORE_ATTRIBUTES.contains(key) || key.startsWith("os_")) {
      throw refused(name, "property key '" + key + "' is one of Glance's own attributes");
    }
    return key;
  }

  private String cut(String name, String key, String value) {
    Objects.requireNonNull(value, key);
    if (value.length() <= MAX_PROPERTY_LENGTH) {
      return value;
    }
    log.warn("glance image property cut to Glance's limit cloud={} name={} key={} length={} "
        + "limit={}", cloud, name, key, value.length(), MAX_PROPERTY_LENGTH);
    return value.substring(0, MAX_PROPERTY_LENGTH - 3) + "...";
  }

  private long sizeOf(ImageFile file, String name) {
    try {
      return Files.size(file.path());
    } catch (IOException e) {
      throw refused(name, "file " + file.path() + " cannot be read: "
          + e.getClass().getSimpleName());
    }
  }

  private CloudImage image(JsonElement element) {
    if (!element.isJsonObject()) {
      throw new CloudException(Kind.TRANSIENT, "openstack cloud " + cloud
          + ": list images failed: an entry of Glance's images is not an object");
    }
    JsonObject image = element.getAsJsonObject();
    String id = checkImageId(text(image, "id"));
    String name = text(image, "name");
    String status = text(image, "status");
    return new CloudImage(id, name == null ? id : name, status == null ? "unknown" : status);
  }

  /**
   * Glance's root, against which its {@code next} links ({@code /v2/images?marker=...}) are
   * read: the catalog's endpoint without any trailing /v2, ending in a slash so a path
   * prefix before /v2 is kept.
   */
  private URI glanceRoot() {
    String base = rest.endpoint("image").toString().replaceAll("/+$", "")
        .replaceAll("/v2$", "");
    return URI.create(base + "/");
  }

  /** {@code <glance>/v2/images}, whether the catalog lists Glance with or without /v2. */
  private URI imagesUrl() {
    String base = rest.endpoint("image").toString().replaceAll("/+$", "");
    return URI.create(base.endsWith("/v2") ? base + "/images" : base + "/v2/images");
  }

  private Optional<String> reuseOrClear(URI images, ImageFile file, String name) {
    URI byName = URI.create(images + "?name=" + URLEncoder.encode(name, StandardCharsets.UTF_8));
    JsonObject listing = json("list images named " + name,
        rest.send("list images named " + name, () -> request(byName).GET(), Set.of(200)).body());
    for (JsonElement element : array(listing, "images")) {
      JsonObject image = element.getAsJsonObject();
      String id = text(image, "id");
      String status = text(image, "status");
      if ("active".equals(status) && mismatch(image, file).isEmpty()) {
        log.info("glance image already delivered, reused cloud={} cloud_image={} name={}",
            cloud, id, name);
        return Optional.of(checkImageId(id));
      }
      if (UNFINISHED.contains(status) || FAILED.contains(status)) {
        log.warn("glance image left by an interrupted delivery, deleting it cloud={} "
            + "cloud_image={} name={} status={}", cloud, id, name, status);
        delete(images, checkImageId(id));
      }
    }
    return Optional.empty();
  }

  private String createRecord(URI images, ImageFile file, String name,
      Map<String, String> properties) {
    Map<String, Object> record = new LinkedHashMap<>(properties);
    record.put("name", name);
    record.put("disk_format", file.diskFormat());
    record.put("container_format", "bare");
    record.put("visibility", "private");
    String what = "create image " + name;
    String body = rest.send(what, () -> request(images)
        .header("Content-Type", "application/json")
        .POST(BodyPublishers.ofString(GSON.toJson(record))), Set.of(201)).body();
    return checkImageId(text(json(what, body), "id"));
  }

  private void upload(URI images, String id, ImageFile file) {
    BodyPublisher bytes;
    try {
      bytes = BodyPublishers.ofFile(file.path());
    } catch (FileNotFoundException e) {
      throw new CloudException(Kind.INVALID_REQUEST, "openstack cloud " + cloud + ": upload of "
          + file.path() + " to image " + id + " failed: the file is gone");
    }
    Duration timeout = rest.callTimeout()
        .plusSeconds(file.size() / MIN_UPLOAD_BYTES_PER_SECOND);
    rest.send("upload of " + file.size() + " bytes to image " + id,
        () -> HttpRequest.newBuilder(URI.create(images + "/" + id + "/file"))
            .timeout(timeout)
            .header("Content-Type", "application/octet-stream")
            .PUT(bytes), Set.of(204));
  }

  private JsonObject awaitActive(URI images, String id) {
    long deadline = System.nanoTime() + activeWait.toNanos();
    Duration pause = FIRST_POLL;
    while (true) {
      JsonObject image = get(images, id);
      String status = text(image, "status");
      if ("active".equals(status)) {
        return image;
      }
      if (FAILED.contains(status)) {
        throw new CloudException(Kind.TRANSIENT, "openstack cloud " + cloud + ": image " + id
            + " did not become active: Glance reports status " + status);
      }
      if (System.nanoTime() > deadline) {
        throw new CloudException(Kind.TRANSIENT, "openstack cloud " + cloud + ": image " + id
            + " not active after " + activeWait.toSeconds() + " s: status " + status);
      }
      sleep(pause, id);
      pause = pause.multipliedBy(2).compareTo(LONGEST_POLL) > 0
          ? LONGEST_POLL : pause.multipliedBy(2);
    }
  }

  private JsonObject get(URI images, String id) {
    String what = "read image " + id;
    return json(what, rest.send(what,
        () -> request(URI.create(images + "/" + id)).GET(), Set.of(200)).body());
  }

  private void checkStored(String id, JsonObject image, ImageFile file) {
    Optional<String> mismatch = mismatch(image, file);
    if (mismatch.isPresent()) {
      throw new CloudException(Kind.TRANSIENT, "openstack cloud " + cloud + ": image " + id
          + " is not the file uploaded: " + mismatch.get());
    }
  }

  /** Why Glance's record does not describe exactly this file, or empty when it does. */
  private Optional<String> mismatch(JsonObject image, ImageFile file) {
    JsonElement size = image.get("size");
    if (size == null || size.isJsonNull() || size.getAsLong() != file.size()) {
      return Optional.of("Glance reports size " + size + ", the file has " + file.size()
          + " bytes");
    }
    String algorithm = text(image, "os_hash_algo");
    if ("sha512".equalsIgnoreCase(algorithm)) {
      String stored = text(image, "os_hash_value");
      return file.sha512().equalsIgnoreCase(stored) ? Optional.empty()
          : Optional.of("Glance reports SHA-512 " + stored + ", the file has " + file.sha512());
    }
    String stored = text(image, "checksum");
    String md5 = md5(file);
    return md5.equalsIgnoreCase(stored) ? Optional.empty()
        : Optional.of("Glance reports MD5 " + stored + ", the file has " + md5);
  }

  private void deleteAfterFailure(URI images, String id, RuntimeException failure) {
    try {
      delete(images, id);
      log.warn("glance delivery failed, half-made image deleted cloud={} cloud_image={} "
          + "reason={}", cloud, id, failure.getMessage());
    } catch (CloudException e) {
      failure.addSuppressed(e);
      log.error("glance delivery failed and its image could not be deleted; the next "
          + "delivery of this name deletes it cloud={} cloud_image={} reason={}", cloud, id,
          e.getMessage());
    }
  }

  private int delete(URI images, String id) {
    return rest.send("delete image " + id,
        () -> request(URI.create(images + "/" + id)).DELETE(), Set.of(204, 404)).statusCode();
  }

  private HttpRequest.Builder request(URI uri) {
    return HttpRequest.newBuilder(uri).timeout(rest.callTimeout())
        .header("Accept", "application/json");
  }

  private String checkImageId(String id) {
    if (id == null || !IMAGE_ID.matcher(id).matches()) {
      throw new CloudException(Kind.INVALID_REQUEST, "openstack cloud " + cloud + ": '" + id
          + "' is not a Glance image id (a UUID)");
    }
    return id.toLowerCase(Locale.ROOT);
  }

  private JsonObject json(String what, String body) {
    try {
      JsonElement root = JsonParser.parseString(body);
      if (root.isJsonObject()) {
        return root.getAsJsonObject();
      }
    } catch (JsonParseException e) {
      // Reported below.
    }
    throw new CloudException(Kind.TRANSIENT, "openstack cloud " + cloud + ": " + what
        + " failed: Glance's answer is not a JSON object");
  }

  private static JsonArray array(JsonObject object, String name) {
    JsonElement value = object.get(name);
    return value != null && value.isJsonArray() ? value.getAsJsonArray() : new JsonArray();
  }

  private static String text(JsonObject object, String name) {
    JsonElement value = object.get(name);
    return value == null || value.isJsonNull() || !value.isJsonPrimitive()
        ? null : value.getAsString();
  }

  private String md5(ImageFile file) {
    try (InputStream in = Files.newInputStream(file.path())) {
      MessageDigest digest = MessageDigest.getInstance("MD5");
      byte[] chunk = new byte[1 << 16];
      for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
        digest.update(chunk, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new CloudException(Kind.INVALID_REQUEST, "openstack cloud " + cloud + ": file "
          + file.path() + " cannot be read to check Glance's MD5: "
          + e.getClass().getSimpleName());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks MD5", e);
    }
  }

  private void sleep(Duration pause, String id) {
    try {
      Thread.sleep(pause.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CloudException(Kind.TRANSIENT, "openstack cloud " + cloud
          + ": interrupted while waiting for image " + id + " to become active", e);
    }
  }

  private CloudException refused(String name, String reason) {
    return new CloudException(Kind.INVALID_REQUEST, "openstack cloud " + cloud
        + ": delivery of image " + name + " refused before any call: " + reason);
  }
}
