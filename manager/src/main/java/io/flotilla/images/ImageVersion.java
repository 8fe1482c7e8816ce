package io.flotilla.images;

import java.util.Objects;

/**
 * One version of an endorsed image: the identifier stays across versions, the SHA-512 names
 * the bytes. Everything the image cache and the clouds need, without the list around it.
 *
 * @param subscription the subscription whose list endorses it
 * @param imageId {@code dc:identifier}
 * @param title {@code dc:title}, may be null
 * @param version {@code hv:version}, may be null
 * @param uri {@code hv:uri}, where the bytes are downloaded from
 * @param size {@code hv:size} in bytes
 * @param sha512 {@code sl:checksum:sha512}, lower-case hex
 * @param format {@code hv:format} as the list claims it (e.g. OVA, QCOW2), may be null
 */
public record ImageVersion(
    String subscription,
    String imageId,
    String title,
    String version,
    String uri,
    long size,
    String sha512,
    String format) {

  /** Checks the fields every use relies on. */
  public ImageVersion {
    Objects.requireNonNull(subscription, "subscription");
    Objects.requireNonNull(imageId, "imageId");
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(sha512, "sha512");
  }

  /** A name for this version that is safe in file names and cloud image names. */
  public String key() {
    return safe(imageId) + "-" + sha512.substring(0, Math.min(16, sha512.length()));
  }

  private static String safe(String text) {
    return text.replaceAll("[^A-Za-z0-9._-]", "_");
  }
}
