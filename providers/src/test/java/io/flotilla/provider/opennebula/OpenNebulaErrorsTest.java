package io.flotilla.provider.opennebula;

import static org.assertj.core.api.Assertions.assertThat;

import io.flotilla.provider.CloudException;
import io.flotilla.provider.CloudException.Kind;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OpenNebulaErrorsTest {

  @ParameterizedTest
  @CsvSource({
      "256, AUTH", "512, AUTH", "1024, NOT_FOUND", "2048, TRANSIENT",
      "4096, INVALID_REQUEST", "8192, TRANSIENT", "16384, INVALID_REQUEST",
      "32768, TRANSIENT", "12345, TRANSIENT"})
  void kindOf_whenDocumentedCode_mapsToKind(int code, Kind kind) {
    assertThat(OpenNebulaErrors.kindOf(code, "[one.vm.action] something")).isEqualTo(kind);
  }

  @Test
  void fromResult_whenAuthorizationNamesQuota_isQuotaExceededForInstances() {
    CloudException e = OpenNebulaErrors.fromResult("one", "one.vm.allocate",
        OpenNebulaErrors.AUTHORIZATION,
        "[one.vm.allocate] User [4] : limit of 2 reached for VMS quota in VM.");

    assertThat(e.kind()).isEqualTo(Kind.QUOTA_EXCEEDED);
    assertThat(e.resource()).isEqualTo("instances");
    assertThat(e.getMessage()).isEqualTo("opennebula cloud one: one.vm.allocate failed with "
        + "AUTHORIZATION (0x0200): [one.vm.allocate] User [4] : limit of 2 reached for VMS "
        + "quota in VM.");
  }

  @Test
  void fromResult_whenAllocateNamesMemoryQuota_isQuotaExceededForRam() {
    CloudException e = OpenNebulaErrors.fromResult("one", "one.template.instantiate",
        OpenNebulaErrors.ALLOCATE, "limit of 4096 reached for MEMORY quota in VM");

    assertThat(e.kind()).isEqualTo(Kind.QUOTA_EXCEEDED);
    assertThat(e.resource()).isEqualTo("ram");
  }

  @Test
  void fromTransport_whenHttp503WithRetryAfter_isThrottledWithWait() {
    XmlRpcException error = XmlRpcException.httpStatus(503, Duration.ofSeconds(7), "busy");

    CloudException e = OpenNebulaErrors.fromTransport("one", "one.vm.info", error);

    assertThat(e.kind()).isEqualTo(Kind.THROTTLED);
    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(7));
  }

  @ParameterizedTest
  @CsvSource({"429, THROTTLED", "401, AUTH", "404, INVALID_REQUEST", "502, TRANSIENT"})
  void fromTransport_whenHttpStatus_mapsToKind(int status, Kind kind) {
    CloudException e = OpenNebulaErrors.fromTransport("one", "one.vm.info",
        XmlRpcException.httpStatus(status, null, "x"));

    assertThat(e.kind()).isEqualTo(kind);
  }

  @Test
  void fromTransport_whenIoTimeoutOrGarbage_isTransient() {
    assertThat(OpenNebulaErrors.fromTransport("one", "m",
        XmlRpcException.io("refused", null)).kind()).isEqualTo(Kind.TRANSIENT);
    assertThat(OpenNebulaErrors.fromTransport("one", "m",
        XmlRpcException.timeout("slow", null)).kind()).isEqualTo(Kind.TRANSIENT);
    assertThat(OpenNebulaErrors.fromTransport("one", "m",
        XmlRpcException.malformed("junk", null)).kind()).isEqualTo(Kind.TRANSIENT);
  }

  @Test
  void fromTransport_whenFault_isInvalidRequest() {
    assertThat(OpenNebulaErrors.fromTransport("one", "m",
        XmlRpcException.fault(-506, "no such method")).kind()).isEqualTo(Kind.INVALID_REQUEST);
  }
}
