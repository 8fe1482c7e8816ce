package io.flotilla.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.flotilla.accounting.ApelMessages;
import io.flotilla.config.SiteConfig;
import io.flotilla.config.SiteConfigLoader;
import io.flotilla.run.RunSummary;
import io.flotilla.run.SiteRun;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sandbox site in share mode, in process: atlas and lhcb share one space 50/50, lhcb's
 * queue is empty. lhcb must stop getting machines once its first guests answer "300 Nothing
 * to do", come back with one probe after its backoff, and atlas must take the room meanwhile.
 * APEL records of the run are parsed back by the record format's rules.
 */
class ShareModeEndToEndTest {
  private static final Duration BACKOFF = Duration.ofSeconds(6);
  private static final Duration SLACK = Duration.ofSeconds(1);
  private static final Duration FIZZLE = Duration.ofSeconds(5);

  @TempDir static Path dir;
  static RunSummary summary;
  static List<MachineRecord> machines;

  @BeforeAll
  static void runSite() throws Exception {
    SiteConfig config = SiteConfigLoader.load(writeSite());
    SiteRun run = new SiteRun(config, Clock.systemUTC());
    summary = run.run(Duration.ofSeconds(25));
    machines = run.finalRecords();
  }

  @Test
  void emptyQueueVo_stopsWithinACycle_thenProbesAfterBackoff() {
    List<MachineRecord> lhcb = machines.stream().filter(m -> m.vo().equals("lhcb")).toList();
    Instant firstAbort = lhcb.stream().filter(m -> Integer.valueOf(300)
        .equals(m.shutdownCode())).map(ShareModeEndToEndTest::leftLive).min(Instant::compareTo)
        .orElseThrow(() -> new AssertionError("no lhcb machine ended with 300: " + lhcb));

    assertThat(lhcb).as("no lhcb machine asked for while it backs off")
        .noneMatch(m -> m.requestedAt().isAfter(firstAbort.plus(SLACK))
            && m.requestedAt().isBefore(firstAbort.plus(BACKOFF)));
    assertThat(lhcb).as("a probe once the backoff is over")
        .anyMatch(m -> !m.requestedAt().isBefore(firstAbort.plus(BACKOFF)));
  }

  @Test
  void otherVo_takesTheRoomTheBackingOffVoLeaves() {
    List<MachineRecord> atlas = machines.stream().filter(m -> m.vo().equals("atlas")).toList();

    assertThat(mostAtOnce(atlas)).as("atlas machines live at once (its share is 4 of 8)")
        .isGreaterThan(4);
    assertThat(summary.clean()).isTrue();
  }

  @Test
  void apelRecords_oneForEachMachineThatLivedPastFizzle_parseByTheFormatRules()
      throws IOException {
    Set<String> expected = new HashSet<>();
    for (MachineRecord m : machines) {
      if (m.startedAt() != null && m.endedAt() != null && m.endedAt().getEpochSecond()
          - m.startedAt().getEpochSecond() >= FIZZLE.toSeconds()) {
        expected.add(m.id());
      }
    }
    List<Map<String, String>> records = new ArrayList<>();
    for (Path file : ApelMessages.elements(dir.resolve("apel/outgoing"))) {
      records.addAll(ApelMessages.parse(Files.readString(file)));
    }

    records.forEach(ApelMessages::checkApelFieldRules);
    assertThat(records).extracting(r -> r.get("LocalJobId"))
        .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
    assertThat(records).allSatisfy(r -> assertThat(r).containsEntry("Site", "E2E-SHARES")
        .containsEntry("InfrastructureType", "grid"));
    assertThat(summary.apelRecords()).isEqualTo(records.size()).isPositive();
  }

  private static Instant leftLive(MachineRecord machine) {
    return machine.history().stream().filter(t -> !t.to().isLive()).map(Transition::at)
        .findFirst().orElseThrow();
  }

  /** The most machines of a list that were live (started, not yet ended) at one moment. */
  private static int mostAtOnce(List<MachineRecord> list) {
    int most = 0;
    for (MachineRecord m : list) {
      if (m.startedAt() == null || !m.statePath().contains(MachineState.RUNNING)) {
        continue;
      }
      Instant at = m.startedAt();
      int live = (int) list.stream().filter(o -> o.startedAt() != null
          && !o.startedAt().isAfter(at) && leftLive(o).isAfter(at)).count();
      most = Math.max(most, live);
    }
    return most;
  }

  private static Path writeSite() throws IOException, InterruptedException {
    Path examples = Path.of("..", "examples").toAbsolutePath().normalize();
    exec(examples.resolve("pki/make-pki.sh").toString(), dir.resolve("pki").toString(),
        "atlas", "lhcb");
    exec(examples.resolve("pki/sign-imagelist.sh").toString(), dir.resolve("pki").toString(),
        examples.resolve("sandbox/imagelist.json").toString(),
        dir.resolve("imagelist.signed").toString());
    String yaml = Files.readString(Path.of("src/test/resources/e2e/share-site.yaml"))
        .replace("GUEST_PORT", Integer.toString(freePort()))
        .replace("CLUSTER_NAME", "e2e-shares-" + java.util.UUID.randomUUID());
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
}
