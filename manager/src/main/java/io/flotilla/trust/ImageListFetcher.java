package io.flotilla.trust;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Reads an image list from a {@code file:}, {@code http://} or {@code https://} URL. HTTP
 * fetches are conditional: given the validators of the list in use ({@code ETag},
 * {@code Last-Modified}), a server that answers 304 costs no download and no verification.
 * Thread-safe.
 */
public final class ImageListFetcher {
  /** Larger than any real list (10,000 images is about 8 MB); stops a runaway download. */
  static final long MAX_BYTES = 64L * 1024 * 1024;

  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(15))
      .followRedirects(HttpClient.Redirect.NORMAL)
      .build();

  /** The fetch failed; the message names the URL and the reason. */
  public static final class FetchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    FetchException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * What a server said about a list version, to send back on the next fetch.
   *
   * @param etag the {@code ETag} header, or null
   * @param lastModified the {@code Last-Modified} header, or null
   */
  public record Validators(String etag, String lastModified) {
    /** No validators: the fetch is unconditional. */
    public static final Validators NONE = new Validators(null, null);

    boolean isEmpty() {
      return etag == null && lastModified == null;
    }
  }

  /** The outcome of a conditional fetch. */
  public sealed interface Result permits Fetched, NotModified {}

  /** A list was downloaded (or read): verify {@code bytes}, then keep {@code validators}. */
  public record Fetched(byte[] bytes, Validators validators) implements Result {}

  /** The server confirmed the list in use is still current (HTTP 304). */
  public record NotModified() implements Result {}

  /** Fetches the list's bytes unconditionally. Blocks. */
  public byte[] fetch(String url) {
    Result result = fetch(url, Validators.NONE);
    return ((Fetched) result).bytes();
  }

  /**
   * Fetches the list, conditionally if {@code previous} holds validators. Files are always
   * read: they are cheap and carry no validators. Blocks.
   *
   * @throws FetchException naming the URL and the reason
   */
  public Result fetch(String url, Validators previous) {
    URI uri = URI.create(url);
    try {
      return "file".equals(uri.getScheme())
          ? new Fetched(readFile(url, Path.of(uri)), Validators.NONE)
          : download(uri, previous);
    } catch (IOException e) {
      throw new FetchException(url + ": cannot be read: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FetchException(url + ": interrupted", e);
    }
  }

  private static byte[] readFile(String url, Path file) throws IOException {
    if (Files.size(file) > MAX_BYTES) {
      throw tooLarge(url);
    }
    return Files.readAllBytes(file);
  }

  private Result download(URI uri, Validators previous)
      throws IOException, InterruptedException {
    HttpResponse<InputStream> response =
        http.send(request(uri, previous), HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = response.body()) {
      if (response.statusCode() == 304 && !previous.isEmpty()) {
        return new NotModified();
      }
      if (response.statusCode() != 200) {
        throw new FetchException(uri + ": HTTP " + response.statusCode() + ", expected 200"
            + (previous.isEmpty() ? "" : " or 304"), null);
      }
      byte[] bytes = readLimited(uri.toString(), body);
      return new Fetched(bytes, new Validators(
          response.headers().firstValue("ETag").orElse(null),
          response.headers().firstValue("Last-Modified").orElse(null)));
    }
  }

  private static HttpRequest request(URI uri, Validators previous) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60));
    if (previous.etag() != null) {
      request.header("If-None-Match", previous.etag());
    }
    if (previous.lastModified() != null) {
      request.header("If-Modified-Since", previous.lastModified());
    }
    return request.build();
  }

  /** Reads at most {@link #MAX_BYTES}, stopping as soon as the body is longer. */
  private static byte[] readLimited(String url, InputStream body) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    byte[] chunk = new byte[64 * 1024];
    for (int n = body.read(chunk); n >= 0; n = body.read(chunk)) {
      if (bytes.size() + (long) n > MAX_BYTES) {
        throw tooLarge(url);
      }
      bytes.write(chunk, 0, n);
    }
    return bytes.toByteArray();
  }

  private static FetchException tooLarge(String url) {
    return new FetchException(url + ": larger than " + MAX_BYTES + " bytes", null);
  }
}
