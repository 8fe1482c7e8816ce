package io.flotilla.images;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.OptionalLong;

/**
 * Downloads one image version to a file while checking it: the body may not be longer than
 * {@code hv:size} (the download stops at the first byte too many), must be exactly that
 * long, and must hash to {@code sl:checksum:sha512}. The caller deletes the file when this
 * throws.
 */
final class ImageDownload {
  private final HttpClient http;
  private final Duration headerTimeout;

  ImageDownload(HttpClient http, Duration headerTimeout) {
    this.http = http;
    this.headerTimeout = headerTimeout;
  }

  /** Writes the verified bytes of {@code image} to {@code target}. Blocks. */
  void fetch(ImageVersion image, Path target) throws IOException, InterruptedException {
    URI uri = uriOf(image);
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(headerTimeout).build();
    HttpResponse<InputStream> response =
        http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = response.body()) {
      if (response.statusCode() != 200) {
        throw refuse(image, "HTTP " + response.statusCode() + ", expected 200");
      }
      OptionalLong announced = response.headers().firstValueAsLong("Content-Length");
      if (announced.isPresent() && announced.getAsLong() != image.size()) {
        throw refuse(image, "server announces " + announced.getAsLong()
            + " bytes, the list endorses hv:size " + image.size());
      }
      String sha512 = copyChecked(image, body, target);
      if (!sha512.equals(image.sha512())) {
        throw refuse(image, "SHA-512 is " + sha512 + ", the list endorses " + image.sha512());
      }
    }
  }

  private static URI uriOf(ImageVersion image) {
    URI uri;
    try {
      uri = URI.create(image.uri());
    } catch (IllegalArgumentException e) {
      throw refuse(image, "hv:uri is not a valid URL: " + e.getMessage());
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
      throw refuse(image, "hv:uri must be http:// or https://");
    }
    return uri;
  }

  private static String copyChecked(ImageVersion image, InputStream body, Path target)
      throws IOException {
    MessageDigest digest = sha512();
    long total = 0;
    byte[] chunk = new byte[1 << 16];
    try (OutputStream out = Files.newOutputStream(target)) {
      for (int n = body.read(chunk); n >= 0; n = body.read(chunk)) {
        total += n;
        if (total > image.size()) {
          throw refuse(image, "body exceeds the endorsed hv:size " + image.size()
              + " bytes; download stopped");
        }
        digest.update(chunk, 0, n);
        out.write(chunk, 0, n);
      }
    }
    if (total != image.size()) {
      throw refuse(image, "body has " + total + " bytes, the list endorses hv:size "
          + image.size());
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  static MessageDigest sha512() {
    try {
      return MessageDigest.getInstance("SHA-512");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-512", e);
    }
  }

  private static ImageCacheException refuse(ImageVersion image, String why) {
    return new ImageCacheException("image " + image.imageId() + " from " + image.uri() + ": "
        + why);
  }
}
