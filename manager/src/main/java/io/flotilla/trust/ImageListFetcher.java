package io.flotilla.trust;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Reads an image list from a {@code file:}, {@code http://} or {@code https://} URL. */
public final class ImageListFetcher {
  /** Larger than any real list (10,000 images is about 8 MB); stops a runaway download. */
  static final long MAX_BYTES = 64L * 1024 * 1024;

  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(15))
      .followRedirects(HttpClient.Redirect.NORMAL)
      .build();

  /** The fetch failed; the message names the URL and the reason. */
  public static final class FetchException extends RuntimeException {
    FetchException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Fetches the list's bytes. Blocks. */
  public byte[] fetch(String url) {
    URI uri = URI.create(url);
    try {
      byte[] bytes = "file".equals(uri.getScheme()) ? readFile(Path.of(uri)) : download(uri);
      if (bytes.length > MAX_BYTES) {
        throw new FetchException(url + ": larger than " + MAX_BYTES + " bytes", null);
      }
      return bytes;
    } catch (IOException e) {
      throw new FetchException(url + ": cannot be read: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FetchException(url + ": interrupted", e);
    }
  }

  private static byte[] readFile(Path file) throws IOException {
    return Files.readAllBytes(file);
  }

  private byte[] download(URI uri) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).build();
    HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != 200) {
      throw new FetchException(uri + ": HTTP " + response.statusCode(), null);
    }
    return response.body();
  }
}
