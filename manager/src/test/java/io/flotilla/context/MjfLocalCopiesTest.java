package io.flotilla.context;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.flotilla.config.SiteConfig;
import io.flotilla.credentials.CredentialIssuer;
import io.flotilla.credentials.TraceabilityLog;
import io.flotilla.emulator.GuestConfig;
import io.flotilla.guest.GuestApi;
import io.flotilla.guest.GuestTokens;
import io.flotilla.state.MachineRecord;
import io.flotilla.state.MachineSpecs;
import io.flotilla.state.MachineState;
import io.flotilla.state.MachineStore;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders a VO with {@code mjf_local_copies}, takes the refresh script out of the rendered
 * cloud-config and runs it with bash and curl against a live guest API.
 */
class MjfLocalCopiesTest {
  private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  private static final YAMLMapper YAML = new YAMLMapper();

  @TempDir Path dir;
  private Vertx vertx;
  private TraceabilityLog traceability;
  private MachineStore store;
  private String base;
  private String token;

  @BeforeEach
  void startGuestApi() throws Exception {
    vertx = Vertx.vertx();
    store = new MachineStore(new ConcurrentHashMap<>());
    traceability = new TraceabilityLog(dir.resolve("traceability.jsonl"));
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    token = GuestTokens.newToken();
    MachineRecord machine = MachineRecord.requested("m-1", "atlas", "sandbox", "img-1",
            new MachineSpecs(4, 8192, 40.5, 86_400, 600, 300), GuestTokens.hash(token),
            NOW.minusSeconds(60))
        .moveTo(MachineState.CREATING, NOW.minusSeconds(50), "create")
        .withCloudId("i-1", NOW.minusSeconds(50))
        .moveTo(MachineState.RUNNING, NOW.minusSeconds(40), "test");
    store.insert(machine);
    HttpServer server = vertx.createHttpServer()
        .requestHandler(GuestApi.router(vertx, store,
            new CredentialIssuer(Map.of(), traceability, clock), clock))
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + server.actualPort();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    traceability.close();
  }

  @Test
  void refreshScript_copiesEveryKeyThenFollowsShutdowntime() throws Exception {
    JsonNode part = mjfPart(render());
    Path script = dir.resolve("refresh");
    Files.writeString(script, file(part, "/usr/local/sbin/flotilla-mjf-refresh"));
    Path urls = dir.resolve("urls.sh");
    Files.writeString(urls, file(part, "/etc/flotilla/mjf-urls.sh"));
    Path machine = dir.resolve("mf");
    Path job = dir.resolve("jf");

    run(script, urls, machine, job, "--all");

    assertThat(read(machine, "total_cpu")).isEqualTo("4");
    assertThat(read(machine, "hs06")).isEqualTo("40.5");
    assertThat(read(job, "allocated_CPU")).isEqualTo("4");
    assertThat(read(job, "job_id")).isEqualTo("m-1");
    assertThat(read(job, "max_rss_bytes")).isEqualTo("8589934592");
    assertThat(machine.resolve("shutdowntime")).doesNotExist();
    try (Stream<Path> files = Files.list(job)) {
      assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
          .containsExactly("allocated_CPU", "allocated_cpu", "cpu_limit_secs", "grace_secs_job",
              "hs06_job", "job_id", "jobstart_secs", "max_rss_bytes", "mem_limit_MB",
              "wall_limit_secs");
    }

    Instant end = NOW.plus(Duration.ofMinutes(20));
    store.update("m-1", record -> record.withShutdownTime(end));
    run(script, urls, machine, job);

    assertThat(read(machine, "shutdowntime")).isEqualTo(Long.toString(end.getEpochSecond()));
    assertThat(read(job, "shutdowntime_job")).isEqualTo(Long.toString(end.getEpochSecond()));
  }

  @Test
  void renderedPart_pointsProfileAtLocalDirsAndRefreshesEvery30Seconds() throws Exception {
    byte[] userData = render();
    JsonNode part = mjfPart(userData);

    assertThat(file(part, "/etc/profile.d/zz-flotilla-mjf.sh"))
        .contains("export MACHINEFEATURES=/var/lib/flotilla/machinefeatures\n")
        .contains("export JOBFEATURES=/var/lib/flotilla/jobfeatures\n");
    assertThat(file(part, "/etc/systemd/system/flotilla-mjf-refresh.timer"))
        .contains("OnUnitActiveSec=30s");
    assertThat(part.path("runcmd").toString()).contains("flotilla-mjf-refresh.timer");
    // The VO's own profile script still names the URLs the emulator (and DIRAC) read.
    assertThat(GuestConfig.fromUserData(userData).machineFeatures())
        .isEqualTo(base + "/machines/m-1/" + token + "/machinefeatures");
  }

  private byte[] render() {
    SiteConfig config = ContextFixtures.site(dir, "",
        "    context:\n      mjf_local_copies: true\n");
    return new ContextRenderer(config).render(ContextFixtures.atlas(config), "ec2",
        ContextFixtures.values("aws", base, "m-1", token)).userData();
  }

  /** The flotilla-mjf.cfg part of the multipart user-data, as YAML. */
  private static JsonNode mjfPart(byte[] userData) throws Exception {
    String text = new String(userData, StandardCharsets.UTF_8);
    int name = text.indexOf("filename=\"flotilla-mjf.cfg\"");
    assertThat(name).isPositive();
    int body = text.indexOf("\n\n", name) + 2;
    int end = text.indexOf("\n--==flotilla-", body);
    return YAML.readTree(text.substring(body, end));
  }

  private static String file(JsonNode part, String path) {
    for (JsonNode file : part.path("write_files")) {
      if (path.equals(file.path("path").asText())) {
        return file.path("content").asText();
      }
    }
    throw new AssertionError("no write_files entry " + path);
  }

  private static void run(Path script, Path urls, Path machine, Path job, String... args)
      throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("bash", script.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("FLOTILLA_MJF_URLS", urls.toString());
    builder.environment().put("FLOTILLA_MACHINEFEATURES_DIR", machine.toString());
    builder.environment().put("FLOTILLA_JOBFEATURES_DIR", job.toString());
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
  }

  private static String read(Path dir, String key) throws Exception {
    return Files.readString(dir.resolve(key));
  }
}
