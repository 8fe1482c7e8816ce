package io.flotilla.provider.openstack;

import com.google.common.base.Throwables;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.flotilla.provider.CloudException;
import io.flotilla.provider.CloudException.Kind;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jclouds.http.HttpResponse;
import org.jclouds.http.HttpResponseException;
import org.jclouds.rest.AuthorizationException;
import org.jclouds.rest.RetryAfterException;

/**
 * The one place that turns what jclouds throws for a Nova or Keystone call into a
 * {@link CloudException} whose kind tells the caller what to do.
 *
 * <p>Nova answers errors as {@code {"<kind>": {"code": N, "message": "..."}}} (badRequest,
 * forbidden, itemNotFound, overLimit, conflictingRequest, computeFault) and Keystone as
 * {@code {"error": {"code": N, "message": "...", "title": "..."}}}. jclouds keeps the body
 * and the response in an {@link HttpResponseException} somewhere in the cause chain, under
 * its own refinements (AuthorizationException, ResourceNotFoundException, ...), so the chain
 * is searched and the status decides.
 *
 * <p>Messages name the cloud, the call, the HTTP status and the server's own message (on one
 * line, cut to a sane length); never request bodies, so never user-data or secrets.
 */
final class NovaErrors {

  private static final int MAX_SERVER_MESSAGE = 300;
  /** Nova's quota refusal: "Quota exceeded for cores, ram: Requested 4, 8192, but ...". */
  private static final Pattern QUOTA_FOR =
      Pattern.compile("quota exceeded for ([a-z_]+(?:\\s*,\\s*[a-z_]+)*)",
          Pattern.CASE_INSENSITIVE);
  /** OverQuota's generic form: "Quota exceeded for resources: ['cores', 'ram']". */
  private static final Pattern QUOTA_FOR_RESOURCES =
      Pattern.compile("quota exceeded for resources:\\s*\\[?([a-z_,'\"\\s]+)\\]?",
          Pattern.CASE_INSENSITIVE);
  private static final String QUOTA_EXCEEDED = "quota exceeded";
  private static final String UNKNOWN_REGION = "not in the configured locations";

  private NovaErrors() {}

  /**
   * Classifies the failure of one call.
   *
   * @param cloud the cloud's name in the site file
   * @param call what was asked, e.g. "create server"
   * @param failure what jclouds threw
   * @param clock local time, to turn a Retry-After date into a wait
   */
  static CloudException classify(String cloud, String call, Throwable failure, Clock clock) {
    if (failure instanceof CloudException known) {
      return known;
    }
    String prefix = "openstack cloud " + cloud + ": " + call + " failed: ";
    Optional<HttpResponseException> http = find(failure, HttpResponseException.class);
    if (http.isPresent() && http.get().getResponse() != null) {
      return fromResponse(prefix, http.get(), clock, failure);
    }
    Optional<RetryAfterException> retry = find(failure, RetryAfterException.class);
    if (retry.isPresent()) {
      return new CloudException(Kind.THROTTLED, prefix + "the cloud asks to retry later", null,
          Duration.ofSeconds(Math.max(0, retry.get().getSeconds())), failure);
    }
    Optional<IOException> io = find(failure, IOException.class);
    if (io.isPresent()) {
      return new CloudException(Kind.TRANSIENT, prefix + "no answer from the endpoint: "
          + describe(io.get()), failure);
    }
    if (find(failure, AuthorizationException.class).isPresent()) {
      return new CloudException(Kind.AUTH, prefix + "credentials refused", failure);
    }
    Optional<IllegalArgumentException> argument = find(failure, IllegalArgumentException.class);
    if (argument.isPresent() && String.valueOf(argument.get().getMessage())
        .contains(UNKNOWN_REGION)) {
      return new CloudException(Kind.INVALID_REQUEST, prefix + "the region is not in Keystone's "
          + "catalog for compute: " + sanitize(argument.get().getMessage()), failure);
    }
    return new CloudException(Kind.TRANSIENT, prefix + describe(failure), failure);
  }

  /**
   * Classifies an error answer of one of our own REST calls (Glance, Nova at a microversion
   * jclouds does not speak), as {@link #classify} does for jclouds' calls. HTML bodies
   * (Glance answers errors as small HTML pages) are reduced to their text.
   *
   * @param retryAfter the answer's Retry-After header, if any
   */
  static CloudException fromAnswer(String cloud, String call, int status, String body,
      Optional<String> retryAfter, Clock clock) {
    String message = serverMessage(withoutTags(body));
    Kind kind = kindOf(status, message);
    StringBuilder text = new StringBuilder("openstack cloud ").append(cloud).append(": ")
        .append(call).append(" failed: HTTP ").append(status);
    if (!message.isEmpty()) {
      text.append(": ").append(message);
    }
    String resource = kind == Kind.QUOTA_EXCEEDED ? quotaResource(message) : null;
    Duration wait = null;
    if (kind == Kind.THROTTLED) {
      wait = retryAfter.flatMap(value -> parseRetryAfter(value, clock))
          .orElseGet(() -> overLimitRetryAfter(body)
              .flatMap(value -> parseRetryAfter(value, clock)).orElse(null));
    }
    return new CloudException(kind, text.toString(), resource, wait, null);
  }

  private static String withoutTags(String body) {
    if (body == null || !body.stripLeading().startsWith("<")) {
      return body;
    }
    return body.replaceAll("<[^>]*>", " ").replaceAll("\\s+", " ").strip();
  }

  /** The kind an HTTP status and Nova's message call for. */
  static Kind kindOf(int status, String message) {
    boolean quota = message.toLowerCase(Locale.ROOT).contains(QUOTA_EXCEEDED);
    return switch (status) {
      case 429 -> Kind.THROTTLED;
      case 413 -> quota ? Kind.QUOTA_EXCEEDED : Kind.THROTTLED;
      case 401 -> Kind.AUTH;
      // Nova refuses over-quota creates with 403; any other 403 is a policy refusal.
      case 403 -> quota ? Kind.QUOTA_EXCEEDED : Kind.AUTH;
      case 404 -> Kind.NOT_FOUND;
      case 400 -> quota ? Kind.QUOTA_EXCEEDED : Kind.INVALID_REQUEST;
      // A conflict with the server's current task (e.g. delete while it is still building).
      case 409 -> Kind.TRANSIENT;
      default -> status >= 500 || status < 400 ? Kind.TRANSIENT : Kind.INVALID_REQUEST;
    };
  }

  /**
   * The resources a quota message names, comma-separated without spaces: "instances",
   * "cores,ram"; "unknown" when the message names none.
   */
  static String quotaResource(String message) {
    Matcher generic = QUOTA_FOR_RESOURCES.matcher(message);
    if (generic.find()) {
      return generic.group(1).replaceAll("[\\s'\"\\[\\]]+", "").toLowerCase(Locale.ROOT);
    }
    Matcher matcher = QUOTA_FOR.matcher(message);
    if (!matcher.find()) {
      return "unknown";
    }
    return matcher.group(1).replaceAll("\\s+", "").toLowerCase(Locale.ROOT);
  }

  /**
   * The server's own message from a Nova or Keystone error body; the body itself, cleaned,
   * when it is not such JSON.
   */
  static String serverMessage(String body) {
    if (body == null || body.isBlank()) {
      return "";
    }
    try {
      JsonElement root = JsonParser.parseString(body);
      if (root.isJsonObject()) {
        for (Map.Entry<String, JsonElement> entry : root.getAsJsonObject().entrySet()) {
          Optional<String> message = stringMember(entry.getValue(), "message");
          if (message.isPresent()) {
            return sanitize(message.get());
          }
        }
      }
    } catch (JsonParseException | IllegalStateException notJson) {
      // Proxies and load balancers answer with HTML or plain text: keep it as is.
    }
    return sanitize(body);
  }

  /**
   * How long the answer asks us to wait: the Retry-After header (seconds or an HTTP date),
   * else a {@code retryAfter} in seconds inside Nova's overLimit body; null when neither.
   */
  static Duration retryAfter(HttpResponse response, String body, Clock clock) {
    Optional<Duration> fromHeader = header(response, "Retry-After")
        .flatMap(value -> parseRetryAfter(value, clock));
    if (fromHeader.isPresent()) {
      return fromHeader.get();
    }
    return overLimitRetryAfter(body).flatMap(value -> parseRetryAfter(value, clock))
        .orElse(null);
  }

  private static CloudException fromResponse(
      String prefix, HttpResponseException http, Clock clock, Throwable failure) {
    HttpResponse response = http.getResponse();
    int status = response.getStatusCode();
    String message = serverMessage(http.getContent());
    Kind kind = kindOf(status, message);
    StringBuilder text = new StringBuilder(prefix).append("HTTP ").append(status);
    if (!message.isEmpty()) {
      text.append(": ").append(message);
    } else if (response.getMessage() != null) {
      text.append(' ').append(sanitize(response.getMessage()));
    }
    String resource = kind == Kind.QUOTA_EXCEEDED ? quotaResource(message) : null;
    Duration wait = kind == Kind.THROTTLED ? retryAfter(response, http.getContent(), clock) : null;
    return new CloudException(kind, text.toString(), resource, wait, failure);
  }

  private static Optional<Duration> parseRetryAfter(String value, Clock clock) {
    String text = value.strip();
    try {
      long seconds = Long.parseLong(text);
      return seconds >= 0 ? Optional.of(Duration.ofSeconds(seconds)) : Optional.empty();
    } catch (NumberFormatException notSeconds) {
      // An HTTP date (RFC 9110 section 10.2.3) follows.
    }
    try {
      ZonedDateTime at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME);
      Duration wait = Duration.between(clock.instant(), at.toInstant());
      return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static Optional<String> overLimitRetryAfter(String body) {
    if (body == null || body.isBlank()) {
      return Optional.empty();
    }
    try {
      JsonElement root = JsonParser.parseString(body);
      if (root.isJsonObject()) {
        for (Map.Entry<String, JsonElement> entry : root.getAsJsonObject().entrySet()) {
          Optional<String> wait = stringMember(entry.getValue(), "retryAfter");
          if (wait.isPresent()) {
            return wait;
          }
        }
      }
    } catch (JsonParseException | IllegalStateException notJson) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  private static Optional<String> stringMember(JsonElement element, String name) {
    if (!element.isJsonObject()) {
      return Optional.empty();
    }
    JsonObject object = element.getAsJsonObject();
    JsonElement member = object.get(name);
    if (member == null || !member.isJsonPrimitive()) {
      return Optional.empty();
    }
    return Optional.of(member.getAsString());
  }

  private static Optional<String> header(HttpResponse response, String name) {
    return response.getHeaders().entries().stream()
        .filter(entry -> entry.getKey().equalsIgnoreCase(name))
        .map(Map.Entry::getValue)
        .findFirst();
  }

  private static <T extends Throwable> Optional<T> find(Throwable failure, Class<T> type) {
    return Throwables.getCausalChain(failure).stream()
        .filter(type::isInstance)
        .map(type::cast)
        .findFirst();
  }

  private static String describe(Throwable failure) {
    String message = failure.getMessage();
    return failure.getClass().getSimpleName()
        + (message == null ? "" : ": " + sanitize(message));
  }

  /** Text from the server or the network, on one line and of bounded length. */
  static String sanitize(String text) {
    if (text == null) {
      return "";
    }
    String oneLine = text.replaceAll("\\p{Cntrl}+", " ").strip();
    return oneLine.length() <= MAX_SERVER_MESSAGE
        ? oneLine : oneLine.substring(0, MAX_SERVER_MESSAGE) + "...";
  }
}
