package io.flotilla.provider.ec2;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Injector;
import io.flotilla.provider.CloudException;
import io.flotilla.provider.CloudException.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.jclouds.ContextBuilder;
import org.jclouds.aws.handlers.ParseAWSErrorFromXmlContent;
import org.jclouds.http.HttpCommand;
import org.jclouds.http.HttpRequest;
import org.jclouds.http.HttpResponse;
import org.jclouds.http.HttpResponseException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Error bodies go through jclouds' own AWS error handler, exactly as in a live call, and the
 * exception it makes through {@link Ec2Errors}.
 */
class Ec2ErrorsTest {

  private static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final URI ENDPOINT = URI.create("http://127.0.0.1:9/");

  private static Injector injector;
  private static ParseAWSErrorFromXmlContent handler;

  @BeforeAll
  static void buildJclouds() {
    Ec2Options options = Ec2TestClouds.options(ENDPOINT);
    injector = ContextBuilder.newBuilder("aws-ec2")
        .endpoint(ENDPOINT.toString())
        .credentials("AKIDTEST", "secret")
        .overrides(Ec2Cloud.jcloudsProperties(options, new Properties()))
        .modules(Set.of(new PinnedEndpointModule(options.region(), ENDPOINT),
            new QuietWireLoggingModule()))
        .buildInjector();
    handler = injector.getInstance(ParseAWSErrorFromXmlContent.class);
  }

  @AfterAll
  static void closeJclouds() throws IOException {
    injector.getInstance(org.jclouds.lifecycle.Closer.class).close();
  }

  @Test
  void classify_requestLimitExceeded_isThrottled() throws IOException {
    CloudException e = classify("RunInstances", 503, "request_limit_exceeded.xml", NOW);

    assertThat(e.kind()).isEqualTo(Kind.THROTTLED);
    assertThat(e).hasMessage("ec2 cloud test: RunInstances failed: RequestLimitExceeded "
        + "(HTTP 503): Request limit exceeded.");
  }

  @Test
  void classify_requestLimitExceededAt400_isStillThrottled() throws IOException {
    assertThat(classify("DescribeInstances", 400, "request_limit_exceeded.xml", NOW).kind())
        .isEqualTo(Kind.THROTTLED);
  }

  @Test
  void classify_unavailableAt503_isThrottled() throws IOException {
    assertThat(classify("RunInstances", 503, "unavailable.xml", NOW).kind())
        .isEqualTo(Kind.THROTTLED);
  }

  @Test
  void classify_instanceLimitExceeded_isQuotaNamingInstances() throws IOException {
    CloudException e = classify("RunInstances", 400, "instance_limit_exceeded.xml", NOW);

    assertThat(e.kind()).isEqualTo(Kind.QUOTA_EXCEEDED);
    assertThat(e.resource()).isEqualTo("instances");
    assertThat(e).hasMessageContaining("InstanceLimitExceeded (HTTP 400): Your quota allows");
  }

  @Test
  void classify_vcpuLimitExceeded_isQuotaNamingVcpus() throws IOException {
    CloudException e = classify("RunInstances", 400, "vcpu_limit_exceeded.xml", NOW);

    assertThat(e.kind()).isEqualTo(Kind.QUOTA_EXCEEDED);
    assertThat(e.resource()).isEqualTo("vcpus");
  }

  @Test
  void classify_instanceNotFound_isNotFound() throws IOException {
    CloudException e = classify("TerminateInstances", 400, "invalid_instance_id_not_found.xml",
        NOW);

    assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND);
    assertThat(e).hasMessage("ec2 cloud test: TerminateInstances failed: "
        + "InvalidInstanceID.NotFound (HTTP 400): The instance ID 'i-0123456789abcdef0' does "
        + "not exist");
  }

  @Test
  void classify_amiNotFound_isInvalidRequest() throws IOException {
    assertThat(classify("RunInstances", 400, "invalid_ami_id_not_found.xml", NOW).kind())
        .isEqualTo(Kind.INVALID_REQUEST);
  }

  @Test
  void classify_invalidParameterValue_isInvalidRequest() throws IOException {
    CloudException e = classify("RunInstances", 400, "invalid_parameter_value.xml", NOW);

    assertThat(e.kind()).isEqualTo(Kind.INVALID_REQUEST);
    assertThat(Ec2Errors.refusesRequestShape(e.getCause())).isTrue();
  }

  @Test
  void classify_malformedUserData_isInvalidRequest() throws IOException {
    assertThat(classify("RunInstances", 400, "invalid_user_data_malformed.xml", NOW).kind())
        .isEqualTo(Kind.INVALID_REQUEST);
  }

  @Test
  void classify_insufficientCapacity_isTransient() throws IOException {
    assertThat(classify("RunInstances", 500, "insufficient_instance_capacity.xml", NOW).kind())
        .isEqualTo(Kind.TRANSIENT);
  }

  @Test
  void classify_signatureDoesNotMatch_isAuth() throws IOException {
    assertThat(classify("RunInstances", 403, "signature_does_not_match.xml", NOW).kind())
        .isEqualTo(Kind.AUTH);
  }

  @Test
  void classify_requestExpired_whenServerClockAhead_namesTheSkew() throws IOException {
    Instant serverTime = NOW.plusSeconds(7 * 60 + 3);

    CloudException e = classify("DescribeInstances", 400, "request_expired.xml", serverTime);

    assertThat(e.kind()).isEqualTo(Kind.AUTH);
    assertThat(e).hasMessage("ec2 cloud test: DescribeInstances failed: RequestExpired "
        + "(HTTP 400): Request has expired.; clock skew: the server's clock is 423 s ahead of "
        + "this host's (server Date 2026-12-04T12:07:03Z, local 2026-12-04T12:00:00Z); fix the "
        + "host clock (NTP)");
  }

  @Test
  void classify_authFailure_whenServerClockBehind_namesTheSkew() throws IOException {
    CloudException e = classify("RunInstances", 401, "auth_failure.xml",
        NOW.minusSeconds(3600));

    assertThat(e.kind()).isEqualTo(Kind.AUTH);
    assertThat(e).hasMessageContaining("AuthFailure (HTTP 401): AWS was not able to validate")
        .hasMessageContaining("the server's clock is 3600 s behind this host's");
  }

  @Test
  void classify_authFailure_whenClocksAgree_saysSo() throws IOException {
    CloudException e = classify("RunInstances", 401, "auth_failure.xml", NOW.plusSeconds(2));

    assertThat(e).hasMessageEndingWith(
        "; local clock agrees with the server's Date header within 60 s");
  }

  @Test
  void classify_htmlServerErrorWithoutCode_isTransientAndRefusesShape() {
    Exception jclouds = handle(500, "Internal Server Error",
        "<!doctype html><title>500</title>".getBytes(), "text/html", null);

    CloudException e = Ec2Errors.classify("test", "DescribeInstances", jclouds, CLOCK);

    assertThat(e.kind()).isEqualTo(Kind.TRANSIENT);
    assertThat(e).hasMessage("ec2 cloud test: DescribeInstances failed: HTTP 500 Internal "
        + "Server Error without an EC2 error code");
    assertThat(Ec2Errors.refusesRequestShape(jclouds)).isTrue();
  }

  @Test
  void classify_503WithoutBody_isThrottled() {
    Exception jclouds = handle(503, "Service Unavailable", null, null, null);

    assertThat(Ec2Errors.classify("test", "RunInstances", jclouds, CLOCK).kind())
        .isEqualTo(Kind.THROTTLED);
  }

  @Test
  void classify_403WithoutBody_isAuth() {
    Exception jclouds = handle(403, "Forbidden", null, null, null);

    assertThat(Ec2Errors.classify("test", "RunInstances", jclouds, CLOCK).kind())
        .isEqualTo(Kind.AUTH);
  }

  @Test
  void classify_retryAfterHeader_becomesRetryAfter() throws IOException {
    HttpCommand command = command();
    HttpResponse response = HttpResponse.builder().statusCode(503).message("Slow Down")
        .payload(resource("request_limit_exceeded.xml"))
        .addHeader("Retry-After", "7")
        .build();
    response.getPayload().getContentMetadata().setContentType("text/xml");
    handler.handleError(command, response);

    CloudException e = Ec2Errors.classify("test", "RunInstances", command.getException(), CLOCK);

    assertThat(e.retryAfter()).hasSeconds(7);
  }

  @Test
  void classify_readTimeout_isTransientNamingIt() {
    HttpResponseException jclouds = new HttpResponseException("Read timed out connecting to "
        + "POST http://127.0.0.1:9/ HTTP/1.1", command(), null,
        new SocketTimeoutException("Read timed out"));

    CloudException e = Ec2Errors.classify("test", "RunInstances", jclouds, CLOCK);

    assertThat(e.kind()).isEqualTo(Kind.TRANSIENT);
    assertThat(e).hasMessage("ec2 cloud test: RunInstances failed: no answer from the "
        + "endpoint: SocketTimeoutException: Read timed out");
    assertThat(Ec2Errors.refusesRequestShape(jclouds)).isFalse();
  }

  @Test
  void classify_cloudException_passesThroughUnchanged() {
    CloudException original = new CloudException(Kind.QUOTA_EXCEEDED, "x", "instances", null,
        null);

    assertThat(Ec2Errors.classify("test", "RunInstances", original, CLOCK)).isSameAs(original);
  }

  @Test
  void kindOf_coversTheDocumentedCodes() {
    Map<String, Kind> expected = Map.of(
        "Throttling", Kind.THROTTLED,
        "AddressLimitExceeded", Kind.QUOTA_EXCEEDED,
        "UnauthorizedOperation", Kind.AUTH,
        "InvalidAMIID.Malformed", Kind.INVALID_REQUEST,
        "InvalidSubnetID.NotFound", Kind.INVALID_REQUEST,
        "InternalError", Kind.TRANSIENT);

    expected.forEach((code, kind) ->
        assertThat(Ec2Errors.kindOf(code, code.equals("InternalError") ? 500 : 400))
            .as(code).isEqualTo(kind));
    assertThat(Ec2Errors.quotaResource("AddressLimitExceeded")).isEqualTo("address");
  }

  private static CloudException classify(String call, int status, String resource,
      Instant serverTime) throws IOException {
    Exception jclouds = handle(status, "status " + status, resource(resource), "text/xml",
        serverTime);
    return Ec2Errors.classify("test", call, jclouds, CLOCK);
  }

  private static Exception handle(int status, String reason, byte[] body, String contentType,
      Instant serverTime) {
    HttpCommand command = command();
    HttpResponse.Builder<?> response = HttpResponse.builder().statusCode(status).message(reason);
    if (body != null) {
      response.payload(body);
    }
    if (serverTime != null) {
      response.addHeader("Date",
          DateTimeFormatter.RFC_1123_DATE_TIME.format(serverTime.atOffset(ZoneOffset.UTC)));
    }
    HttpResponse built = response.build();
    if (body != null) {
      built.getPayload().getContentMetadata().setContentType(contentType);
    }
    handler.handleError(command, built);
    return command.getException();
  }

  private static HttpCommand command() {
    return new HttpCommand(HttpRequest.builder().method("POST").endpoint(ENDPOINT).build());
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = Ec2ErrorsTest.class.getResourceAsStream("/ec2/errors/" + name)) {
      if (in == null) {
        throw new IOException("test resource /ec2/errors/" + name + " is missing");
      }
      return in.readAllBytes();
    }
  }
}
