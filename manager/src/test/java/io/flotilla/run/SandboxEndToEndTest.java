package io.flotilla.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flotilla.config.SiteConfig;
import io.flotilla.config.SiteConfigLoader;
import io.flotilla.emulator.EmulatorCounters;
import io.flotilla.state.MachineRecord;
import io.flotilla.state.MachineState;
import io.flotilla.state.Transition;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole sandbox site, in process: real image-list verification, real proxies, the real
 * guest HTTP interface, emulated guests, short lifetimes. One run, several assertions on
 * what it left behind.
 */
class SandboxEndToEndTest {
  private static final List<MachineState> ORDER = List.of(MachineState.REQUESTED,
      MachineState.CREATING, MachineState.BOOTING, MachineState.RUNNING,
      MachineState.DRAINING, MachineState.TERMINATING, MachineState.GONE);

  @TempDir static Path dir;
  static SiteRun run;
  static RunSummary summary;
  static List<MachineRecord> machines;
  static EmulatorCounters guests;

  @BeforeAll
  static void runSite() throws Exception {
    Path site = writeSite();
    SiteConfig config = SiteConfigLoader.load(site);
    run = new SiteRun(config, Clock.systemUTC());
    summary = run.run(Duration.ofSeconds(14));
    machines = run.finalRecords();
    guests = run.emulatorCounters();
  }

  private static Path writeSite() throws IOException, InterruptedException {
    Path examples = Path.of("..", "examples").toAbsolutePath().normalize();
    exec(examples.resolve("pki/make-pki.sh").toString(), dir.resolve("pki").toString(),
        "atlas", "lhcb");
    exec(examples.resolve("pki/sign-imagelist.sh").toString(), dir.resolve("pki").toString(),
        examples.resolve("sandbox/imagelist.json").toString(),
        dir.resolve("imagelist.signed").toString());
    int port = freePort();
    String yaml = Files.readString(Path.of("src/test/resources/e2e/site.yaml"))
        .replace("GUEST_PORT", Integer.toString(port))
        .replace("CLUSTER_NAME", "e2e-" + java.util.UUID.randomUUID());
    Path site = dir.resolve("site.yaml");
    Files.writeString(site, yaml);
    return site;
  }

  private static void exec(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor()).as(String.join(" ", command) + "\n" + output).isZero();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Test
  void run_endsClean_withNothingLeftInTheSandbox() {
    assertThat(summary.leftRunning()).isZero();
    assertThat(summary.unfinished()).isZero();
    assertThat(summary.clean()).isTrue();
    assertThat(summary.created()).isEqualTo(machines.size()).isGreaterThanOrEqualTo(5);
    assertThat(summary.run()).isGreaterThanOrEqualTo(5);
  }

  @Test
  void everyMachine_passesTheStatesInOrder() {
    for (MachineRecord machine : machines) {
      List<MachineState> path = machine.statePath();
      assertThat(path).as(machine.id()).startsWith(MachineState.REQUESTED,
          MachineState.CREATING).endsWith(MachineState.GONE);
      List<MachineState> normal = new ArrayList<>(path);
      normal.removeAll(EnumSet.of(MachineState.FAILED, MachineState.LOST));
      assertThat(normal).as(machine.id() + " " + path).isSortedAccordingTo(
          (a, b) -> Integer.compare(ORDER.indexOf(a), ORDER.indexOf(b)));
      assertThat(new HashSet<>(path)).as(machine.id()).hasSameSizeAs(path);
    }
    assertThat(machines).as("a guest that finished its work before its lifetime")
        .anySatisfy(m -> assertThat(m.statePath()).containsExactly(MachineState.REQUESTED,
            MachineState.CREATING, MachineState.BOOTING, MachineState.RUNNING,
            MachineState.TERMINATING, MachineState.GONE));
    assertThat(machines).as("a guest drained at the end of its lifetime or of the run")
        .anySatisfy(m -> assertThat(m.statePath()).contains(MachineState.DRAINING));
  }

  @Test
  void everyCredential_isFetchedOnce_andASecondFetchIsRefused() throws IOException {
    long contacted = machines.stream().filter(m -> m.credentialIssuedAt() != null).count();
    assertThat(guests.credentialsFetched()).isEqualTo(contacted).isPositive();
    assertThat(guests.secondFetchesRefused()).isEqualTo(guests.credentialsFetched());
    assertThat(guests.secondFetchesServed()).isZero();
    List<String> trace = Files.readAllLines(dir.resolve("var/credentials.jsonl"));
    assertThat(trace).hasSize((int) contacted);
    assertThat(String.join("\n", trace)).doesNotContain("PRIVATE KEY", "CERTIFICATE");
  }

  @Test
  void machinesThatReachedTheirEnd_sawShutdowntimeBeforeTermination() {
    List<MachineRecord> drained = machines.stream()
        .filter(m -> m.statePath().contains(MachineState.DRAINING)).toList();
    assertThat(drained).isNotEmpty();
    for (MachineRecord machine : drained) {
      assertThat(machine.shutdownTime()).as(machine.id()).isNotNull();
      Instant announced = at(machine, MachineState.DRAINING);
      Instant ended = at(machine, MachineState.GONE);
      assertThat(announced).as(machine.id()).isBefore(ended);
      assertThat(machine.shutdownTime()).as(machine.id()).isAfter(announced);
    }
  }

  @Test
  void guestsWithNoWork_sendAbortCodes_andTheirVoBacksOff() {
    List<MachineRecord> lhcb = machines.stream().filter(m -> m.vo().equals("lhcb")).toList();
    assertThat(lhcb).isNotEmpty();
    assertThat(lhcb).filteredOn(m -> m.credentialIssuedAt() != null)
        .allSatisfy(m -> assertThat(m.shutdownCode()).isEqualTo(300));
    // A 20 s backoff after the first 300 leaves room for the first wave only.
    assertThat(lhcb.size()).isLessThanOrEqualTo(4);
  }

  @Test
  void accounting_hasExactlyOneLinePerMachine() throws IOException {
    List<String> lines = Files.readAllLines(dir.resolve("var/accounting.jsonl"));
    assertThat(lines).hasSize(machines.size());
    ObjectMapper json = new ObjectMapper();
    Set<String> ids = new HashSet<>();
    for (String line : lines) {
      JsonNode record = json.readTree(line);
      ids.add(record.get("machine_id").asText());
      assertThat(record.get("wall_seconds").asLong()).isGreaterThanOrEqualTo(0);
      assertThat(record.get("vo").asText()).isIn("atlas", "lhcb");
    }
    assertThat(ids).hasSize(machines.size());
  }

  private static Instant at(MachineRecord machine, MachineState state) {
    return machine.history().stream().filter(t -> t.to() == state).map(Transition::at)
        .findFirst().orElseThrow();
  }
}
