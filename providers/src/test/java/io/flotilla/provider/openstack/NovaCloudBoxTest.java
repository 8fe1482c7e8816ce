package io.flotilla.provider.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import io.flotilla.provider.CloudException;
import io.flotilla.provider.CloudException.Kind;
import io.flotilla.provider.CloudMachine;
import io.flotilla.provider.CloudState;
import io.flotilla.provider.MachineSpec;
import io.flotilla.provider.Tags;
import io.flotilla.provider.testing.FaultInjectingProxy;
import io.flotilla.provider.testing.FaultInjectingProxy.Outcome;
import io.flotilla.provider.testing.FaultInjectingProxy.Seen;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The provider against the real OpenStack box (Keystone, Nova with its fake driver, Glance);
 * faults the box cannot produce are injected by a loopback proxy in front of it.
 */
class NovaCloudBoxTest {

  @RegisterExtension
  static final OpenStackBoxExtension box = new OpenStackBoxExtension();

  private static final String SERVERS = "/v2\\.1/servers";
  private static final Duration SETTLE = Duration.ofSeconds(30);

  private final String run = "ft-" + UUID.randomUUID().toString().substring(0, 8) + "-";
  private NovaCloud cloud;

  @BeforeEach
  void connect() {
    cloud = cloud(box.passwordOptions(), new Properties());
  }

  @AfterEach
  void cleanUp() throws Exception {
    cloud.close();
    for (String id : box.client().serverIdsNamed(run)) {
      box.client().deleteServer(id);
    }
  }

  @Test
  void lifecycle_createDescribeListDestroy_followsTheServer() throws Exception {
    CloudMachine created = cloud.create(spec("life", new byte[0]));

    assertThat(created.cloudId()).matches("[0-9a-f-]{36}");
    assertThat(created.state()).isEqualTo(CloudState.PENDING);
    assertThat(created.machineId()).isEqualTo(run + "life");
    CloudMachine running = awaitState(created.cloudId(), m -> m.state() == CloudState.RUNNING);
    assertThat(running.rawState()).isEqualTo("ACTIVE");
    assertThat(running.tags()).containsEntry(Tags.SITE, "box-site")
        .containsEntry(Tags.VO, "vo1").containsEntry(Tags.MACHINE_ID, run + "life");
    assertThat(cloud.listTagged(Map.of("flotilla-run", run)))
        .extracting(CloudMachine::cloudId).containsExactly(created.cloudId());

    cloud.destroy(created.cloudId());

    awaitGone(created.cloudId());
    assertThat(cloud.listTagged(Map.of("flotilla-run", run))).isEmpty();
    cloud.destroy(created.cloudId());
  }

  @Test
  void create_requestsConfigDriveAndPutsTagsInServerMetadata() throws Exception {
    CloudMachine created = cloud.create(spec("cfg", new byte[0]));

    JsonObject server = box.client().server(created.cloudId(), "2.3").orElseThrow();

    assertThat(server.get("config_drive").getAsString()).isEqualToIgnoringCase("true");
    JsonObject metadata = server.getAsJsonObject("metadata");
    assertThat(metadata.get(Tags.MACHINE_ID).getAsString()).isEqualTo(run + "cfg");
    assertThat(metadata.get(Tags.SITE).getAsString()).isEqualTo("box-site");
    assertThat(metadata.get("guest-url").getAsString()).isEqualTo("https://127.0.0.1:8443/g");
  }

  @Test
  void create_userDataAtNovasLimit_isStoredByteForByte() throws Exception {
    byte[] userData = new byte[NovaCloud.MAX_USER_DATA_BYTES];
    for (int i = 0; i < userData.length; i++) {
      userData[i] = (byte) (i * 31 + 7); // every byte value, not valid UTF-8
    }

    CloudMachine created = cloud.create(spec("ud", userData));

    JsonObject server = box.client().server(created.cloudId(), "2.3").orElseThrow();
    byte[] stored = Base64.getDecoder()
        .decode(server.get("OS-EXT-SRV-ATTR:user_data").getAsString());
    assertThat(stored).isEqualTo(userData);
  }

  @Test
  void create_withImageAndFlavourNames_bootsTheNamedOnes() throws Exception {
    MachineSpec byName = new MachineSpec(run + "names", OpenStackBoxExtension.IMAGE_NAME,
        OpenStackBoxExtension.FLAVOUR_NAME, new byte[0], Map.of("flotilla-run", run));

    CloudMachine created = cloud.create(byName);

    JsonObject server = box.client().server(created.cloudId(), "2.1").orElseThrow();
    assertThat(server.getAsJsonObject("image").get("id").getAsString())
        .isEqualTo(box.imageId());
    assertThat(server.getAsJsonObject("flavor").get("id").getAsString())
        .isEqualTo(box.flavourId());
  }

  @Test
  void create_withUnknownFlavour_isInvalidAndMakesNothing() throws Exception {
    MachineSpec unknown = new MachineSpec(run + "noflv", box.imageId(), "no-such-flavour",
        new byte[0], Map.of("flotilla-run", run));

    assertThatThrownBy(() -> cloud.create(unknown))
        .isInstanceOfSatisfying(CloudException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_REQUEST))
        .hasMessageContaining("flavour 'no-such-flavour': no flavour has this id or name");
    assertThat(box.client().serverIdsNamed(run)).isEmpty();
  }

  @Test
  void create_oneByteAboveNovasLimit_isRefusedBeforeAnyCall() throws Exception {
    try (FaultInjectingProxy proxy = proxy(); NovaCloud proxied = proxiedCloud(proxy)) {
      MachineSpec tooBig = spec("big", new byte[NovaCloud.MAX_USER_DATA_BYTES + 1]);

      assertThatThrownBy(() -> proxied.create(tooBig))
          .isInstanceOfSatisfying(CloudException.class,
              e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_REQUEST))
          .hasMessageContaining("refused before any call")
          .hasMessageContaining("49150 bytes");
      assertThat(proxy.seen()).isEmpty();
    }
  }

  @Test
  void applicationCredential_authenticatesAndManagesServers() throws Exception {
    OpenStackBoxClient.ApplicationCredential credential =
        box.client().createApplicationCredential(run + "appcred");
    Path secretFile = Files.createTempFile("appcred-", ".txt");
    try (FaultInjectingProxy proxy = proxy()) {
      Files.writeString(secretFile, credential.secret());
      Map<String, Object> options = Map.of("endpoint", box.keystone().toString(),
          "region", box.region(), "application_credential_id", credential.id(),
          "application_credential_secret_file", secretFile.toString());
      try (NovaCloud appCloud = cloud(options, proxyProperties(proxy))) {
        CloudMachine created = appCloud.create(spec("app", new byte[0]));

        assertThat(appCloud.describe(created.cloudId())).isPresent();
        appCloud.destroy(created.cloudId());
      }
      Seen login = proxy.seen("POST", "/v3/auth/tokens").get(0);
      assertThat(login.bodyText()).contains("\"application_credential\"")
          .doesNotContain("password");
    } finally {
      Files.deleteIfExists(secretFile);
      box.client().deleteApplicationCredential(credential.id());
    }
  }

  @Test
  void applicationCredential_wrongSecret_isAuth() throws Exception {
    OpenStackBoxClient.ApplicationCredential credential =
        box.client().createApplicationCredential(run + "badcred");
    try {
      OpenStackOptions options = OpenStackOptions.fromMap(Map.of(
          "endpoint", box.keystone().toString(), "region", box.region(),
          "application_credential_id", credential.id(),
          "application_credential_secret_env", "UNUSED_SECRET"));
      try (NovaCloud wrong = new NovaCloud("box", options, "not-the-secret",
          Clock.systemUTC(), new Properties())) {
        assertThatThrownBy(() -> wrong.listTagged(Map.of()))
            .isInstanceOfSatisfying(CloudException.class,
                e -> assertThat(e.kind()).isEqualTo(Kind.AUTH))
            .hasMessageNotContaining("not-the-secret");
      }
    } finally {
      box.client().deleteApplicationCredential(credential.id());
    }
  }

  @Test
  void create_whenNovaAnswers429_isThrottledWithRetryAfterAndNotRetried() throws Exception {
    try (FaultInjectingProxy proxy = proxy(); NovaCloud proxied = proxiedCloud(proxy)) {
      proxy.respond("POST", SERVERS, 1, 429, Map.of("Retry-After", "7"),
          "{\"overLimit\": {\"code\": 429, \"message\": \"Rate limit exceeded\"}}");

      assertThatThrownBy(() -> proxied.create(spec("thr", new byte[0])))
          .isInstanceOfSatisfying(CloudException.class, e -> {
            assertThat(e.kind()).isEqualTo(Kind.THROTTLED);
            assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(7));
          })
          .hasMessageContaining("HTTP 429: Rate limit exceeded");
      assertThat(proxy.seen("POST", SERVERS)).hasSize(1);
      assertThat(box.client().serverIdsNamed(run)).isEmpty();
    }
  }

  @Test
  void create_whenNovaRefusesQuota_isQuotaExceededNamingTheResource() throws Exception {
    try (FaultInjectingProxy proxy = proxy(); NovaCloud proxied = proxiedCloud(proxy)) {
      proxy.respond("POST", SERVERS, 1, 403, Map.of("Content-Type", "application/json"),
          "{\"forbidden\": {\"code\": 403, \"message\": \"Quota exceeded for instances: "
              + "Requested 1, but already used 10 of 10 instances\"}}");

      assertThatThrownBy(() -> proxied.create(spec("quota", new byte[0])))
          .isInstanceOfSatisfying(CloudException.class, e -> {
            assertThat(e.kind()).isEqualTo(Kind.QUOTA_EXCEEDED);
            assertThat(e.resource()).isEqualTo("instances");
          });
    }
  }

  @Test
  void create_whenTheAnswerIsLost_findsTheServerByMetadataAndMakesNoSecond() throws Exception {
    try (FaultInjectingProxy proxy = proxy(); NovaCloud proxied = proxiedCloud(proxy)) {
      proxy.dropAnswers("POST", SERVERS, 1);

      CloudMachine found = proxied.create(spec("lost", new byte[0]));

      assertThat(found.machineId()).isEqualTo(run + "lost");
      assertThat(box.client().serverIdsNamed(run)).containsExactly(found.cloudId());
      assertThat(proxy.seen("POST", SERVERS)).extracting(Seen::outcome)
          .containsExactly(Outcome.DROPPED);
    }
  }

  @Test
  void create_whenNovaMadeTheServerButAnswered500_isNotResentAndFindsIt() throws Exception {
    try (FaultInjectingProxy proxy = proxy(); NovaCloud proxied = proxiedCloud(proxy)) {
      proxy.replaceAnswers("POST", SERVERS, 1, 500, Map.of("Content-Type", "application/json"),
          "{\"computeFault\": {\"code\": 500, \"message\": \"Unexpected API Error.\"}}");

      CloudMachine found = proxied.create(spec("err", new byte[0]));

      assertThat(found.machineId()).isEqualTo(run + "err");
      assertThat(proxy.seen("POST", SERVERS)).extracting(Seen::outcome)
          .containsExactly(Outcome.REPLACED);
      assertThat(box.client().serverIdsNamed(run)).containsExactly(found.cloudId());
    }
  }

  @Test
  void describe_whenTaskStateIsDeleting_isStoppingWithRawStatusAndTask() throws Exception {
    CloudMachine created = cloud.create(spec("task", new byte[0]));
    try (FaultInjectingProxy proxy = proxy(); NovaCloud proxied = proxiedCloud(proxy)) {
      String body = Files.readString(Path.of(getClass()
          .getResource("/openstack/server_active_deleting.json").toURI()));
      proxy.respond("GET", SERVERS + "/" + created.cloudId(), 1, 200,
          Map.of("Content-Type", "application/json"), body);

      Optional<CloudMachine> seen = proxied.describe(created.cloudId());

      assertThat(seen).get().satisfies(machine -> {
        assertThat(machine.state()).isEqualTo(CloudState.STOPPING);
        assertThat(machine.rawState()).isEqualTo("ACTIVE/deleting");
      });
    }
  }

  @Test
  void describe_whenNovaKeepsFailing_isTransientAfterFewRetries() throws Exception {
    try (FaultInjectingProxy proxy = proxy(); NovaCloud proxied = proxiedCloud(proxy)) {
      String id = UUID.randomUUID().toString();
      proxy.respond("GET", SERVERS + "/" + id, 10, 500, Map.of(),
          "{\"computeFault\": {\"code\": 500, \"message\": \"Unexpected API Error.\"}}");

      assertThatThrownBy(() -> proxied.describe(id))
          .isInstanceOfSatisfying(CloudException.class,
              e -> assertThat(e.kind()).isEqualTo(Kind.TRANSIENT))
          .hasMessageContaining("HTTP 500: Unexpected API Error.");
      assertThat(proxy.seen("GET", SERVERS + "/" + id))
          .hasSize(1 + NovaCloud.JCLOUDS_MAX_RETRIES);
    }
  }

  @Test
  void describe_unknownServer_isEmptyAndDestroyOfItSucceeds() {
    String id = UUID.randomUUID().toString();

    assertThat(cloud.describe(id)).isEmpty();
    cloud.destroy(id);
  }

  private MachineSpec spec(String name, byte[] userData) {
    return new MachineSpec(run + name, box.imageId(), box.flavourId(), userData, Map.of(
        Tags.SITE, "box-site", Tags.VO, "vo1", "flotilla-run", run,
        "guest-url", "https://127.0.0.1:8443/g"));
  }

  private static NovaCloud cloud(Map<String, Object> optionMap, Properties jclouds) {
    OpenStackOptions options = OpenStackOptions.fromMap(optionMap);
    return new NovaCloud("box", options, options.auth().secret().read(System::getenv),
        Clock.systemUTC(), jclouds);
  }

  private static FaultInjectingProxy proxy() throws IOException {
    return new FaultInjectingProxy(Set.of(box.keystone().getPort(),
        box.client().novaUrl().getPort()));
  }

  private static NovaCloud proxiedCloud(FaultInjectingProxy proxy) {
    return cloud(box.passwordOptions(), proxyProperties(proxy));
  }

  private static Properties proxyProperties(FaultInjectingProxy proxy) {
    Properties properties = new Properties();
    properties.setProperty("jclouds.proxy-host", "127.0.0.1");
    properties.setProperty("jclouds.proxy-port", Integer.toString(proxy.port()));
    return properties;
  }

  private CloudMachine awaitState(String cloudId, Predicate<CloudMachine> wanted)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(SETTLE);
    CloudMachine last = null;
    while (Instant.now().isBefore(deadline)) {
      last = cloud.describe(cloudId).orElse(null);
      if (last != null && wanted.test(last)) {
        return last;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("server " + cloudId + " did not reach the wanted state within "
        + SETTLE + "; last seen " + last);
  }

  private void awaitGone(String cloudId) throws InterruptedException {
    Instant deadline = Instant.now().plus(SETTLE);
    while (Instant.now().isBefore(deadline)) {
      Optional<CloudMachine> seen = cloud.describe(cloudId);
      if (seen.isEmpty() || seen.get().state() == CloudState.GONE) {
        return;
      }
      assertThat(seen.get().state()).isIn(CloudState.STOPPING, CloudState.RUNNING);
      Thread.sleep(250);
    }
    throw new AssertionError("server " + cloudId + " still exists after " + SETTLE);
  }
}
