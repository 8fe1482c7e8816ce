package io.flotilla.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flotilla.state.MachineRecord;
import io.flotilla.state.MachineSpecs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialIssuerTest {
  private static final MachineSpecs SPEC = new MachineSpecs(4, 8192, 40.0, 86_400, 600, 300);

  @TempDir static Path pkiDir;
  static RobotCredential robot;

  @TempDir Path logDir;
  private final Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  private TraceabilityLog log;
  private CredentialIssuer issuer;

  @BeforeAll
  static void makeRobot() {
    OpenSslPki pki = OpenSslPki.create(pkiDir);
    Path[] files = pki.rsaRobot("robot", 10);
    robot = RobotCredential.load(files[0], files[1], Clock.systemUTC());
  }

  @BeforeEach
  void openLog() {
    log = new TraceabilityLog(logDir.resolve("traceability.jsonl"));
    issuer = new CredentialIssuer(
        Map.of("atlas", robot), log, Clock.fixed(now, ZoneOffset.UTC));
  }

  @AfterEach
  void closeLog() throws Exception {
    log.close();
  }

  @Test
  void issue_forStartedMachine_endsAtStartPlusLifetimePlusGrace() {
    Instant started = now.minus(Duration.ofHours(2));
    MachineRecord machine = machine("m-1", "atlas").withCloudId("i-1", started);

    IssuedCredential proxy = issuer.issue(machine, "192.0.2.7");

    assertThat(proxy.notAfter()).isEqualTo(started.plusSeconds(86_400 + 600));
  }

  @Test
  void issue_beforeCloudAnswered_countsFromRequestTime() {
    MachineRecord machine = machine("m-2", "atlas");

    IssuedCredential proxy = issuer.issue(machine, "192.0.2.7");

    assertThat(proxy.notAfter()).isEqualTo(machine.requestedAt().plusSeconds(87_000));
  }

  @Test
  void issue_appendsOneTraceLinePerProxyWithoutSecrets() throws Exception {
    IssuedCredential first = issuer.issue(machine("m-3", "atlas"), "192.0.2.7");
    IssuedCredential second = issuer.issue(machine("m-4", "atlas"), "2001:db8::4");

    List<String> lines = Files.readAllLines(log.file());
    assertThat(lines).hasSize(2);
    JsonNode record = new ObjectMapper().readTree(lines.get(0));
    assertThat(record.properties()).extracting(Map.Entry::getKey).containsExactly(
        "time", "machine", "vo", "type", "serial", "subject", "notAfter", "client");
    assertThat(record.get("type").asText()).isEqualTo("proxy");
    assertThat(record.get("time").asText()).isEqualTo(now.toString());
    assertThat(record.get("machine").asText()).isEqualTo("m-3");
    assertThat(record.get("vo").asText()).isEqualTo("atlas");
    assertThat(record.get("serial").asText()).isEqualTo(first.serial().toString());
    assertThat(record.get("subject").asText()).isEqualTo(first.subject());
    assertThat(record.get("notAfter").asText()).isEqualTo(first.notAfter().toString());
    assertThat(record.get("client").asText()).isEqualTo("192.0.2.7");
    assertThat(new ObjectMapper().readTree(lines.get(1)).get("serial").asText())
        .isEqualTo(second.serial().toString());
    assertThat(String.join("\n", lines)).doesNotContain("BEGIN", "PRIVATE");
  }

  @Test
  void traceabilityLog_newFile_isReadableByOwnerOnly() throws Exception {
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(log.file())))
        .isEqualTo("rw-------");
  }

  @Test
  void traceabilityLog_reopened_appendsAfterExistingLines() throws Exception {
    issuer.issue(machine("m-5", "atlas"), "192.0.2.7");
    log.close();
    log = new TraceabilityLog(log.file());
    issuer = new CredentialIssuer(Map.of("atlas", robot), log, Clock.fixed(now, ZoneOffset.UTC));

    issuer.issue(machine("m-6", "atlas"), "192.0.2.8");

    assertThat(Files.readAllLines(log.file())).hasSize(2);
  }

  @Test
  void issue_forUnknownVo_refusesNamingMachineVoAndConfiguredVos() {
    assertThatThrownBy(() -> issuer.issue(machine("m-7", "cms"), "192.0.2.7"))
        .isInstanceOf(CredentialException.class)
        .hasMessage("machine m-7: no robot credential is configured for VO 'cms'"
            + " (configured: [atlas])");
  }

  @Test
  void issue_whenMachinePastItsLifetime_refusesAndLogsNothing() throws Exception {
    MachineRecord old = machine("m-8", "atlas")
        .withCloudId("i-8", now.minus(Duration.ofDays(2)));

    assertThatThrownBy(() -> issuer.issue(old, "192.0.2.7"))
        .isInstanceOf(CredentialException.class)
        .hasMessageContaining("is not after now " + now);
    assertThat(Files.readAllLines(log.file())).isEmpty();
  }

  private MachineRecord machine(String id, String vo) {
    return MachineRecord.requested(id, vo, "sandbox", "img-1", SPEC, "00", now.minusSeconds(60));
  }
}
