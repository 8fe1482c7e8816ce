package io.flotilla.provider.openstack;

import static org.assertj.core.api.Assertions.assertThat;

import io.flotilla.provider.CloudException;
import io.flotilla.provider.CloudException.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.jclouds.http.HttpCommand;
import org.jclouds.http.HttpRequest;
import org.jclouds.http.HttpResponse;
import org.jclouds.http.HttpResponseException;
import org.jclouds.rest.AuthorizationException;
import org.jclouds.rest.ResourceNotFoundException;
import org.junit.jupiter.api.Test;

/** Classification of what jclouds throws, with Nova's and Keystone's real error bodies. */
class NovaErrorsTest {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2025-01-02T03:04:05Z"), ZoneOffset.UTC);

  @Test
  void fromAnswer_whenGlanceAnswersHtml404_isNotFoundWithTheTextOnly() {
    String html = "<html>\n <head>\n  <title>404 Not Found</title>\n </head>\n <body>\n"
        + "  <h1>404 Not Found</h1>\n  Failed to find image 95ba to delete<br /><br />\n"
        + " </body>\n</html>";

    CloudException e = NovaErrors.fromAnswer("box", "delete image 95ba", 404, html,
        java.util.Optional.empty(), Clock.systemUTC());

    assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND);
    assertThat(e.getMessage()).isEqualTo("openstack cloud box: delete image 95ba failed: "
        + "HTTP 404: 404 Not Found 404 Not Found Failed to find image 95ba to delete");
  }

  @Test
  void fromAnswer_when429WithRetryAfter_isThrottledForThatLong() {
    CloudException e = NovaErrors.fromAnswer("box", "upload of 5 bytes to image 95ba", 429,
        "Too Many Requests", java.util.Optional.of("7"), Clock.systemUTC());

    assertThat(e.kind()).isEqualTo(Kind.THROTTLED);
    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void classify_quotaInstances403_isQuotaExceededForInstances() {
    CloudException e = classify(403, "quota_instances_403.json", Map.of());

    assertThat(e.kind()).isEqualTo(Kind.QUOTA_EXCEEDED);
    assertThat(e.resource()).isEqualTo("instances");
    assertThat(e.getMessage()).isEqualTo("openstack cloud site-os: create server failed: "
        + "HTTP 403: Quota exceeded for instances: Requested 1, but already used 10 of 10 "
        + "instances");
  }

  @Test
  void classify_quotaCoresAndRam403_namesBothResources() {
    CloudException e = classify(403, "quota_cores_ram_403.json", Map.of());

    assertThat(e.kind()).isEqualTo(Kind.QUOTA_EXCEEDED);
    assertThat(e.resource()).isEqualTo("cores,ram");
  }

  @Test
  void classify_genericOverQuota403_namesTheListedResource() {
    CloudException e = classify(403, "quota_resources_403.json", Map.of());

    assertThat(e.kind()).isEqualTo(Kind.QUOTA_EXCEEDED);
    assertThat(e.resource()).isEqualTo("instances");
  }

  @Test
  void classify_policy403_isAuthNotQuota() {
    CloudException e = classify(403, "policy_403.json", Map.of());

    assertThat(e.kind()).isEqualTo(Kind.AUTH);
    assertThat(e.resource()).isNull();
  }

  @Test
  void classify_429WithRetryAfterSeconds_isThrottledWithTheWait() {
    CloudException e = classify(429, "over_limit_413.json", Map.of("Retry-After", "30"));

    assertThat(e.kind()).isEqualTo(Kind.THROTTLED);
    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void classify_429WithRetryAfterDate_measuresTheWaitFromTheClock() {
    CloudException e = classify(429, "over_limit_413.json",
        Map.of("Retry-After", "Thu, 02 Jan 2025 03:05:05 GMT"));

    assertThat(e.kind()).isEqualTo(Kind.THROTTLED);
    assertThat(e.retryAfter()).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void classify_overLimit413WithoutHeader_takesRetryAfterFromTheBody() {
    CloudException e = classify(413, "over_limit_413.json", Map.of());

    assertThat(e.kind()).isEqualTo(Kind.THROTTLED);
    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(12));
  }

  @Test
  void classify_404_isNotFound() {
    CloudException e = classify(404, "item_not_found_404.json", Map.of());

    assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND);
    assertThat(e.getMessage()).endsWith("HTTP 404: Instance "
        + "00000000-0000-0000-0000-000000000000 could not be found.");
  }

  @Test
  void classify_400_isInvalidRequest() {
    CloudException e = classify(400, "bad_request_flavour_400.json", Map.of());

    assertThat(e.kind()).isEqualTo(Kind.INVALID_REQUEST);
    assertThat(e.getMessage()).endsWith("HTTP 400: Flavor nope could not be found.");
  }

  @Test
  void classify_401_isAuth() {
    CloudException e = classify(401, "unauthorized_401.json", Map.of());

    assertThat(e.kind()).isEqualTo(Kind.AUTH);
    assertThat(e.getMessage())
        .endsWith("HTTP 401: The request you have made requires authentication.");
  }

  @Test
  void classify_500_isTransientOnOneLine() {
    CloudException e = classify(500, "compute_fault_500.json", Map.of());

    assertThat(e.kind()).isEqualTo(Kind.TRANSIENT);
    assertThat(e.getMessage()).doesNotContain("\n").contains("DBConnectionError");
  }

  @Test
  void classify_409_isTransient() {
    assertThat(classify(409, "conflict_409.json", Map.of()).kind()).isEqualTo(Kind.TRANSIENT);
  }

  @Test
  void classify_htmlBodyFromAProxy_keepsTheTextAndTheStatusKind() {
    HttpResponseException http = httpFailure(503, "<html><body>Service Unavailable</body></html>",
        Map.of());

    CloudException e = NovaErrors.classify("site-os", "list servers", http, CLOCK);

    assertThat(e.kind()).isEqualTo(Kind.TRANSIENT);
    assertThat(e.getMessage()).contains("HTTP 503: <html><body>Service Unavailable");
  }

  @Test
  void classify_connectionRefused_isTransient() {
    RuntimeException failure = new RuntimeException(new ConnectException("Connection refused"));

    CloudException e = NovaErrors.classify("site-os", "list servers", failure, CLOCK);

    assertThat(e.kind()).isEqualTo(Kind.TRANSIENT);
    assertThat(e.getMessage()).isEqualTo("openstack cloud site-os: list servers failed: "
        + "no answer from the endpoint: ConnectException: Connection refused");
  }

  @Test
  void classify_unknownRegion_isInvalidRequestNamingTheCatalog() {
    RuntimeException failure = new IllegalArgumentException(
        "requested location RegionTwo, which is not in the configured locations: [RegionOne]");

    CloudException e = NovaErrors.classify("site-os", "list servers", failure, CLOCK);

    assertThat(e.kind()).isEqualTo(Kind.INVALID_REQUEST);
    assertThat(e.getMessage()).contains("region is not in Keystone's catalog")
        .contains("RegionTwo");
  }

  @Test
  void classify_cloudException_passesThrough() {
    CloudException known = new CloudException(Kind.NOT_FOUND, "already classified");

    assertThat(NovaErrors.classify("site-os", "x", known, CLOCK)).isSameAs(known);
  }

  @Test
  void serverMessage_longText_isCut() {
    assertThat(NovaErrors.serverMessage("x".repeat(1000))).hasSize(303).endsWith("...");
  }

  /** As jclouds' NovaErrorHandler does: the response exception under a refined one. */
  private static CloudException classify(int status, String file, Map<String, String> headers) {
    HttpResponseException http = httpFailure(status, body(file), headers);
    RuntimeException refined = switch (status) {
      case 401, 403 -> new AuthorizationException(http.getContent(), http);
      case 404 -> new ResourceNotFoundException(http.getContent(), http);
      default -> http;
    };
    return NovaErrors.classify("site-os", "create server", refined, CLOCK);
  }

  private static HttpResponseException httpFailure(
      int status, String body, Map<String, String> headers) {
    HttpRequest request = HttpRequest.builder().method("POST")
        .endpoint("http://127.0.0.1:18774/v2.1/servers").build();
    HttpResponse.Builder<?> response = HttpResponse.builder().statusCode(status).message("Err");
    headers.forEach(response::addHeader);
    return new HttpResponseException(new HttpCommand(request), response.build(), body);
  }

  private static String body(String file) {
    try (InputStream in = NovaErrorsTest.class.getResourceAsStream("/openstack/errors/" + file)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
