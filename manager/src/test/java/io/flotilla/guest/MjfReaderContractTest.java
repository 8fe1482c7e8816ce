package io.flotilla.guest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flotilla.credentials.CredentialIssuer;
import io.flotilla.credentials.TraceabilityLog;
import io.flotilla.state.MachineRecord;
import io.flotilla.state.MachineSpecs;
import io.flotilla.state.MachineState;
import io.flotilla.state.MachineStore;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pilot's view of the features, read as DIRAC (Python urllib) and glideinWMS
 * ({@code wget -qO-}) read them, before and after the manager announces a drain.
 */
@ExtendWith(VertxExtension.class)
class MjfReaderContractTest {
  private static final MachineSpecs SPEC = new MachineSpecs(4, 8192, 40, 7200, 600, 300);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private final Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS)
      .minus(Duration.ofMinutes(10));
  private MachineStore store;
  private TraceabilityLog traceability;
  private GuestUrls urls;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext context) {
    store = new MachineStore(new ConcurrentHashMap<>());
    traceability = new TraceabilityLog(dir.resolve("credentials.jsonl"));
    String token = GuestTokens.newToken();
    store.insert(MachineRecord.requested("m-1", "atlas", "sandbox", "img-1", SPEC,
            GuestTokens.hash(token), started.minusSeconds(20))
        .moveTo(MachineState.CREATING, started, "create").withCloudId("i-1", started)
        .moveTo(MachineState.RUNNING, started, "test"));
    Clock clock = Clock.systemUTC();
    vertx.createHttpServer()
        .requestHandler(GuestApi.router(vertx, store,
            new CredentialIssuer(Map.of(), traceability, clock), clock))
        .listen(0, "127.0.0.1")
        .onComplete(context.succeeding(server -> {
          urls = GuestUrls.of("http://127.0.0.1:" + server.actualPort(), "m-1", token);
          context.completeNow();
        }));
  }

  @AfterEach
  void close() throws Exception {
    traceability.close();
  }

  @Test
  void diracReader_beforeDrain_timeLeftIsWallLimitFromJobStart() throws Exception {
    JsonNode features = dirac();
    long expected = started.getEpochSecond() + 7200 - Instant.now().getEpochSecond();

    assertThat(features.get("total_cpu").asText()).isEqualTo("4");
    assertThat(features.get("hs06").asText()).isEqualTo("40");
    assertThat(features.get("allocated_cpu").asText()).isEqualTo("4");
    assertThat(features.get("job_id").asText()).isEqualTo("m-1");
    assertThat(features.get("shutdowntime").isNull()).isTrue();
    assertThat(features.get("shutdowntime_job").isNull()).isTrue();
    assertThat(features.get("time_left").asLong()).isBetween(expected - 5, expected);
  }

  @Test
  void diracReader_afterDrain_seesShutdowntimeOnItsNextRead() throws Exception {
    dirac();
    Instant shutdown = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(600);
    store.update("m-1", machine -> machine.withShutdownTime(shutdown));

    JsonNode features = dirac();

    assertThat(features.get("shutdowntime").asText())
        .isEqualTo(Long.toString(shutdown.getEpochSecond()));
    assertThat(features.get("shutdowntime_job").asText())
        .isEqualTo(Long.toString(shutdown.getEpochSecond()));
    assertThat(features.get("time_left").asLong()).isBetween(595L, 600L);
  }

  @Test
  void glideinWmsReader_getsBareIntegers_andTheDrainOnItsNextRead() throws Exception {
    GuestTlsTest.Result before = wget(urls.machineFeatures() + "/shutdowntime");
    GuestTlsTest.Result cores = wget(urls.jobFeatures() + "/allocated_cpu");
    Instant shutdown = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(900);
    store.update("m-1", machine -> machine.withShutdownTime(shutdown));
    GuestTlsTest.Result after = wget(urls.machineFeatures() + "/shutdowntime");

    assertThat(before.exitCode()).as("404 is a server error to wget").isEqualTo(8);
    assertThat(before.output()).isEmpty();
    assertThat(cores.output()).matches("\\d+").isEqualTo("4");
    assertThat(after.exitCode()).isZero();
    assertThat(after.output()).matches("\\d+")
        .isEqualTo(Long.toString(shutdown.getEpochSecond()));
  }

  private JsonNode dirac() throws Exception {
    Path script = dir.resolve("dirac_mjf_reader.py");
    if (!Files.exists(script)) {
      Files.copy(Objects.requireNonNull(
          getClass().getResourceAsStream("/guest/dirac_mjf_reader.py")), script);
    }
    GuestTlsTest.Result result = GuestTlsTest.run(List.of("/usr/bin/python3",
        script.toString(), urls.machineFeatures(), urls.jobFeatures()));
    assertThat(result.exitCode()).as(result.output()).isZero();
    return JSON.readTree(result.output());
  }

  private static GuestTlsTest.Result wget(String url) throws Exception {
    return GuestTlsTest.run(List.of("wget", "-qO-", url));
  }
}
