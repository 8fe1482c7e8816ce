package io.flotilla.emulator;

import static io.flotilla.emulator.UserDataFixtures.cloudConfig;
import static io.flotilla.emulator.UserDataFixtures.cloudConfigBytes;
import static io.flotilla.emulator.UserDataFixtures.gzip;
import static io.flotilla.emulator.UserDataFixtures.multipart;
import static io.flotilla.emulator.UserDataFixtures.profile;
import static io.flotilla.emulator.UserDataFixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.flotilla.emulator.FakeGuestServer.Request;
import io.flotilla.provider.CloudMachine;
import io.flotilla.provider.CloudState;
import io.flotilla.provider.MachineSpec;
import io.flotilla.provider.Tags;
import io.flotilla.provider.sandbox.SandboxCloud;
import io.flotilla.provider.sandbox.SandboxOptions;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GuestEmulatorTest {

  private static final Duration WAIT = Duration.ofSeconds(15);

  private Vertx vertx;
  private FakeGuestServer server;
  private SandboxCloud cloud;
  private GuestEmulator emulator;

  @BeforeEach
  void startWorld() throws Exception {
    vertx = Vertx.vertx();
    server = FakeGuestServer.start(vertx);
    cloud = new SandboxCloud("emulated", new SandboxOptions(Duration.ZERO, 0, 0, 0,
        OptionalLong.of(1), OptionalInt.empty()));
  }

  @AfterEach
  void stopWorld() throws Exception {
    if (emulator != null) {
      emulator.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
    cloud.close();
    server.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void guest_fetchesCredentialOnce_heartbeats_reportsSuccess_andPowersOff() throws Exception {
    CloudMachine machine = create("m-1", "atlas", cloudConfigBytes(server.base(), "m-1", 1));
    startEmulator(options(1, 2.5, Set.of(), 0));

    await(() -> emulator.counters().powerOffs() == 1);

    List<Request> requests = server.requestsOf("m-1");
    assertThat(requests.get(0).line()).isEqualTo("GET /cred/m-1");
    assertThat(requests.get(1).line()).isEqualTo("GET /cred/m-1");
    assertThat(requests).filteredOn(r -> r.path().startsWith("/cred/")).hasSize(2);
    assertThat(requests).filteredOn(r -> r.line().equals("PUT /out/m-1/heartbeat"))
        .hasSizeGreaterThanOrEqualTo(2)
        .allSatisfy(r -> assertThat(Long.parseLong(r.body()))
            .isCloseTo(Instant.now().getEpochSecond(), org.assertj.core.data.Offset.offset(30L)));
    assertThat(requests).extracting(Request::line)
        .contains("GET /jf/m-1/jobstart_secs", "GET /jf/m-1/wall_limit_secs",
            "GET /mf/m-1/shutdowntime", "GET /jf/m-1/shutdowntime_job");
    Request last = lastPut(requests);
    assertThat(last.line()).isEqualTo("PUT /out/m-1/shutdown_message");
    assertThat(last.body()).isEqualTo("200 Success");
    awaitState(machine.cloudId(), CloudState.STOPPED);
    EmulatorCounters counters = emulator.counters();
    assertThat(counters.credentialsFetched()).isEqualTo(1);
    assertThat(counters.secondFetchesRefused()).isEqualTo(1);
    assertThat(counters.secondFetchesServed()).isZero();
    assertThat(counters.jobsCompleted()).isEqualTo(1);
    assertThat(counters.shutdownMessagesSent()).isEqualTo(1);
    assertThat(counters.shutdownMessages()).containsEntry(machine.cloudId(), "200 Success");
  }

  @Test
  void guest_whenVoQueueEmpty_writesNothingToDoAndPowersOff() throws Exception {
    CloudMachine machine = create("m-2", "lhcb", cloudConfigBytes(server.base(), "m-2", 1));
    startEmulator(options(2, 5, Set.of("lhcb"), 0));

    await(() -> emulator.counters().powerOffs() == 1);

    Request last = lastPut(server.requestsOf("m-2"));
    assertThat(last.line()).isEqualTo("PUT /out/m-2/shutdown_message");
    assertThat(last.body()).isEqualTo("300 Nothing to do");
    assertThat(emulator.counters().jobsCompleted()).isZero();
    awaitState(machine.cloudId(), CloudState.STOPPED);
  }

  @Test
  void guest_whenValuesDoubleQuotedOrBare_usesThemAsShellWould() throws Exception {
    String base = server.base();
    String profile = "export MACHINEFEATURES=\"" + base + "/mf/m-3\"\n"
        + "export JOBFEATURES=" + base + "/jf/m-3\n"
        + "export JOBOUTPUTS='" + base + "/out/m-3'\n"
        + "export FLOTILLA_CREDENTIAL_URL='" + base + "/cred/m-3?token=a'\\''b&x=1'\n"
        + "export FLOTILLA_HEARTBEAT_SECONDS='1'\n"
        + "export FLOTILLA_MACHINE_ID=\"m-3\"\n";
    create("m-3", "atlas", utf8(cloudConfig(profile)));
    startEmulator(options(1, 0.2, Set.of(), 0));

    await(() -> emulator.counters().powerOffs() == 1);

    Request credential = server.requestsOf("m-3").get(0);
    assertThat(credential.line()).isEqualTo("GET /cred/m-3");
    assertThat(credential.query()).isEqualTo("token=a'b&x=1");
    assertThat(emulator.counters().shutdownMessages()).containsValue("200 Success");
  }

  @Test
  void guest_whenUserDataGzipped_behavesAsPlain() throws Exception {
    create("m-4", "atlas", gzip(cloudConfigBytes(server.base(), "m-4", 1)));
    startEmulator(options(1, 0.2, Set.of(), 0));

    await(() -> emulator.counters().powerOffs() == 1);

    assertThat(emulator.counters().credentialsFetched()).isEqualTo(1);
    assertThat(lastPut(server.requestsOf("m-4")).body()).isEqualTo("200 Success");
  }

  @Test
  void guest_whenUserDataMultipart_readsCloudConfigPart() throws Exception {
    String yaml = cloudConfig(profile(server.base(), "m-5", 1));
    create("m-5", "atlas", utf8(multipart(yaml, true)));
    startEmulator(options(1, 0.2, Set.of(), 0));

    await(() -> emulator.counters().powerOffs() == 1);

    assertThat(emulator.counters().credentialsFetched()).isEqualTo(1);
    assertThat(lastPut(server.requestsOf("m-5")).body()).isEqualTo("200 Success");
  }

  @Test
  void guest_whenUserDataUnparseable_neverContactsManager() throws Exception {
    CloudMachine machine = create("m-6", "atlas", utf8("#!/bin/sh\necho " + server.base()));
    startEmulator(options(1, 0.2, Set.of(), 0));

    await(() -> emulator.counters().unreadableUserData() == 1);
    Thread.sleep(1500);

    assertThat(server.requests()).isEmpty();
    assertThat(emulator.counters().guestsStarted()).isEqualTo(1);
    assertThat(emulator.counters().powerOffs()).isZero();
    assertThat(cloud.describe(machine.cloudId()).orElseThrow().state())
        .isEqualTo(CloudState.RUNNING);
  }

  @Test
  void guest_whenShutdowntimePassesDuringJob_haltsWithoutMessage() throws Exception {
    CloudMachine machine = create("m-7", "atlas", cloudConfigBytes(server.base(), "m-7", 1));
    startEmulator(options(1, 30, Set.of(), 0));
    await(() -> server.requestsOf("m-7").stream()
        .anyMatch(r -> r.line().equals("GET /jf/m-7/shutdowntime_job")));

    server.machineFeature("m-7", "shutdowntime",
        Long.toString(Instant.now().getEpochSecond()));
    await(() -> emulator.counters().halts() == 1);
    int seen = server.requestsOf("m-7").size();
    Thread.sleep(1500);

    assertThat(server.requestsOf("m-7")).hasSize(seen)
        .noneMatch(r -> r.path().endsWith("/shutdown_message"));
    assertThat(emulator.counters().powerOffs()).isZero();
    assertThat(cloud.describe(machine.cloudId()).orElseThrow().state())
        .isEqualTo(CloudState.RUNNING);
  }

  @Test
  void guest_whenNextJobDoesNotFitBeforeShutdowntime_stopsWithSuccess() throws Exception {
    create("m-8", "atlas", cloudConfigBytes(server.base(), "m-8", 1));
    server.jobFeature("m-8", "shutdowntime_job",
        Long.toString(Instant.now().getEpochSecond() + 4));
    EmulatorOptions threeJobs = new EmulatorOptions(Duration.ofMillis(2500),
        Duration.ofMillis(2500), 3, 3, Set.of(), 0, OptionalLong.of(5));
    startEmulator(threeJobs);

    await(() -> emulator.counters().powerOffs() == 1);

    assertThat(emulator.counters().jobsCompleted()).isEqualTo(1);
    assertThat(lastPut(server.requestsOf("m-8")).body()).isEqualTo("200 Success");
  }

  @Test
  void guest_whenSilent_sendsNoHeartbeatButStillReports() throws Exception {
    create("m-9", "atlas", cloudConfigBytes(server.base(), "m-9", 1));
    startEmulator(options(1, 2.2, Set.of(), 1));

    await(() -> emulator.counters().powerOffs() == 1);

    assertThat(server.requestsOf("m-9")).noneMatch(r -> r.path().endsWith("/heartbeat"));
    assertThat(emulator.counters().heartbeatsSent()).isZero();
    assertThat(lastPut(server.requestsOf("m-9")).body()).isEqualTo("200 Success");
  }

  @Test
  void guest_whenCredentialNotPem_reportsCredentialProblem() throws Exception {
    server.credentialBody("not a certificate");
    create("m-10", "atlas", cloudConfigBytes(server.base(), "m-10", 1));
    startEmulator(options(1, 0.2, Set.of(), 0));

    await(() -> emulator.counters().powerOffs() == 1);

    assertThat(emulator.counters().credentialFailures()).isEqualTo(1);
    assertThat(server.requestsOf("m-10")).filteredOn(r -> r.path().startsWith("/cred/"))
        .hasSize(1);
    assertThat(lastPut(server.requestsOf("m-10")).body())
        .isEqualTo("500 Certificate/proxy not acceptable");
  }

  @Test
  void emulator_whenClosed_stopsGuestsMidJob() throws Exception {
    create("m-11", "atlas", cloudConfigBytes(server.base(), "m-11", 1));
    startEmulator(options(1, 30, Set.of(), 0));
    await(() -> emulator.counters().heartbeatsSent() >= 2);

    emulator.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    Thread.sleep(300);
    int seen = server.requestsOf("m-11").size();
    Thread.sleep(1500);

    assertThat(server.requestsOf("m-11")).hasSize(seen);
    assertThat(emulator.counters().powerOffs()).isZero();
  }

  private CloudMachine create(String machineId, String vo, byte[] userData) {
    return cloud.create(new MachineSpec(machineId, "image-1", "small", userData,
        Map.of(Tags.MACHINE_ID, machineId, Tags.VO, vo)));
  }

  private void startEmulator(EmulatorOptions options) throws Exception {
    emulator = new GuestEmulator(vertx, cloud, options, Duration.ofMillis(100),
        Clock.systemUTC());
    emulator.start().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  private static EmulatorOptions options(
      int jobs, double jobSeconds, Set<String> emptyVos, double silentRate) {
    Duration job = Duration.ofMillis(Math.round(jobSeconds * 1000));
    return new EmulatorOptions(job, job, jobs, jobs, emptyVos, silentRate, OptionalLong.of(7));
  }

  private static Request lastPut(List<Request> requests) {
    return requests.stream().filter(r -> r.method().equals("PUT"))
        .reduce((first, second) -> second).orElseThrow();
  }

  private void awaitState(String cloudId, CloudState state) {
    await(() -> cloud.describe(cloudId).map(CloudMachine::state).orElse(null) == state);
  }

  private static void await(BooleanSupplier condition) {
    Instant deadline = Instant.now().plus(WAIT);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("condition not met within " + WAIT);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting", e);
      }
    }
  }
}
