package io.flotilla.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.flotilla.cloudcalls.QuotaClamps;
import io.flotilla.config.SiteConfig;
import io.flotilla.config.SiteConfigLoader;
import io.flotilla.lifecycle.Lifecycle;
import io.flotilla.provider.CloudMachine;
import io.flotilla.provider.CloudState;
import io.flotilla.provider.MachineSpec;
import io.flotilla.provider.Tags;
import io.flotilla.provider.sandbox.SandboxCloud;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole sandbox sites, in process, whose cloud misbehaves: it throttles a burst, hides new
 * machines from its listings, goes unreachable mid-run, holds a machine nobody recorded, and
 * enforces a quota it never reported. Each test runs its own manager for a few seconds, then
 * drains it, and checks that nothing was lost, created twice or left in the cloud.
 */
class CloudFaultsEndToEndTest {
  @TempDir static Path dir;

  @BeforeAll
  static void makePki() throws Exception {
    Path examples = Path.of("..", "examples").toAbsolutePath().normalize();
    exec(examples.resolve("pki/make-pki.sh").toString(), dir.resolve("pki").toString(),
        "atlas", "lhcb");
    exec(examples.resolve("pki/sign-imagelist.sh").toString(), dir.resolve("pki").toString(),
        examples.resolve("sandbox/imagelist.json").toString(),
        dir.resolve("imagelist.signed").toString());
  }

  @Test
  void burstOfTwenty_whenTheCloudThrottlesAfterTen_keepsTheTenAndPausesTheCloud()
      throws Exception {
    Path site = site("burst", "throttle_after: 10\nthrottle_seconds: 3\n", "", 20);

    try (Run run = Run.start(site)) {
      run.waitUntil(Duration.ofSeconds(20), () -> run.records().stream()
          .anyMatch(m -> reasons(m).contains("THROTTLED")));
      Instant throttledAt = run.records().stream()
          .filter(m -> reasons(m).contains("THROTTLED"))
          .map(m -> at(m, MachineState.FAILED)).min(Instant::compareTo).orElseThrow();
      Instant pauseEnd = throttledAt.plusMillis(2500);
      // Waits for the resumption itself rather than a fixed time: on a loaded machine the
      // first pass after the pause may come seconds late.
      run.waitUntil(Duration.ofSeconds(30), () -> run.records().stream()
          .anyMatch(m -> m.cloudId() != null && m.requestedAt().isAfter(pauseEnd)));
      run.drain();

      List<MachineRecord> machines = run.records();
      assertThat(machines).as("machines the cloud accepted before its throttle lifted")
          .filteredOn(m -> m.cloudId() != null && m.requestedAt().isBefore(pauseEnd))
          .hasSize(10);
      assertThat(machines).as("creates asked for while the cloud was paused")
          .noneMatch(m -> m.requestedAt().isAfter(throttledAt)
              && m.requestedAt().isBefore(pauseEnd));
      assertThat(machines.stream().filter(m -> reasons(m).contains("THROTTLED")).count())
          .as("creates the cloud refused before the pause took hold (8 workers)")
          .isBetween(1L, 8L);
      assertThat(machines).as("creating resumed once the throttle lifted")
          .anyMatch(m -> m.cloudId() != null && m.requestedAt().isAfter(pauseEnd));
      run.assertNothingLostOrDuplicated();
    }
  }

  @Test
  void unreachableCloud_hiddenNewMachines_andAnOrphan_areAllReconciledAfterwards()
      throws Exception {
    Path site = site("outage", "hide_new_seconds: 3\n", "settle_time: 1s\norphans: adopt\n",
        3);

    try (Run run = Run.start(site)) {
      run.waitUntil(Duration.ofSeconds(20), () -> run.records().stream()
          .filter(m -> m.state() == MachineState.RUNNING).count() >= 3);
      String orphan = run.startOrphan("atlas");
      run.waitUntil(Duration.ofSeconds(10), () -> run.record(orphan) != null);
      Set<String> beforeOutage = run.ids();
      Instant outageStart = Instant.now();
      run.sandbox().unreachableFor(Duration.ofSeconds(10));
      Instant outageEnd = outageStart.plusSeconds(10);
      run.waitUntil(Duration.ofSeconds(25), () -> run.records().stream()
          .anyMatch(m -> m.requestedAt().isAfter(outageEnd)));
      run.drain();

      List<MachineRecord> machines = run.records();
      assertThat(machines).as("no machine lost to the hidden listing or the outage")
          .noneMatch(m -> m.statePath().contains(MachineState.LOST)
              || m.statePath().contains(MachineState.FAILED));
      assertThat(machines).as("nothing asked of the cloud while it was unreachable")
          .noneMatch(m -> m.requestedAt().isAfter(outageStart.plusSeconds(1))
              && m.requestedAt().isBefore(outageEnd));
      assertThat(machines).filteredOn(m -> beforeOutage.contains(m.id()))
          .allSatisfy(m -> assertThat(m.statePath()).contains(MachineState.RUNNING));
      MachineRecord adopted = run.record(orphan);
      assertThat(adopted.tokenHash()).isEqualTo(Lifecycle.ADOPTED);
      assertThat(adopted.statePath()).contains(MachineState.RUNNING)
          .endsWith(MachineState.GONE);
      run.assertNothingLostOrDuplicated();
    }
  }

  @Test
  void quotaTheCloudNeverReported_lowersTheLimitToUsage_andStopsAsking() throws Exception {
    Path site = site("quota", "unreported_max_instances: 3\n", "quota_recheck: 5m\n", 5);

    try (Run run = Run.start(site)) {
      run.waitUntil(Duration.ofSeconds(20), () -> run.clamps().current("sandbox",
          Instant.now()).isPresent());
      Instant lowered = Instant.now();
      Thread.sleep(14_000);
      run.drain();

      QuotaClamps.Clamp clamp = run.clamps().current("sandbox", Instant.now()).orElseThrow();
      assertThat(clamp.resource()).isEqualTo("instances");
      assertThat(clamp.limits().instances()).isEqualTo(3);
      List<MachineRecord> refused = run.records().stream()
          .filter(m -> reasons(m).contains("QUOTA_EXCEEDED")).toList();
      assertThat(refused).isNotEmpty()
          .allSatisfy(m -> assertThat(m.requestedAt()).isBefore(lowered));
      assertThat(run.records()).as("machines replaced within the lowered limit")
          .filteredOn(m -> m.requestedAt().isAfter(lowered)).isNotEmpty();
      run.assertNothingLostOrDuplicated();
    }
  }

  /* ---- One manager on one sandbox ---- */

  private static final class Run implements AutoCloseable {
    final Manager manager;
    final SiteConfig config;

    private Run(Manager manager, SiteConfig config) {
      this.manager = manager;
      this.config = config;
    }

    static Run start(Path site) throws Exception {
      SiteConfig config = SiteConfigLoader.load(site);
      return new Run(Manager.start(config, Clock.systemUTC()), config);
    }

    SandboxCloud sandbox() {
      return (SandboxCloud) manager.clouds().get("sandbox").provider();
    }

    QuotaClamps clamps() {
      return manager.reconciler().quotaClamps();
    }

    List<MachineRecord> records() {
      return manager.machines().all();
    }

    MachineRecord record(String id) {
      return manager.machines().get(id).orElse(null);
    }

    Set<String> ids() {
      Set<String> ids = new HashSet<>();
      records().forEach(m -> ids.add(m.id()));
      return ids;
    }

    /** Starts a machine with our tags behind the manager's back, as a crashed peer would. */
    String startOrphan(String vo) {
      String id = UUID.randomUUID().toString();
      sandbox().create(new MachineSpec(id, "c0482bc2-bf41-5d49-aaaa-a750174a186b", "small",
          new byte[0], Map.of(Tags.MACHINE_ID, id, Tags.SITE, config.site(), Tags.VO, vo),
          Map.of()));
      return id;
    }

    void waitUntil(Duration limit, java.util.function.BooleanSupplier done)
        throws InterruptedException {
      Instant giveUp = Instant.now().plus(limit);
      while (!done.getAsBoolean()) {
        assertThat(Instant.now()).as("waited %s; records: %s", limit, records())
            .isBefore(giveUp);
        Thread.sleep(100);
      }
    }

    void drain() throws InterruptedException {
      manager.lifecycle().drainBy(Instant.now().plusSeconds(3));
      waitUntil(Duration.ofSeconds(30), () -> records().stream()
          .allMatch(m -> m.state() == MachineState.GONE && m.accounted()));
    }

    /**
     * Every record ended GONE, no cloud id belongs to two records, and the cloud holds
     * nothing of ours.
     */
    void assertNothingLostOrDuplicated() {
      List<MachineRecord> machines = records();
      assertThat(machines).allSatisfy(m -> assertThat(m.state()).isEqualTo(MachineState.GONE));
      List<String> cloudIds = machines.stream().map(MachineRecord::cloudId)
          .filter(Objects::nonNull).toList();
      assertThat(cloudIds).doesNotHaveDuplicates();
      List<CloudMachine> left = sandbox().listTagged(Map.of(Tags.SITE, config.site()))
          .stream().filter(m -> m.state() != CloudState.GONE).toList();
      assertThat(left).isEmpty();
    }

    @Override
    public void close() throws Exception {
      manager.stop();
    }
  }

  /* ---- Site files ---- */

  private static Path site(String name, String sandboxOptions, String policy, int machines)
      throws IOException {
    String yaml = TEMPLATE.replace("GUEST_PORT", Integer.toString(freePort()))
        .replace("CLUSTER_NAME", "faults-" + UUID.randomUUID())
        .replace("STATE_DIR", "var-" + name)
        .replace("SANDBOX_OPTIONS\n", sandboxOptions.indent(6))
        .replace("CLOUD_POLICY\n", policy.indent(4))
        .replace("MACHINES", Integer.toString(machines));
    Path site = dir.resolve(name + ".yaml");
    Files.writeString(site, yaml);
    return site;
  }

  private static final String TEMPLATE = """
      site: FAULTS-TEST
      state_dir: STATE_DIR
      cluster:
        name: CLUSTER_NAME
        host: 127.0.0.1
        port: 5821
      guest_api:
        bind: 127.0.0.1
        port: GUEST_PORT
        advertised_url: http://127.0.0.1:GUEST_PORT
      trust:
        ca_dir: pki/certificates
      endorsers:
        - name: example
          dn: /DC=XXX/DC=YYY/C=ZZ/O=Hosts/O=AA.net/CN=some.unknown.source
          ca: /DC=XXX/DC=YYY/CN=SOME TEST CA
      image_lists:
        - name: example
          url: file:imagelist.signed
          endorsers: [example]
      clouds:
        - name: sandbox
          type: sandbox
          options:
            boot_seconds: 1
            seed: 11
      SANDBOX_OPTIONS
      CLOUD_POLICY
          limits:
            processors: 100
          creation_cap: 100
          emulator:
            job_seconds_min: 1
            job_seconds_max: 2
            jobs_per_vm_min: 50
            jobs_per_vm_max: 50
            seed: 5
      vos:
        - name: atlas
          image: c0482bc2-bf41-5d49-aaaa-a750174a186b
          clouds: [sandbox]
          machines: MACHINES
          flavour: small
          cores: 1
          ram_mb: 1024
          lifetime: 12s
          grace: 3s
          heartbeat: 2s
          heartbeat_tolerance: 20s
          backoff: 20s
          robot_certificate: pki/vo/atlas/robot.pem
          robot_key: pki/vo/atlas/robot.key
      lifecycle:
        cycle: 250ms
        start_timeout: 20s
        delete_retry: 1s
      """;

  /* ---- Helpers ---- */

  private static String reasons(MachineRecord machine) {
    return String.join(" | ", machine.history().stream().map(Transition::reason).toList());
  }

  private static Instant at(MachineRecord machine, MachineState state) {
    return machine.history().stream().filter(t -> t.to() == state).map(Transition::at)
        .findFirst().orElseThrow();
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
