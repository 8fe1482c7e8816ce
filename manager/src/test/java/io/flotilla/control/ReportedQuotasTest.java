package io.flotilla.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.flotilla.config.ControlConfig;
import io.flotilla.config.ControlConfig.Quota;
import io.flotilla.config.SiteConfig;
import io.flotilla.config.TestSites;
import io.flotilla.config.SiteConfig.CloudConfig;
import io.flotilla.config.SiteConfigLoader;
import io.flotilla.control.MachineSummary.EndCause;
import io.flotilla.lifecycle.CloudListing;
import io.flotilla.lifecycle.CloudPool;
import io.flotilla.provider.CloudMachine;
import io.flotilla.provider.Flavour;
import io.flotilla.provider.MachineSpec;
import io.flotilla.provider.Tags;
import io.flotilla.provider.sandbox.SandboxCloud;
import io.flotilla.provider.sandbox.SandboxOptions;
import io.flotilla.state.MachineState;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cloud-reported quotas read through the pool and turned into the planner's space views. */
class ReportedQuotasTest {
  @TempDir Path dir;

  private static final String SITE = TestSites.HEAD + """
      image_lists:
        - name: list1
          url: file:list.signed
          endorsers: [e1]
      clouds:
        - name: sandbox
          type: sandbox
          options:
            boot_seconds: 0
            max_instances: 5
      vos:
        - name: atlas
          image: c0482bc2-bf41-5d49-aaaa-a750174a186b
          clouds: [sandbox]
          machines: 3
          flavour: small
          lifetime: 2h
          grace: 5m
          robot_certificate: robot.pem
          robot_key: robot.key
      """;

  private final Vertx vertx = Vertx.vertx();
  private SiteConfig config;
  private CloudConfig cloudConfig;
  private SandboxCloud sandbox;
  private CloudPool pool;

  @BeforeEach
  void open() throws IOException {
    TestSites.writeRobotStubs(dir);
    Path file = dir.resolve("site.yaml");
    Files.writeString(file, SITE);
    config = SiteConfigLoader.load(file);
    cloudConfig = config.cloud("sandbox").orElseThrow();
    sandbox = new SandboxCloud("sandbox", SandboxOptions.fromMap(cloudConfig.options()));
    pool = new CloudPool(vertx, sandbox, 2, 10);
  }

  @AfterEach
  void close() {
    pool.close();
    vertx.close();
  }

  @Test
  void limits_afterRefresh_areTheCloudsReportedQuota() {
    ReportedQuotas quotas = quotas();
    assertThat(quotas.limits(cloudConfig)).as("before any read").isEqualTo(Quota.NONE);

    quotas.refresh();

    assertThat(quotas.limits(cloudConfig)).isEqualTo(new Quota(5, ControlConfig.UNLIMITED,
        ControlConfig.UNLIMITED, Double.POSITIVE_INFINITY));
  }

  @Test
  void spaces_countTheCloudsUsageLessOurMachinesAsForeign() {
    CloudMachine ours = sandbox.create(spec("ours", Map.of(Tags.SITE, "TEST-SITE")));
    CloudMachine other1 = sandbox.create(spec("x1", Map.of(Tags.SITE, "ELSEWHERE")));
    CloudMachine other2 = sandbox.create(spec("x2", Map.of()));
    ReportedQuotas quotas = quotas();
    quotas.refresh();

    SpaceView view = PlanInputs.spaces(config, listed(), Map.of("sandbox", List.of(other1,
        other2)), quotas, List.of(summary(ours.machineId(), MachineState.RUNNING))).get(0);

    Flavour small = sandbox.flavours().stream().filter(f -> f.id().equals("small"))
        .findFirst().orElseThrow();
    Tallies.Size charged = Tallies.Size.charged(PlanInputs.types(config).get(0),
        config.control().space("sandbox"));
    assertThat(view.foreign()).isEqualTo(new Usage(2,
        Math.max(0, 3L * small.cores() - charged.processors()),
        Math.max(0, 3L * small.ramMb() - charged.ramMb()), 0));
  }

  @Test
  void spaces_whenTheCloudReportsMoreThanItLists_countTheReportedInstances() {
    sandbox.create(spec("a", Map.of()));
    sandbox.create(spec("b", Map.of()));
    ReportedQuotas quotas = quotas();
    quotas.refresh();

    SpaceView view = PlanInputs.spaces(config, listed(), Map.of(), quotas, List.of()).get(0);

    assertThat(view.foreign().instances()).isEqualTo(2);
  }

  @Test
  void refresh_whenTheCloudFails_keepsLimits_andDropsUsage() {
    sandbox.create(spec("a", Map.of()));
    ReportedQuotas quotas = quotas();
    quotas.refresh();
    assertThat(quotas.used(cloudConfig)).isPresent();

    sandbox.unreachableFor(Duration.ofMinutes(1));
    quotas.refresh();

    assertThat(quotas.used(cloudConfig)).isEmpty();
    assertThat(quotas.limits(cloudConfig).instances()).isEqualTo(5);
    SpaceView view = PlanInputs.spaces(config, listed(), Map.of(), quotas, List.of()).get(0);
    assertThat(view.foreign()).isEqualTo(Usage.NONE);
  }

  private ReportedQuotas quotas() {
    return new ReportedQuotas(Map.of("sandbox", pool), PlanInputs.QuotaSource.NONE);
  }

  private Map<String, CloudListing> listed() {
    return Map.of("sandbox", new CloudListing(true, Instant.now(), Map.of()));
  }

  private static MachineSpec spec(String id, Map<String, String> tags) {
    String machineId = id + "-" + UUID.randomUUID();
    Map<String, String> all = new HashMap<>(tags);
    all.put(Tags.MACHINE_ID, machineId);
    return new MachineSpec(machineId, "image-1", "small", new byte[0], all);
  }

  private static MachineSummary summary(String id, MachineState state) {
    return new MachineSummary(id, "atlas", "sandbox", "image-1", state, 1, 2048, 0, 0, 0, -1,
        -1, -1, EndCause.NONE, true);
  }
}
