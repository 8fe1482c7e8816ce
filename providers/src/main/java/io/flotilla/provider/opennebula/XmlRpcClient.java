package io.flotilla.provider.opennebula;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A blocking XML-RPC client over the JDK's HTTP client: one POST per call, no redirects,
 * a whole-call timeout (connect, send, headers and body) and a cap on the response size.
 *
 * <p>It logs nothing and never prints parameters, because OpenNebula's first parameter is
 * the session secret. Thread-safe.
 */
final class XmlRpcClient implements AutoCloseable {

  private final URI endpoint;
  private final Duration timeout;
  private final int maxResponseBytes;
  private final HttpClient http;

  XmlRpcClient(URI endpoint, Duration timeout, int maxResponseBytes) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    if (maxResponseBytes <= 0) {
      throw new IllegalArgumentException("maxResponseBytes must be positive, got "
          + maxResponseBytes);
    }
    this.maxResponseBytes = maxResponseBytes;
    this.http = HttpClient.newBuilder()
        .connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /**
   * Calls {@code method} and returns the single decoded response value.
   *
   * @throws XmlRpcException for transport trouble, an HTTP error, a fault or a bad envelope
   */
  Object call(String method, List<?> params) {
    HttpRequest request = HttpRequest.newBuilder(endpoint)
        .timeout(timeout)
        .header("Content-Type", "text/xml; charset=utf-8")
        .header("Accept", "text/xml")
        .POST(HttpRequest.BodyPublishers.ofByteArray(XmlRpcCodec.encodeCall(method, params)))
        .build();
    HttpResponse<byte[]> response = send(method, request);
    if (response.statusCode() != 200) {
      throw statusError(method, response);
    }
    return XmlRpcCodec.decodeResponse(response.body());
  }

  private HttpResponse<byte[]> send(String method, HttpRequest request) {
    CompletableFuture<HttpResponse<byte[]>> future =
        http.sendAsync(request, info -> new CappedBody(maxResponseBytes));
    try {
      return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw XmlRpcException.timeout(method + " got no complete answer from " + endpoint
          + " within " + timeout.toMillis() + " ms", e);
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw XmlRpcException.io(method + " to " + endpoint + " was interrupted", e);
    } catch (ExecutionException e) {
      throw transportError(method, e.getCause());
    }
  }

  private XmlRpcException transportError(String method, Throwable cause) {
    if (cause instanceof XmlRpcException capped) {
      return capped;
    }
    if (cause instanceof HttpTimeoutException) {
      return XmlRpcException.timeout(method + " to " + endpoint + " timed out after "
          + timeout.toMillis() + " ms", cause);
    }
    String detail = cause == null
        ? "unknown cause" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
    return XmlRpcException.io(method + " to " + endpoint + " failed: " + detail, cause);
  }

  private XmlRpcException statusError(String method, HttpResponse<byte[]> response) {
    String body = new String(response.body(), StandardCharsets.UTF_8);
    String excerpt = body.length() > 200 ? body.substring(0, 200) + "..." : body;
    Duration retryAfter = response.headers().firstValue("Retry-After")
        .map(XmlRpcClient::retryAfterSeconds).orElse(null);
    return XmlRpcException.httpStatus(response.statusCode(), retryAfter,
        method + " to " + endpoint + " answered HTTP " + response.statusCode()
            + (excerpt.isBlank() ? "" : ": " + excerpt.strip()));
  }

  /** Retry-After in whole seconds; the HTTP-date form is rare here and is ignored. */
  static Duration retryAfterSeconds(String value) {
    try {
      long seconds = Long.parseLong(value.trim());
      return seconds >= 0 && seconds <= 86_400 ? Duration.ofSeconds(seconds) : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  @Override
  public void close() {
    // The JDK 17 HttpClient has no close(); dropping the reference frees its threads.
  }

  /** Collects the body and fails the call as soon as it passes the cap. */
  private static final class CappedBody implements BodySubscriber<byte[]> {
    private final int cap;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private Flow.Subscription subscription;

    CappedBody(int cap) {
      this.cap = cap;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      for (ByteBuffer item : items) {
        if (buffer.size() + item.remaining() > cap) {
          subscription.cancel();
          result.completeExceptionally(XmlRpcException.tooLarge(
              "response body is larger than the " + cap + "-byte limit"));
          return;
        }
        byte[] chunk = new byte[item.remaining()];
        item.get(chunk);
        buffer.write(chunk, 0, chunk.length);
      }
    }

    @Override
    public void onError(Throwable throwable) {
      result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
      result.complete(buffer.toByteArray());
    }
  }
}
