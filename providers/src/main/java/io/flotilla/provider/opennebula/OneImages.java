package io.flotilla.provider.opennebula;

import io.flotilla.provider.CloudException;
import io.flotilla.provider.CloudException.Kind;
import io.flotilla.provider.ImageFile;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
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
import org.w3c.dom.Element;

/**
 * Image delivery into an OpenNebula image datastore: {@code one.image.allocate} of a template
 * whose PATH is where the front-end can read the cached file (a URL under
 * {@code image_base_url}, or a path under {@code image_path_prefix}); oned copies the file
 * into the datastore itself, and the image is LOCKED until it is done. We poll
 * {@code one.image.info} until READY, and delete the image again when it ends in ERROR, is
 * disabled or deleted under us, or is not READY within the wait: no half-made image is left
 * under our name.
 *
 * <p>Idempotent by name (OpenNebula names are unique per owner): an image of the same name
 * whose {@code FLOTILLA_SHA512} is the file's is reused when READY or USED and waited for
 * when still LOCKED (a delivery interrupted earlier); one in ERROR, or one of ours with
 * another SHA-512, is deleted first; one that is not ours stops the delivery.
 */
final class OneImages {

  /** Longest wait for an allocated image to become READY, before the per-byte allowance. */
  static final Duration READY_WAIT = Duration.ofMinutes(5);
  /** oned's copy is assumed no slower than this: big images get longer to become READY. */
  static final long MIN_COPY_BYTES_PER_SECOND = 1L << 20;
  /** The file's SHA-512, as we stored it; the key of reuse. */
  static final String SHA512_ATTRIBUTE = "FLOTILLA_SHA512";
  static final Set<String> DISK_FORMATS = Set.of("qcow2", "raw");
  /** Image template attributes oned or its drivers interpret: never set from properties. */
  static final Set<String> RESERVED = Set.of("NAME", "DESCRIPTION", "TYPE", "PERSISTENT",
      "PERSISTENT_TYPE", "DEV_PREFIX", "TARGET", "DRIVER", "FORMAT", "PATH", "SOURCE",
      "DISK_TYPE", "READONLY", "SIZE", "FS", "FSTYPE", "MD5", "SHA1", "CONTEXT",
      "NO_DECOMPRESS", "LIMIT_TRANSFER_BW", "ERROR", SHA512_ATTRIBUTE);

  /** Image STATE numbers (Image.h, the same from 4.x to 7.x). */
  static final int INIT = 0;
  static final int READY = 1;
  static final int USED = 2;
  static final int DISABLED = 3;
  static final int LOCKED = 4;
  static final int ERROR = 5;
  static final int CLONE = 6;
  static final int DELETE = 7;
  static final int USED_PERS = 8;
  private static final Set<Integer> BOOTABLE = Set.of(READY, USED, USED_PERS);
  private static final Set<Integer> UNFINISHED = Set.of(INIT, LOCKED, CLONE);
  private static final List<String> STATE_NAMES = List.of("INIT", "READY", "USED",
      "DISABLED", "LOCKED", "ERROR", "CLONE", "DELETE", "USED_PERS", "LOCKED_USED",
      "LOCKED_USED_PERS");

  private static final Logger log = LoggerFactory.getLogger(OneImages.class);
  private static final Pattern IMAGE_NAME =
      Pattern.compile("[^\\p{Cntrl}\\s]([^\\p{Cntrl}]{0,126}[^\\p{Cntrl}\\s])?");
  private static final Pattern PROPERTY_KEY = Pattern.compile("[A-Za-z][A-Za-z0-9_.:-]{0,127}");
  private static final Pattern NUMERIC_ID = Pattern.compile("\\d{1,10}");
  private static final int FILTER_MINE = -3;
  private static final int RANGE_ALL = -1;
  private static final Duration FIRST_POLL = Duration.ofMillis(100);
  private static final Duration LONGEST_POLL = Duration.ofSeconds(5);

  /** One XML-RPC call with the session prepended; failures are mapped CloudExceptions. */
  @FunctionalInterface
  interface Calls {
    Object call(String method, Object... params);
  }

  /** What {@code one.image.info} and the pool say of one image. */
  record OneImage(int id, String name, int state, Map<String, String> template) {

    String stateName() {
      return state >= 0 && state < STATE_NAMES.size() ? STATE_NAMES.get(state)
          : Integer.toString(state);
    }
  }

  private final String cloud;
  private final OpenNebulaOptions options;
  private final Calls calls;
  private final Duration readyWait;

  OneImages(String cloud, OpenNebulaOptions options, Calls calls, Duration readyWait) {
    this.cloud = Objects.requireNonNull(cloud, "cloud");
    this.options = Objects.requireNonNull(options, "options");
    this.calls = Objects.requireNonNull(calls, "calls");
    this.readyWait = Objects.requireNonNull(readyWait, "readyWait");
  }

  /** See {@link io.flotilla.provider.ImageDelivery#deliver}. */
  String deliver(ImageFile file, String name, Map<String, String> properties) {
    int datastore = checkRequest(file, name);
    String template = template(file, name, properties);
    Optional<String> existing = reuseOrClear(file, name);
    if (existing.isPresent()) {
      return existing.get();
    }
    long started = System.nanoTime();
    int id = allocatedId(calls.call("one.image.allocate", template, datastore));
    awaitReadyOrDelete(id, file.size());
    log.info("opennebula image delivered cloud={} cloud_image={} name={} datastore={} "
        + "format={} bytes={} millis={}", cloud, id, name, datastore, file.diskFormat(),
        file.size(), Duration.ofNanos(System.nanoTime() - started).toMillis());
    return Integer.toString(id);
  }

  /** See {@link io.flotilla.provider.ImageDelivery#remove}. */
  void remove(String cloudImageId) {
    int id = imageId(cloudImageId);
    if (delete(id)) {
      log.info("opennebula image deleted cloud={} cloud_image={}", cloud, id);
    } else {
      log.debug("opennebula image already gone cloud={} cloud_image={}", cloud, id);
    }
  }

  /* ---------------- request ---------------- */

  private int checkRequest(ImageFile file, String name) {
    Objects.requireNonNull(file, "file");
    if (options.imageDatastoreId().isEmpty()) {
      throw refused(name, "image delivery is off: set " + OpenNebulaOptions.IMAGE_DATASTORE_ID
          + " and " + OpenNebulaOptions.IMAGE_BASE_URL + " or "
          + OpenNebulaOptions.IMAGE_PATH_PREFIX + " in the cloud's options, or map the image"
          + " under the cloud's images:");
    }
    if (!DISK_FORMATS.contains(file.diskFormat())) {
      throw refused(name, "disk format '" + file.diskFormat() + "' is not one of "
          + DISK_FORMATS);
    }
    if (name == null || !IMAGE_NAME.matcher(name).matches()) {
      throw refused(name, "the image name must be 1 to 128 characters without control "
          + "characters or surrounding spaces");
    }
    long actual = sizeOf(file, name);
    if (actual != file.size()) {
      throw refused(name, "file " + file.path() + " has " + actual + " bytes, expected "
          + file.size());
    }
    return options.imageDatastoreId().getAsInt();
  }

  /** The image template; refuses what oned could not read back unchanged. */
  String template(ImageFile file, String name, Map<String, String> properties) {
    OneTemplate template = new OneTemplate();
    try {
      template.single("NAME", name)
          .single("TYPE", "OS")
          .single("PERSISTENT", "NO")
          .single("PATH", location(file, name))
          .single("DRIVER", file.diskFormat())
          .single("FORMAT", file.diskFormat())
          .single("DESCRIPTION", "Endorsed image delivered by Flotilla; do not edit")
          .single(SHA512_ATTRIBUTE, file.sha512().toLowerCase(Locale.ROOT));
      for (Map.Entry<String, String> property : properties.entrySet()) {
        template.single(attribute(name, property.getKey()),
            Objects.requireNonNull(property.getValue(), property.getKey()));
      }
    } catch (IllegalArgumentException e) {
      throw refused(name, e.getMessage());
    }
    return template.render();
  }

  /** Where the front-end reads the file: the cache file's name under the configured base. */
  String location(ImageFile file, String name) {
    Object fileName = file.path().getFileName();
    if (fileName == null || fileName.toString().isEmpty()) {
      throw refused(name, "file " + file.path() + " has no file name");
    }
    String plain = fileName.toString();
    if (options.imageBaseUrl().isPresent()) {
      String encoded = URLEncoder.encode(plain, StandardCharsets.UTF_8).replace("+", "%20");
      return options.imageBaseUrl().get().resolve(URI.create(encoded)).toString();
    }
    return options.imagePathPrefix().orElseThrow() + plain;
  }

  private String attribute(String name, String key) {
    if (key == null || !PROPERTY_KEY.matcher(key).matches()) {
      throw refused(name, "property key '" + key + "' must be a letter then up to 127 of "
          + "a-z A-Z 0-9 _ . : -");
    }
    String attribute = key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9_]", "_");
    if (RESERVED.contains(attribute)) {
      throw refused(name, "property key '" + key + "' is the image attribute " + attribute
          + ", which OpenNebula or Flotilla sets itself");
    }
    return attribute;
  }

  private long sizeOf(ImageFile file, String name) {
    try {
      return Files.size(file.path());
    } catch (IOException e) {
      throw refused(name, "file " + file.path() + " cannot be read: "
          + e.getClass().getSimpleName());
    }
  }

  /* ---------------- reuse ---------------- */

  private Optional<String> reuseOrClear(ImageFile file, String name) {
    String sha512 = file.sha512().toLowerCase(Locale.ROOT);
    for (OneImage image : pool()) {
      if (!image.name().equals(name)) {
        continue;
      }
      String stored = image.template().get(SHA512_ATTRIBUTE);
      boolean same = sha512.equalsIgnoreCase(stored);
      if (same && BOOTABLE.contains(image.state())) {
        log.info("opennebula image already delivered, reused cloud={} cloud_image={} name={}",
            cloud, image.id(), name);
        return Optional.of(Integer.toString(image.id()));
      }
      if (same && UNFINISHED.contains(image.state())) {
        log.info("opennebula image of an earlier delivery still copying, waiting for it "
            + "cloud={} cloud_image={} name={} state={}", cloud, image.id(), name,
            image.stateName());
        awaitReadyOrDelete(image.id(), file.size());
        return Optional.of(Integer.toString(image.id()));
      }
      if (stored == null && image.state() != ERROR) {
        throw new CloudException(Kind.INVALID_REQUEST, "opennebula cloud " + cloud
            + ": delivery of image " + name + " refused: the name is taken by image "
            + image.id() + " (state " + image.stateName() + "), which Flotilla did not "
            + "deliver");
      }
      log.warn("opennebula image of this name is unusable, deleting it cloud={} "
          + "cloud_image={} name={} state={} sha512_matches={}", cloud, image.id(), name,
          image.stateName(), same);
      delete(image.id());
    }
    return Optional.empty();
  }

  private List<OneImage> pool() {
    String method = "one.imagepool.info";
    Object result = calls.call(method, FILTER_MINE, RANGE_ALL, RANGE_ALL);
    Element root = parse(method, result, "IMAGE_POOL");
    List<OneImage> images = new ArrayList<>();
    for (Element element : SafeXml.children(root)) {
      if (element.getTagName().equals("IMAGE")) {
        image(element).ifPresent(images::add);
      }
    }
    return images;
  }

  /* ---------------- waiting ---------------- */

  private void awaitReadyOrDelete(int id, long bytes) {
    try {
      awaitReady(id, readyWait.plusSeconds(bytes / MIN_COPY_BYTES_PER_SECOND));
    } catch (RuntimeException e) {
      deleteAfterFailure(id, e);
      throw e;
    }
  }

  private void awaitReady(int id, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    Duration pause = FIRST_POLL;
    String last = "not read yet";
    while (true) {
      Optional<OneImage> image = info(id);
      if (image.isPresent()) {
        OneImage known = image.get();
        if (BOOTABLE.contains(known.state())) {
          return;
        }
        if (!UNFINISHED.contains(known.state())) {
          String error = known.template().get("ERROR");
          throw new CloudException(Kind.TRANSIENT, "opennebula cloud " + cloud + ": image "
              + id + " did not become READY: state " + known.stateName()
              + (error == null ? "" : ", error: " + error));
        }
        last = known.stateName();
      }
      if (System.nanoTime() > deadline) {
        throw new CloudException(Kind.TRANSIENT, "opennebula cloud " + cloud + ": image " + id
            + " not READY after " + wait.toMillis() + " ms: state " + last);
      }
      sleep(pause, id);
      pause = pause.multipliedBy(2).compareTo(LONGEST_POLL) > 0
          ? LONGEST_POLL : pause.multipliedBy(2);
    }
  }

  /** The image, or empty when a passing fault (throttling, a timeout) hid it this time. */
  private Optional<OneImage> info(int id) {
    String method = "one.image.info";
    try {
      Element root = parse(method, calls.call(method, id), "IMAGE");
      return Optional.of(image(root).orElseThrow(() -> new CloudException(Kind.TRANSIENT,
          "opennebula cloud " + cloud + ": " + method + " of image " + id
          + " has no numeric ID")));
    } catch (CloudException e) {
      if (e.kind() == Kind.THROTTLED || e.kind() == Kind.TRANSIENT) {
        log.debug("opennebula image poll failed, polling on cloud={} cloud_image={} "
            + "reason={}", cloud, id, e.getMessage());
        return Optional.empty();
      }
      throw e;
    }
  }

  /* ---------------- delete ---------------- */

  /** Deletes the image; false when OpenNebula no longer knew it. */
  private boolean delete(int id) {
    try {
      calls.call("one.image.delete", id);
      return true;
    } catch (CloudException e) {
      if (e.kind() == Kind.NOT_FOUND) {
        return false;
      }
      throw e;
    }
  }

  private void deleteAfterFailure(int id, RuntimeException failure) {
    try {
      delete(id);
      log.warn("opennebula delivery failed, its image deleted cloud={} cloud_image={} "
          + "reason={}", cloud, id, failure.getMessage());
    } catch (CloudException e) {
      failure.addSuppressed(e);
      log.error("opennebula delivery failed and its image could not be deleted; the next "
          + "delivery of this name deletes it cloud={} cloud_image={} reason={}", cloud, id,
          e.getMessage());
    }
  }

  /* ---------------- documents ---------------- */

  private Element parse(String method, Object result, String rootName) {
    if (!(result instanceof String xml)) {
      throw new CloudException(Kind.TRANSIENT, "opennebula cloud " + cloud + ": " + method
          + " returned no document");
    }
    Element root;
    try {
      root = SafeXml.parse(xml, method + " answer").getDocumentElement();
    } catch (XmlRpcException e) {
      throw OpenNebulaErrors.fromTransport(cloud, method, e);
    }
    if (!root.getTagName().equals(rootName)) {
      throw new CloudException(Kind.TRANSIENT, "opennebula cloud " + cloud + ": " + method
          + " answer has root <" + root.getTagName() + ">, expected <" + rootName + ">");
    }
    return root;
  }

  private static Optional<OneImage> image(Element element) {
    String id = SafeXml.childText(element, "ID");
    String state = SafeXml.childText(element, "STATE");
    if (id == null || !NUMERIC_ID.matcher(id).matches()
        || state == null || !state.matches("\\d{1,3}")) {
      return Optional.empty();
    }
    String name = SafeXml.childText(element, "NAME");
    Map<String, String> template = new LinkedHashMap<>();
    Element section = SafeXml.child(element, "TEMPLATE");
    if (section != null) {
      for (Element attribute : SafeXml.children(section)) {
        if (SafeXml.children(attribute).isEmpty()) {
          template.put(attribute.getTagName(), attribute.getTextContent());
        }
      }
    }
    return Optional.of(new OneImage(Integer.parseInt(id), name == null ? "" : name,
        Integer.parseInt(state), template));
  }

  private int allocatedId(Object result) {
    if (result instanceof Integer id && id >= 0) {
      return id;
    }
    throw new CloudException(Kind.TRANSIENT, "opennebula cloud " + cloud
        + ": one.image.allocate returned no image id");
  }

  private int imageId(String cloudImageId) {
    if (cloudImageId == null || !NUMERIC_ID.matcher(cloudImageId).matches()) {
      throw new CloudException(Kind.INVALID_REQUEST, "opennebula cloud " + cloud + ": '"
          + cloudImageId + "' is not an OpenNebula image id (digits)");
    }
    try {
      return Integer.parseInt(cloudImageId);
    } catch (NumberFormatException e) {
      throw new CloudException(Kind.INVALID_REQUEST, "opennebula cloud " + cloud
          + ": image id " + cloudImageId + " is out of OpenNebula's id range");
    }
  }

  private void sleep(Duration pause, int id) {
    try {
      Thread.sleep(pause.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CloudException(Kind.TRANSIENT, "opennebula cloud " + cloud
          + ": interrupted while waiting for image " + id + " to become READY", e);
    }
  }

  private CloudException refused(String name, String reason) {
    return new CloudException(Kind.INVALID_REQUEST, "opennebula cloud " + cloud
        + ": delivery of image " + name + " refused before any call: " + reason);
  }
}
