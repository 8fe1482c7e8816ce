package io.flotilla.provider.ec2;

import com.google.common.base.Throwables;
import io.flotilla.provider.CloudException;
import io.flotilla.provider.CloudException.Kind;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jclouds.aws.AWSResponseException;
import org.jclouds.aws.domain.AWSError;
import org.jclouds.http.HttpResponse;
import org.jclouds.http.HttpResponseException;
import org.jclouds.rest.AuthorizationException;

/**
 * The one place that turns what jclouds throws for an EC2 call into a {@link CloudException}
 * whose kind tells the caller what to do. EC2 names its errors by code
 * (docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html); jclouds wraps the
 * parsed code in an {@link AWSResponseException}, sometimes under a refined exception
 * (ResourceNotFoundException, AuthorizationException), so the cause chain is searched.
 *
 * <p>Messages name the cloud, the call, the EC2 code and the server's own message (cut to a
 * sane length); never request bodies, so never user-data or keys.
 */
final class Ec2Errors {

  /** How far apart clocks may be before an auth failure message blames the clock. */
  static final Duration SKEW_WORTH_NAMING = Duration.ofSeconds(60);

  private static final int MAX_SERVER_MESSAGE = 300;
  private static final Set<String> THROTTLE_CODES = Set.of(
      "RequestLimitExceeded", "Throttling", "ThrottlingException", "RequestThrottled",
      "SlowDown");
  private static final Set<String> AUTH_CODES = Set.of(
      "AuthFailure", "RequestExpired", "SignatureDoesNotMatch", "UnauthorizedOperation",
      "InvalidClientTokenId", "IncompleteSignature", "MissingAuthenticationToken",
      "OptInRequired", "Blocked", "PendingVerification");
  private static final Set<String> CLOCK_CODES = Set.of("AuthFailure", "RequestExpired");
  private static final Set<String> CAPACITY_CODES = Set.of(
      "InsufficientInstanceCapacity", "InsufficientHostCapacity",
      "InsufficientReservedInstanceCapacity", "InsufficientCapacity", "InternalError",
      "InternalFailure", "ServiceUnavailable", "Unavailable");
  private static final Map<String, String> QUOTA_RESOURCES = Map.of(
      "InstanceLimitExceeded", "instances",
      "VcpuLimitExceeded", "vcpus",
      "MaxSpotInstanceCountExceeded", "spot-instances");
  private static final Set<String> REQUEST_SHAPE_CODES = Set.of(
      "InvalidParameterValue", "InvalidParameter", "InvalidFilter", "UnknownParameter",
      "InvalidParameterCombination", "UnsupportedOperation", "InvalidAction");
  private static final String LIMIT_SUFFIX = "LimitExceeded";

  private Ec2Errors() {}

  /**
   * Classifies the failure of one EC2 call.
   *
   * @param cloud the cloud's name in the site file
   * @param call the EC2 action, e.g. RunInstances
   * @param failure what jclouds threw
   * @param clock local time, to measure the skew against the server's Date header
   */
  static CloudException classify(String cloud, String call, Throwable failure, Clock clock) {
    if (failure instanceof CloudException known) {
      return known;
    }
    String prefix = "ec2 cloud " + cloud + ": " + call + " failed: ";
    Optional<AWSResponseException> aws = find(failure, AWSResponseException.class);
    if (aws.isPresent() && aws.get().getError() != null && aws.get().getError().getCode() != null) {
      return fromAwsError(prefix, aws.get(), clock, failure);
    }
    Optional<HttpResponseException> http = find(failure, HttpResponseException.class);
    if (http.isPresent() && http.get().getResponse() != null) {
      return fromStatus(prefix, http.get().getResponse(), failure);
    }
    Optional<IOException> io = find(failure, IOException.class);
    if (io.isPresent()) {
      return new CloudException(Kind.TRANSIENT, prefix + "no answer from the endpoint: "
          + describe(io.get()), failure);
    }
    if (find(failure, AuthorizationException.class).isPresent()) {
      return new CloudException(Kind.AUTH, prefix + "credentials refused", failure);
    }
    return new CloudException(Kind.TRANSIENT, prefix + describe(failure), failure);
  }

  /** The kind an EC2 error code and HTTP status call for. */
  static Kind kindOf(String code, int status) {
    if (THROTTLE_CODES.contains(code) || status == 503) {
      return Kind.THROTTLED;
    }
    if (QUOTA_RESOURCES.containsKey(code) || code.endsWith(LIMIT_SUFFIX)) {
      return Kind.QUOTA_EXCEEDED;
    }
    if (AUTH_CODES.contains(code)) {
      return Kind.AUTH;
    }
    if (code.equals("InvalidInstanceID.NotFound")) {
      return Kind.NOT_FOUND;
    }
    if (CAPACITY_CODES.contains(code) || status >= 500) {
      return Kind.TRANSIENT;
    }
    // Every other 4xx code (InvalidParameterValue, InvalidAMIID.*, a missing subnet or
    // key pair, an unsupported instance type) is a mistake in the request: retrying the same
    // request cannot help.
    return status >= 400 ? Kind.INVALID_REQUEST : Kind.TRANSIENT;
  }

  /**
   * Whether the server refused the request's form rather than its meaning: an EC2 code for a
   * bad or unknown parameter or filter, or an HTTP 500/501 without any EC2 code (how
   * simulators answer an unimplemented filter).
   */
  static boolean refusesRequestShape(Throwable failure) {
    Optional<AWSResponseException> aws = find(failure, AWSResponseException.class);
    if (aws.isPresent() && aws.get().getError() != null && aws.get().getError().getCode() != null) {
      return REQUEST_SHAPE_CODES.contains(aws.get().getError().getCode());
    }
    return find(failure, HttpResponseException.class)
        .map(HttpResponseException::getResponse)
        .map(response -> response.getStatusCode() == 500 || response.getStatusCode() == 501)
        .orElse(false);
  }

  /** For a quota code, the resource it is about: InstanceLimitExceeded gives instances. */
  static String quotaResource(String code) {
    String known = QUOTA_RESOURCES.get(code);
    if (known != null) {
      return known;
    }
    String stripped = code.endsWith(LIMIT_SUFFIX)
        ? code.substring(0, code.length() - LIMIT_SUFFIX.length()) : code;
    return stripped.toLowerCase(Locale.ROOT);
  }

  private static CloudException fromAwsError(
      String prefix, AWSResponseException aws, Clock clock, Throwable failure) {
    AWSError error = aws.getError();
    String code = error.getCode();
    int status = aws.getResponse() == null ? 0 : aws.getResponse().getStatusCode();
    Kind kind = kindOf(code, status);
    StringBuilder message = new StringBuilder(prefix).append(code);
    if (status > 0) {
      message.append(" (HTTP ").append(status).append(')');
    }
    String serverMessage = sanitize(error.getMessage());
    if (!serverMessage.isEmpty()) {
      message.append(": ").append(serverMessage);
    }
    if (kind == Kind.AUTH && CLOCK_CODES.contains(code)) {
      clockSkew(aws.getResponse(), clock).ifPresent(skew -> message.append("; ").append(skew));
    }
    String resource = kind == Kind.QUOTA_EXCEEDED ? quotaResource(code) : null;
    Duration retryAfter = kind == Kind.THROTTLED ? retryAfter(aws.getResponse()) : null;
    return new CloudException(kind, message.toString(), resource, retryAfter, failure);
  }

  private static CloudException fromStatus(String prefix, HttpResponse response, Throwable cause) {
    int status = response.getStatusCode();
    Kind kind;
    if (status == 503 || status == 429) {
      kind = Kind.THROTTLED;
    } else if (status == 401 || status == 403) {
      kind = Kind.AUTH;
    } else if (status >= 400 && status < 500) {
      kind = Kind.INVALID_REQUEST;
    } else {
      kind = Kind.TRANSIENT;
    }
    String reason = response.getMessage() == null ? "" : " " + sanitize(response.getMessage());
    Duration retryAfter = kind == Kind.THROTTLED ? retryAfter(response) : null;
    return new CloudException(kind, prefix + "HTTP " + status + reason
        + " without an EC2 error code", null, retryAfter, cause);
  }

  /**
   * Names how far the server's clock (its Date header) is from ours, since a signature is
   * refused as expired when they differ by more than a few minutes.
   */
  static Optional<String> clockSkew(HttpResponse response, Clock clock) {
    Optional<Instant> serverTime = header(response, "Date").flatMap(Ec2Errors::parseHttpDate);
    if (serverTime.isEmpty()) {
      return Optional.empty();
    }
    Instant local = clock.instant();
    Duration skew = Duration.between(local, serverTime.get());
    if (skew.abs().compareTo(SKEW_WORTH_NAMING) < 0) {
      return Optional.of("local clock agrees with the server's Date header within "
          + SKEW_WORTH_NAMING.toSeconds() + " s");
    }
    String direction = skew.isNegative() ? "behind" : "ahead of";
    return Optional.of("clock skew: the server's clock is " + skew.abs().toSeconds() + " s "
        + direction + " this host's (server Date " + serverTime.get() + ", local " + local
        + "); fix the host clock (NTP)");
  }

  private static Duration retryAfter(HttpResponse response) {
    return header(response, "Retry-After")
        .flatMap(value -> {
          try {
            long seconds = Long.parseLong(value.strip());
            return seconds >= 0 ? Optional.of(Duration.ofSeconds(seconds)) : Optional.empty();
          } catch (NumberFormatException e) {
            return Optional.empty();
          }
        })
        .orElse(null);
  }

  private static Optional<String> header(HttpResponse response, String name) {
    if (response == null) {
      return Optional.empty();
    }
    return response.getHeaders().entries().stream()
        .filter(entry -> entry.getKey().equalsIgnoreCase(name))
        .map(Map.Entry::getValue)
        .findFirst();
  }

  private static Optional<Instant> parseHttpDate(String value) {
    try {
      return Optional.of(
          ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
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
  private static String sanitize(String text) {
    if (text == null) {
      return "";
    }
    String oneLine = text.replaceAll("\\p{Cntrl}+", " ").strip();
    return oneLine.length() <= MAX_SERVER_MESSAGE
        ? oneLine : oneLine.substring(0, MAX_SERVER_MESSAGE) + "...";
  }
}
