package io.flotilla.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flotilla.config.SiteConfig;
import io.flotilla.config.SiteConfigLoader;
import io.flotilla.emulator.EmulatorCounters;
import io.flotilla.state.MachineRecord;
import io.flotilla.state.MachineState;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole site on moto_server, in process, as {@code ./flotilla run} runs it: the EC2
 * provider creates, lists and terminates real moto instances, and the guest emulator plays
 * each running instance from the user-data it reads back through EC2
 * (DescribeInstanceAttribute) and powers guests off with StopInstances.
 */
class Ec2EndToEndTest {

  @TempDir static Path dir;
  static MotoServer moto;
  static RunSummary summary;
  static List<MachineRecord> machines;
  static EmulatorCounters guests;
  static Map<String, String> leftInMoto;

  @BeforeAll
  static void runSite() throws Exception {
    moto = MotoServer.start();
    SiteConfig config = SiteConfigLoader.load(writeSite(moto.registerLinuxImage()));
    SiteRun run = new SiteRun(config, Clock.systemUTC());
    summary = run.run(Duration.ofSeconds(12));
    machines = run.finalRecords();
    guests = run.emulatorCounters();
    leftInMoto = moto.instanceStates();
  }

  @AfterAll
  static void stopMoto() throws Exception {
    if (moto != null) {
      moto.close();
    }
  }

  private static Path writeSite(String ami) throws IOException, InterruptedException {
    Path examples = Path.of("..", "examples").toAbsolutePath().normalize();
    exec(examples.resolve("pki/make-pki.sh").toString(), dir.resolve("pki").toString(),
        "atlas");
    exec(examples.resolve("pki/sign-imagelist.sh").toString(), dir.resolve("pki").toString(),
        examples.resolve("sandbox/imagelist.json").toString(),
        dir.resolve("imagelist.signed").toString());
    Files.createDirectories(dir.resolve("ec2"));
    Files.writeString(dir.resolve("ec2/access_key_id"), "AKIDFLOTILLAE2E\n");
    Files.writeString(dir.resolve("ec2/secret_access_key"), "e2e-secret\n");
    int port = freePort();
    String yaml = Files.readString(Path.of("src/test/resources/e2e/ec2-site.yaml"))
        .replace("GUEST_PORT", Integer.toString(port))
        .replace("CLUSTER_NAME", "e2e-ec2-" + UUID.randomUUID())
        .replace("MOTO_ENDPOINT", moto.endpoint().toString())
        .replace("LINUX_AMI", ami);
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
  void run_endsClean_everyMachineGone() {
    assertThat(summary.clean()).isTrue();
    assertThat(summary.leftRunning()).isZero();
    assertThat(summary.unfinished()).isZero();
    assertThat(machines).hasSizeGreaterThanOrEqualTo(3)
        .allSatisfy(m -> assertThat(m.state()).as(m.id()).isEqualTo(MachineState.GONE));
  }

  @Test
  void moto_holdsNoInstanceThatIsNotTerminated() {
    assertThat(leftInMoto).hasSizeGreaterThanOrEqualTo(machines.size() - 1);
    assertThat(leftInMoto.values()).containsOnly("terminated");
  }

  @Test
  void guests_playedFromTheUserDataEc2HandedBack() {
    long contacted = machines.stream().filter(m -> m.credentialIssuedAt() != null).count();
    assertThat(contacted).isGreaterThanOrEqualTo(3);
    assertThat(guests.credentialsFetched()).isEqualTo(contacted);
    assertThat(guests.unreadableUserData()).isZero();
    assertThat(guests.powerOffs()).as("guests stopped through StopInstances").isPositive();
    assertThat(machines).filteredOn(m -> m.credentialIssuedAt() != null)
        .allSatisfy(m -> assertThat(m.statePath()).as(m.id()).contains(MachineState.RUNNING));
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
      assertThat(record.get("cloud").asText()).isEqualTo("moto");
      assertThat(record.get("cloud_id").asText()).matches("i-[0-9a-f]{17}");
    }
    assertThat(ids).hasSize(machines.size());
  }
}
