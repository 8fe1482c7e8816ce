package io.flotilla.guest;

import static org.assertj.core.api.Assertions.assertThat;

import io.flotilla.credentials.CredentialIssuer;
import io.flotilla.credentials.OpenSslPki;
import io.flotilla.credentials.RobotCredential;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@ExtendWith(VertxExtension.class)
class GuestApiTest {
  private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  private static final Instant STARTED = NOW.minus(Duration.ofHours(1));
  private static final MachineSpecs SPEC = new MachineSpecs(4, 8192, 40.5, 86_400, 600, 300);
  private static final Pattern PEM_TYPE = Pattern.compile("-----BEGIN ([A-Z ]+)-----");

  @TempDir static Path pkiDir;
  static RobotCredential robot;

  @TempDir Path logDir;
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<String> tokens = new ArrayList<>();
  private LogCapture logs;
  private MachineStore store;
  private TraceabilityLog traceability;
  private String base;
  private String token;

  @BeforeAll
  static void makeRobot() {
    OpenSslPki pki = OpenSslPki.create(pkiDir);
    Path[] files = pki.rsaRobot("robot", 10);
    robot = RobotCredential.load(files[0], files[1], Clock.systemUTC());
  }

  @BeforeEach
  void startServer(Vertx vertx, VertxTestContext context) {
    logs = new LogCapture();
    store = new MachineStore(new ConcurrentHashMap<>());
    traceability = new TraceabilityLog(logDir.resolve("traceability.jsonl"));
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    CredentialIssuer issuer = new CredentialIssuer(Map.of("atlas", robot), traceability, clock);
    token = addMachine("m-1", "atlas", MachineState.RUNNING);
    vertx.createHttpServer()
        .requestHandler(GuestApi.router(vertx, store, issuer, clock))
        .listen(0, "127.0.0.1")
        .onComplete(context.succeeding(server -> {
          base = "http://127.0.0.1:" + server.actualPort();
          context.completeNow();
        }));
  }

  @AfterEach
  void noTokenWasLogged() throws Exception {
    try {
      List<String> lines = logs.lines();
      for (String secret : tokens) {
        assertThat(lines).noneMatch(line -> line.contains(secret));
      }
    } finally {
      logs.close();
      traceability.close();
    }
  }

  @Test
  void machineFeatures_eachKeyAnswersItsBareValue() throws Exception {
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("total_cpu", "4");
    expected.put("hs06", "40.5");
    expected.put("grace_secs", "600");
    expected.put("jobslots", "1");
    expected.put("phys_cores", "4");
    expected.put("log_cores", "4");

    for (Map.Entry<String, String> key : expected.entrySet()) {
      HttpResponse<String> response = get(machinePath("m-1", token) + "/machinefeatures/"
          + key.getKey());
      assertThat(response.statusCode()).as(key.getKey()).isEqualTo(200);
      assertThat(response.body()).as(key.getKey()).isEqualTo(key.getValue());
      assertThat(response.headers().firstValue("Content-Type")).hasValue(
          "text/plain; charset=utf-8");
      assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-cache");
    }
  }

  @Test
  void jobFeatures_eachKeyAnswersItsBareValue() throws Exception {
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("allocated_cpu", "4");
    expected.put("allocated_CPU", "4");
    expected.put("hs06_job", "40.5");
    expected.put("grace_secs_job", "600");
    expected.put("jobstart_secs", Long.toString(STARTED.getEpochSecond()));
    expected.put("job_id", "m-1");
    expected.put("wall_limit_secs", "86400");
    expected.put("cpu_limit_secs", "345600");
    expected.put("max_rss_bytes", "8589934592");
    expected.put("mem_limit_MB", "8589");

    for (Map.Entry<String, String> key : expected.entrySet()) {
      HttpResponse<String> response = get(machinePath("m-1", token) + "/jobfeatures/"
          + key.getKey());
      assertThat(response.statusCode()).as(key.getKey()).isEqualTo(200);
      assertThat(response.body()).as(key.getKey()).isEqualTo(key.getValue());
    }
  }

  @Test
  void shutdowntime_beforeAnnouncement_isAbsentWithEmptyBody() throws Exception {
    HttpResponse<String> machine = get(machinePath("m-1", token) + "/machinefeatures/shutdowntime");
    HttpResponse<String> job = get(machinePath("m-1", token) + "/jobfeatures/shutdowntime_job");

    assertThat(machine.statusCode()).isEqualTo(404);
    assertThat(machine.body()).isEmpty();
    assertThat(job.statusCode()).isEqualTo(404);
    assertThat(job.body()).isEmpty();
  }

  @Test
  void shutdowntime_onceAnnounced_isServedUncached() throws Exception {
    Instant end = NOW.plus(Duration.ofMinutes(20));
    store.update("m-1", machine -> machine.withShutdownTime(end));

    HttpResponse<String> machine = get(machinePath("m-1", token) + "/machinefeatures/shutdowntime");
    HttpResponse<String> job = get(machinePath("m-1", token) + "/jobfeatures/shutdowntime_job");

    assertThat(machine.body()).isEqualTo(Long.toString(end.getEpochSecond()));
    assertThat(job.body()).isEqualTo(Long.toString(end.getEpochSecond()));
    assertThat(machine.headers().firstValue("Cache-Control")).hasValue("no-cache");
  }

  @Test
  void features_withUnknownOrMalformedKey_answer404WithEmptyBody() throws Exception {
    for (String key : List.of("max_swap_bytes", "total-cpu", "%2E%2E", "total_cpu%00")) {
      HttpResponse<String> response = get(machinePath("m-1", token) + "/machinefeatures/" + key);
      assertThat(response.statusCode()).as(key).isEqualTo(404);
      assertThat(response.body()).as(key).isEmpty();
    }
  }

  @Test
  void listing_withTrailingSlash_linksEachKeyRelatively() throws Exception {
    HttpResponse<String> response = get(machinePath("m-1", token) + "/machinefeatures/");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue(
        "text/html; charset=utf-8");
    assertThat(response.body()).isEqualTo("<html><body><ul>\n"
        + "<li><a href=\"total_cpu\">total_cpu</a></li>\n"
        + "<li><a href=\"hs06\">hs06</a></li>\n"
        + "<li><a href=\"grace_secs\">grace_secs</a></li>\n"
        + "<li><a href=\"jobslots\">jobslots</a></li>\n"
        + "<li><a href=\"phys_cores\">phys_cores</a></li>\n"
        + "<li><a href=\"log_cores\">log_cores</a></li>\n"
        + "</ul></body></html>\n");
  }

  @Test
  void listing_withoutTrailingSlash_linksThroughTheDirectoryName() throws Exception {
    HttpResponse<String> response = get(machinePath("m-1", token) + "/jobfeatures");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body())
        .contains("<li><a href=\"jobfeatures/job_id\">job_id</a></li>")
        .contains("<li><a href=\"jobfeatures/mem_limit_MB\">mem_limit_MB</a></li>");
  }

  @Test
  void features_forMachineWhoseIdContainsADirectoryName_serveTheRightDirectory()
      throws Exception {
    String otherToken = addMachine("machinefeatures-7", "atlas", MachineState.RUNNING);
    String root = machinePath("machinefeatures-7", otherToken);

    assertThat(get(root + "/jobfeatures/job_id").body()).isEqualTo("machinefeatures-7");
    assertThat(get(root + "/jobfeatures/total_cpu").statusCode()).isEqualTo(404);
    assertThat(get(root + "/jobfeatures/").body()).doesNotContain("total_cpu");
  }

  @Test
  void anyUrl_withWrongToken_isForbiddenAndLoggedWithoutToken() throws Exception {
    String wrong = GuestTokens.newToken();
    tokens.add(wrong);

    HttpResponse<String> response = get(machinePath("m-1", wrong) + "/machinefeatures/total_cpu");

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(logs.lines()).contains("WARN io.flotilla.guest.GuestApi guest token refused"
        + " machine=m-1 tokenOwner=none client=127.0.0.1"
        + " path=/machines/m-1/***/machinefeatures/total_cpu");
  }

  @Test
  void tokenOfOneMachine_usedForAnother_isForbidden() throws Exception {
    String otherToken = addMachine("m-2", "atlas", MachineState.RUNNING);

    HttpResponse<String> response = put(machinePath("m-1", otherToken)
        + "/joboutputs/heartbeat", "alive");

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(store.get("m-1").orElseThrow().lastHeartbeat()).isNull();
    assertThat(logs.lines()).contains("WARN io.flotilla.guest.GuestApi guest token refused"
        + " machine=m-1 tokenOwner=m-2 client=127.0.0.1"
        + " path=/machines/m-1/***/joboutputs/heartbeat");
  }

  @Test
  void anyUrl_forUnknownMachine_answers404() throws Exception {
    HttpResponse<String> response = get(machinePath("m-9", token) + "/machinefeatures/total_cpu");

    assertThat(response.statusCode()).isEqualTo(404);
  }

  @Test
  void everyEndpoint_forGoneMachine_answers410() throws Exception {
    String goneToken = addMachine("m-3", "atlas", MachineState.GONE);
    String root = machinePath("m-3", goneToken);

    assertThat(get(root + "/machinefeatures/total_cpu").statusCode()).isEqualTo(410);
    assertThat(get(root + "/jobfeatures").statusCode()).isEqualTo(410);
    assertThat(put(root + "/joboutputs/heartbeat", "alive").statusCode()).isEqualTo(410);
    assertThat(put(root + "/joboutputs/shutdown_message", "200 Success").statusCode())
        .isEqualTo(410);
    assertThat(get(root + "/credential").statusCode()).isEqualTo(410);
    MachineRecord gone = store.get("m-3").orElseThrow();
    assertThat(gone.lastHeartbeat()).isNull();
    assertThat(gone.shutdownCode()).isNull();
    assertThat(gone.credentialIssuedAt()).isNull();
  }

  @Test
  void heartbeat_isRecordedWithTheClockTime() throws Exception {
    HttpResponse<String> response = put(machinePath("m-1", token) + "/joboutputs/heartbeat",
        "load 0.5\n");

    assertThat(response.statusCode()).isEqualTo(201);
    assertThat(store.get("m-1").orElseThrow().lastHeartbeat()).isEqualTo(NOW);
  }

  @Test
  void heartbeat_largerThanLimit_answers413AndIsNotRecorded() throws Exception {
    HttpResponse<String> response = put(machinePath("m-1", token) + "/joboutputs/heartbeat",
        "x".repeat(GuestApi.BODY_LIMIT + 1));

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(response.body()).isEqualTo("request body larger than 4096 bytes");
    assertThat(store.get("m-1").orElseThrow().lastHeartbeat()).isNull();
  }

  @Test
  void jobOutput_withOtherName_isForbiddenWithReason() throws Exception {
    HttpResponse<String> response = put(machinePath("m-1", token) + "/joboutputs/vm.log",
        "boot log");

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body()).isEqualTo(
        "joboutputs: 'vm.log' is not accepted; this site accepts heartbeat and shutdown_message");
  }

  @Test
  void shutdownMessage_withTrailingNewline_recordsCodeAndText() throws Exception {
    HttpResponse<String> response = put(machinePath("m-1", token)
        + "/joboutputs/shutdown_message", "300 No PanDA job to run\r\n");

    assertThat(response.statusCode()).isEqualTo(201);
    MachineRecord machine = store.get("m-1").orElseThrow();
    assertThat(machine.shutdownCode()).isEqualTo(300);
    assertThat(machine.shutdownMessage()).isEqualTo("No PanDA job to run");
    assertThat(logs.lines()).contains("INFO io.flotilla.guest.GuestApi shutdown message"
        + " recorded machine=m-1 code=300 text=\"No PanDA job to run\"");
  }

  static Stream<Arguments> invalidShutdownMessages() {
    return Stream.of(
        Arguments.of("", "empty; expected one line '<code> <text>', e.g. '200 Success'"),
        Arguments.of("\n", "empty; expected one line '<code> <text>', e.g. '200 Success'"),
        Arguments.of("abc Nothing", "code: expected three digits 100-999 at the start of the"
            + " line"),
        Arguments.of(" 200 Success", "code: expected three digits 100-999 at the start of the"
            + " line"),
        Arguments.of("099 Early", "code: 099 is below 100; expected 100-999"),
        Arguments.of("200", "expected one space and a text after the code 200"),
        Arguments.of("2000 Success", "expected one space and a text after the code 200"),
        Arguments.of("200 ", "text: empty; expected a description after the code"),
        Arguments.of("200 one\ntwo", "more than one line; expected one line '<code> <text>'"),
        Arguments.of("200 tab\there", "text: non-printable character U+0009 at position 4"),
        Arguments.of("200 " + "x".repeat(1001),
            "text: 1001 characters; at most 1000 are accepted"));
  }

  @ParameterizedTest
  @MethodSource("invalidShutdownMessages")
  void shutdownMessage_whenMalformed_answers400NamingTheField(String body, String reason)
      throws Exception {
    HttpResponse<String> response = put(machinePath("m-1", token)
        + "/joboutputs/shutdown_message", body);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).isEqualTo("shutdown_message: " + reason);
    assertThat(store.get("m-1").orElseThrow().shutdownCode()).isNull();
  }

  @Test
  void shutdownMessage_whenNotUtf8_answers400() throws Exception {
    byte[] latin1 = "200 Fertig \u00fc".getBytes(StandardCharsets.ISO_8859_1);

    HttpResponse<String> response = send(HttpRequest.newBuilder(
        URI.create(base + machinePath("m-1", token) + "/joboutputs/shutdown_message"))
        .PUT(BodyPublishers.ofByteArray(latin1)).build());

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).isEqualTo("shutdown_message: not valid UTF-8 text");
  }

  @Test
  void shutdownMessage_second_isRefusedUnlessItRepeatsTheFirst() throws Exception {
    String url = machinePath("m-1", token) + "/joboutputs/shutdown_message";
    put(url, "200 Success");

    HttpResponse<String> repeat = put(url, "200 Success\n");
    HttpResponse<String> different = put(url, "700 Failed, probably JobAgent problem");

    assertThat(repeat.statusCode()).isEqualTo(201);
    assertThat(different.statusCode()).isEqualTo(409);
    assertThat(different.body()).isEqualTo(
        "shutdown_message: a message with code 200 is already recorded; the first one is kept");
    MachineRecord machine = store.get("m-1").orElseThrow();
    assertThat(machine.shutdownCode()).isEqualTo(200);
    assertThat(machine.shutdownMessage()).isEqualTo("Success");
  }

  @Test
  void credential_firstFetch_returnsProxyBundleAndTracesIt() throws Exception {
    HttpResponse<String> response = get(machinePath("m-1", token) + "/credential");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/x-pem-file");
    assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(PEM_TYPE.matcher(response.body()).results().map(match -> match.group(1)))
        .containsExactly("CERTIFICATE", "RSA PRIVATE KEY", "CERTIFICATE");
    assertThat(store.get("m-1").orElseThrow().credentialIssuedAt()).isEqualTo(NOW);
    List<String> trace = Files.readAllLines(traceability.file());
    assertThat(trace).singleElement().satisfies(line -> assertThat(line)
        .contains("\"machine\":\"m-1\"", "\"vo\":\"atlas\"", "\"client\":\"127.0.0.1\"",
            "\"notAfter\":\"" + STARTED.plusSeconds(86_400 + 600) + "\"")
        .doesNotContain("BEGIN", "PRIVATE"));
    assertThat(String.join("\n", logs.lines())).doesNotContain("PRIVATE KEY");
  }

  @Test
  void credential_secondFetch_answers410AndWarns() throws Exception {
    get(machinePath("m-1", token) + "/credential");

    HttpResponse<String> second = get(machinePath("m-1", token) + "/credential");

    assertThat(second.statusCode()).isEqualTo(410);
    assertThat(second.body()).isEqualTo("credential already fetched; it is handed out only once");
    assertThat(logs.lines()).contains("WARN io.flotilla.guest.GuestApi credential refused:"
        + " already fetched machine=m-1 client=127.0.0.1 fetchedAt=" + NOW);
    assertThat(Files.readAllLines(traceability.file())).hasSize(1);
  }

  @Test
  void credential_twoConcurrentFetches_exactlyOneWins() throws Exception {
    HttpRequest request = HttpRequest.newBuilder(
        URI.create(base + machinePath("m-1", token) + "/credential")).build();
    HttpClient second = HttpClient.newHttpClient();

    CompletableFuture<HttpResponse<String>> first =
        http.sendAsync(request, BodyHandlers.ofString());
    CompletableFuture<HttpResponse<String>> other =
        second.sendAsync(request, BodyHandlers.ofString());

    List<Integer> statuses = Stream.of(first.get(), other.get())
        .map(HttpResponse::statusCode).sorted().toList();
    assertThat(statuses).containsExactly(200, 410);
    assertThat(Files.readAllLines(traceability.file())).hasSize(1);
  }

  @Test
  void credential_whenMintingFails_answers500AndStaysSpent() throws Exception {
    String cmsToken = addMachine("m-4", "cms", MachineState.RUNNING);

    HttpResponse<String> first = get(machinePath("m-4", cmsToken) + "/credential");
    HttpResponse<String> retry = get(machinePath("m-4", cmsToken) + "/credential");

    assertThat(first.statusCode()).isEqualTo(500);
    assertThat(first.body()).isEqualTo("credential could not be issued; see the manager log");
    assertThat(retry.statusCode()).isEqualTo(410);
    assertThat(logs.lines()).contains("ERROR io.flotilla.guest.GuestApi credential issue failed"
        + " machine=m-4 vo=cms reason=machine m-4: no robot credential is configured for VO"
        + " 'cms' (configured: [atlas])");
  }

  @Test
  void accessLog_showsMachineIdAndMasksToken() throws Exception {
    get(machinePath("m-1", token) + "/machinefeatures/total_cpu");

    assertThat(logs.lines()).contains("DEBUG io.flotilla.guest.access guest request method=GET"
        + " path=/machines/m-1/***/machinefeatures/total_cpu status=200 client=127.0.0.1");
  }

  @Test
  void guestUrls_pointAtTheServedEndpoints() throws Exception {
    GuestUrls urls = GuestUrls.of(base + "/", "m-1", token);

    HttpResponse<String> cpu = send(HttpRequest.newBuilder(
        URI.create(urls.machineFeatures() + "/total_cpu")).build());
    HttpResponse<String> jobId = send(HttpRequest.newBuilder(
        URI.create(urls.jobFeatures() + "/job_id")).build());
    HttpResponse<String> heartbeat = send(HttpRequest.newBuilder(
        URI.create(urls.jobOutputs() + "/heartbeat")).PUT(BodyPublishers.ofString("")).build());
    HttpResponse<String> credential = send(HttpRequest.newBuilder(
        URI.create(urls.credential())).build());

    assertThat(cpu.body()).isEqualTo("4");
    assertThat(jobId.body()).isEqualTo("m-1");
    assertThat(heartbeat.statusCode()).isEqualTo(201);
    assertThat(credential.statusCode()).isEqualTo(200);
  }

  @Test
  void wrongToken_inPathsWithDotSegments_neverLogsTheToken() throws Exception {
    String wrong = GuestTokens.newToken();
    tokens.add(wrong);
    tokens.add(token);

    for (String path : List.of("/machines/../machines/m-1/" + wrong + "/machinefeatures/hs06",
        "/machines//m-1/" + wrong + "/jobfeatures/job_id",
        "/machines/%2e%2e/m-1/" + token + "/machinefeatures/hs06",
        "/machines/m-1/./" + wrong + "/machinefeatures/hs06")) {
      rawGet(path);
    }

    assertThat(logs.lines()).isNotEmpty();
  }

  @Test
  void unknownPath_answers404_notMethodNotAllowed() throws Exception {
    assertThat(get("/").statusCode()).isEqualTo(404);
    assertThat(get("/machines/").statusCode()).isEqualTo(404);
  }

  @Test
  void shutdownMessage_sentAsAForm_isTakenAsPlainBytes() throws Exception {
    String text = "300 " + "é".repeat(900);
    HttpResponse<String> answer = send(HttpRequest.newBuilder(
            URI.create(base + machinePath("m-1", token) + "/joboutputs/shutdown_message"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .PUT(BodyPublishers.ofString(text)).build());

    assertThat(answer.statusCode()).isEqualTo(201);
    assertThat(store.get("m-1").orElseThrow().shutdownCode()).isEqualTo(300);
  }

  @Test
  void credential_whenMachineIsEnding_isRefused() throws Exception {
    String ending = addMachine("m-9", "atlas", MachineState.TERMINATING);

    HttpResponse<String> answer = get(machinePath("m-9", ending) + "/credential");

    assertThat(answer.statusCode()).isEqualTo(410);
    assertThat(store.get("m-9").orElseThrow().credentialIssuedAt()).isNull();
  }

  @Test
  void quoted_escapesQuotesAndBackslashes_soGuestTextCannotForgeLogFields() {
    assertThat(GuestHandlers.quoted("ok\" injected=field \\"))
        .isEqualTo("ok\\\" injected=field \\\\");
  }

  /** Sends the path exactly as written: HTTP clients would normalise it first. */
  private void rawGet(String path) throws Exception {
    URI uri = URI.create(base);
    try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
      socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n"
          + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      socket.getInputStream().readAllBytes();
    }
  }

  private String addMachine(String id, String vo, MachineState state) {
    String secret = GuestTokens.newToken();
    tokens.add(secret);
    MachineRecord machine = MachineRecord.requested(
            id, vo, "sandbox", "img-1", SPEC, GuestTokens.hash(secret), STARTED.minusSeconds(30))
        .moveTo(MachineState.CREATING, STARTED, "create")
        .withCloudId("i-" + id, STARTED);
    if (state != MachineState.CREATING) {
      machine = machine.moveTo(state, NOW, "test");
    }
    store.insert(machine);
    return secret;
  }

  private static String machinePath(String id, String secret) {
    return "/machines/" + id + "/" + secret;
  }

  private HttpResponse<String> get(String path) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(base + path)).build());
  }

  private HttpResponse<String> put(String path, String body) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(base + path))
        .PUT(BodyPublishers.ofString(body)).build());
  }

  private HttpResponse<String> send(HttpRequest request) throws Exception {
    return http.send(request, BodyHandlers.ofString());
  }
}
