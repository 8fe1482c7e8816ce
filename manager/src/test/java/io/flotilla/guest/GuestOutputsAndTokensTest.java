package io.flotilla.guest;

import static org.assertj.core.api.Assertions.assertThat;

import io.flotilla.config.CredentialsConfig.TokenIssuerConfig;
import io.flotilla.config.JobOutputsConfig;
import io.flotilla.credentials.CredentialIssuer;
import io.flotilla.credentials.CredentialSource;
import io.flotilla.credentials.TestTokenIssuer;
import io.flotilla.credentials.TokenClient;
import io.flotilla.credentials.TraceabilityLog;
import io.flotilla.state.MachineRecord;
import io.flotilla.state.MachineSpecs;
import io.flotilla.state.MachineState;
import io.flotilla.state.MachineStore;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Job output files the site allows, and token credentials, through the guest API. */
@ExtendWith(VertxExtension.class)
class GuestOutputsAndTokensTest {
  private static final String SECRET = "client-secret-for-tests";
  private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  private static final MachineSpecs SPEC = new MachineSpecs(2, 4096, 0, 3600, 600, 300);

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<String> secrets = new ArrayList<>();
  private LogCapture logs;
  private MachineStore store;
  private TraceabilityLog traceability;
  private TestTokenIssuer tokenIssuer;
  private Path outputs;
  private String base;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext context) throws Exception {
    logs = new LogCapture();
    store = new MachineStore(new ConcurrentHashMap<>());
    traceability = new TraceabilityLog(dir.resolve("credentials.jsonl"));
    tokenIssuer = new TestTokenIssuer(SECRET);
    secrets.add(SECRET);
    Path secretFile = Files.writeString(dir.resolve("client.secret"), SECRET);
    TokenClient client = new TokenClient("cms", new TokenIssuerConfig(
        tokenIssuer.tokenEndpoint(), TestTokenIssuer.CLIENT_ID, Optional.of(secretFile),
        Optional.empty(), Optional.of("compute.read"), Optional.empty()));
    Clock clock = Clock.systemUTC();
    CredentialIssuer issuer = CredentialIssuer.withSources(
        Map.of("cms", new CredentialSource.Tokens(client)), traceability, clock);
    outputs = dir.resolve("joboutputs");
    JobOutputs jobOutputs = new JobOutputs(Optional.of(outputs),
        new JobOutputsConfig(List.of("*.log", "pilot.status"), 1024, 4));
    vertx.createHttpServer()
        .requestHandler(GuestApi.router(vertx, store, issuer, clock, jobOutputs))
        .listen(0, "127.0.0.1")
        .onComplete(context.succeeding(server -> {
          base = "http://127.0.0.1:" + server.actualPort();
          context.completeNow();
        }));
  }

  @AfterEach
  void stop() throws Exception {
    try {
      for (String secret : secrets) {
        assertThat(logs.lines()).noneMatch(line -> line.contains(secret));
      }
    } finally {
      logs.close();
      traceability.close();
      tokenIssuer.close();
    }
  }

  @Test
  void allowedOutput_isStoredOwnerOnlyUnderItsMachine() throws Exception {
    String root = machine("m-1");

    HttpResponse<String> response = put(root + "/joboutputs/boot.log", "booted\n");

    assertThat(response.statusCode()).isEqualTo(201);
    Path file = outputs.resolve("m-1").resolve("boot.log");
    assertThat(Files.readString(file)).isEqualTo("booted\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
        .isEqualTo("rwx------");
  }

  @Test
  void heartbeatAndShutdownMessage_areActedOnAndKept() throws Exception {
    String root = machine("m-2");

    put(root + "/joboutputs/heartbeat", "alive");
    put(root + "/joboutputs/shutdown_message", "200 Success\n");

    assertThat(store.get("m-2").orElseThrow().shutdownCode()).isEqualTo(200);
    assertThat(Files.readString(outputs.resolve("m-2/heartbeat"))).isEqualTo("alive");
    assertThat(Files.readString(outputs.resolve("m-2/shutdown_message")))
        .isEqualTo("200 Success\n");
  }

  @Test
  void outputs_withUnsafeOrUnlistedNames_areForbidden() throws Exception {
    String root = machine("m-3");

    for (String name : List.of("..%2Fm-4%2Fboot.log", ".hidden.log", "notes.txt",
        "boot.log.part")) {
      HttpResponse<String> response = put(root + "/joboutputs/" + name, "x");
      assertThat(response.statusCode()).as(name).isIn(403, 404);
    }
    assertThat(put(root + "/joboutputs/notes.txt", "x").body()).isEqualTo("joboutputs:"
        + " 'notes.txt' is not accepted; this site accepts heartbeat, shutdown_message and"
        + " *.log, pilot.status");
    assertThat(outputs.resolve("m-4")).doesNotExist();
    assertThat(outputs.resolve("m-3")).doesNotExist();
  }

  @Test
  void outputs_overMaxBytesOrMaxFiles_areRefused() throws Exception {
    String root = machine("m-5");

    HttpResponse<String> large = put(root + "/joboutputs/big.log", "x".repeat(4097));
    for (String name : List.of("a.log", "b.log", "c.log", "d.log")) {
      assertThat(put(root + "/joboutputs/" + name, "x").statusCode()).isEqualTo(201);
    }
    HttpResponse<String> fifth = put(root + "/joboutputs/e.log", "x");

    assertThat(large.statusCode()).isEqualTo(413);
    assertThat(large.body()).isEqualTo("request body larger than 4096 bytes");
    assertThat(fifth.statusCode()).isEqualTo(403);
    assertThat(fifth.body())
        .isEqualTo("joboutputs: this machine already has 4 files; no more are accepted");
  }

  @Test
  void outputs_cannotBeReadBack_norWrittenWithAnotherMachinesToken() throws Exception {
    String mine = machine("m-6");
    String other = machine("m-7");
    put(mine + "/joboutputs/boot.log", "mine");
    String otherToken = other.substring(other.lastIndexOf('/') + 1);

    HttpResponse<String> read = get(mine + "/joboutputs/boot.log");
    HttpResponse<String> readOther = get("/machines/m-6/" + otherToken + "/joboutputs/boot.log");
    HttpResponse<String> writeOther =
        put("/machines/m-6/" + otherToken + "/joboutputs/boot.log", "forged");

    assertThat(read.statusCode()).isEqualTo(405);
    assertThat(readOther.statusCode()).isEqualTo(403);
    assertThat(writeOther.statusCode()).isEqualTo(403);
    assertThat(Files.readString(outputs.resolve("m-6/boot.log"))).isEqualTo("mine");
    assertThat(logs.lines()).contains("WARN io.flotilla.guest.GuestApi guest token refused"
        + " machine=m-6 tokenOwner=m-7 client=127.0.0.1"
        + " path=/machines/m-6/***/joboutputs/boot.log");
  }

  @Test
  void tokenCredential_isTheBareTokenOnce() throws Exception {
    String root = machine("m-8");

    HttpResponse<String> first = get(root + "/credential");
    HttpResponse<String> second = get(root + "/credential");

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.headers().firstValue("Content-Type"))
        .hasValue("text/plain; charset=us-ascii");
    assertThat(first.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(first.body().split("\\.")).hasSize(3);
    secrets.add(first.body());
    assertThat(second.statusCode()).isEqualTo(410);
    assertThat(Files.readString(traceability.file()))
        .contains("\"jti\":\"" + tokenIssuer.lastJti() + "\"").doesNotContain(first.body());
  }

  @Test
  void tokenCredential_whenIssuerFails_answers503AndMayBeFetchedAgain() throws Exception {
    String root = machine("m-9");
    tokenIssuer.failNext(1);

    HttpResponse<String> failed = get(root + "/credential");
    HttpResponse<String> retry = get(root + "/credential");

    assertThat(failed.statusCode()).isEqualTo(503);
    assertThat(failed.headers().firstValue("Retry-After")).hasValue("60");
    assertThat(failed.body()).isEqualTo("credential temporarily unavailable; retry later");
    assertThat(retry.statusCode()).isEqualTo(200);
    secrets.add(retry.body());
    assertThat(logs.lines()).contains("WARN io.flotilla.guest.GuestApi credential issue"
        + " failed, the guest may retry machine=m-9 vo=cms reason=VO cms: token issuer "
        + tokenIssuer.tokenEndpoint() + " gave no usable token: HTTP 503, error"
        + " temporarily_unavailable");
    assertThat(Files.readAllLines(traceability.file())).hasSize(1);
  }

  /** Adds a running cms machine and returns its URL root. */
  private String machine(String id) {
    String token = GuestTokens.newToken();
    secrets.add(token);
    Instant started = NOW.minus(Duration.ofMinutes(5));
    store.insert(MachineRecord.requested(id, "cms", "sandbox", "img-1", SPEC,
            GuestTokens.hash(token), started.minusSeconds(10))
        .moveTo(MachineState.CREATING, started, "create").withCloudId("i-" + id, started)
        .moveTo(MachineState.RUNNING, NOW, "test"));
    return "/machines/" + id + "/" + token;
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
        BodyHandlers.ofString());
  }

  private HttpResponse<String> put(String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + path))
        .PUT(BodyPublishers.ofString(body)).build(), BodyHandlers.ofString());
  }
}
