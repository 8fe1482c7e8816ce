package io.flotilla.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpServer;
import io.flotilla.cli.FlotillaCommand;
import io.flotilla.config.SiteConfig;
import io.flotilla.config.SiteConfigLoader;
import io.flotilla.emulator.EmulatorCounters;
import io.flotilla.state.MachineRecord;
import io.flotilla.state.MachineState;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole site on the real OpenStack box, in process, as {@code ./flotilla run} runs it: an
 * image list made and signed here endorses a small qcow2 served on loopback; the manager
 * downloads and checks it, delivers it to Glance, boots Nova servers from the delivered
 * image, plays each running server as a guest from the user-data Nova hands back
 * ({@code NovaGuestHost}), powers guests off with os-stop, drains and deletes everything.
 */
class OpenStackEndToEndTest {

  private static final String LIST_ID = "5d1a5a6e-7d0f-4c55-9b0e-3a4f5e6d7c8b";

  @TempDir static Path dir;
  static OpenStackBox box;
  static HttpServer images;
  static final AtomicInteger downloads = new AtomicInteger();
  static String site;
  static String imageId;
  static RunSummary summary;
  static List<MachineRecord> machines;
  static EmulatorCounters guests;
  static List<String> leftInNova;
  static List<JsonObject> inGlance;
  static Map<String, String> bootedFrom;

  @BeforeAll
  static void runSite() throws Exception {
    box = OpenStackBox.require();
    site = "E2E-OS-" + UUID.randomUUID().toString().substring(0, 8);
    Path disk = qcow2(dir.resolve("images/e2e-disk.qcow2"));
    images = serve(disk);
    SiteConfig config = SiteConfigLoader.load(writeSite(disk));
    SiteRun run = new SiteRun(config, Clock.systemUTC());
    summary = run.run(Duration.ofSeconds(14));
    machines = run.finalRecords();
    guests = run.emulatorCounters();
    leftInNova = box.liveServersOfSite(site);
    inGlance = box.imagesOf(imageId);
    bootedFrom = box.deletedServerImages();
  }

  @AfterAll
  static void cleanUp() throws Exception {
    if (images != null) {
      images.stop(0);
    }
    if (box != null && imageId != null) {
      for (JsonObject image : box.imagesOf(imageId)) {
        box.deleteImage(image.get("id").getAsString());
      }
    }
  }

  @Test
  void run_endsClean_everyMachineGoneAndNoServerLeftInNova() {
    assertThat(summary.clean()).isTrue();
    assertThat(summary.leftRunning()).isZero();
    assertThat(summary.unfinished()).isZero();
    assertThat(machines).hasSizeGreaterThanOrEqualTo(3)
        .allSatisfy(m -> assertThat(m.state()).as(m.id()).isEqualTo(MachineState.GONE));
    assertThat(leftInNova).isEmpty();
  }

  @Test
  void image_deliveredToGlanceOnceAndEveryServerBootedFromIt() {
    assertThat(downloads.get()).isEqualTo(1);
    assertThat(inGlance).hasSize(1);
    JsonObject image = inGlance.get(0);
    assertThat(image.get("status").getAsString()).isEqualTo("active");
    assertThat(image.get("visibility").getAsString()).isEqualTo("private");
    assertThat(image.get("disk_format").getAsString()).isEqualTo("qcow2");
    String glanceId = image.get("id").getAsString();
    assertThat(machines).allSatisfy(m -> assertThat(bootedFrom.get(m.cloudId()))
        .as("image of server " + m.cloudId()).isEqualTo(glanceId));
  }

  @Test
  void guests_playedFromTheUserDataNovaHandedBack() {
    long contacted = machines.stream().filter(m -> m.credentialIssuedAt() != null).count();
    assertThat(contacted).isGreaterThanOrEqualTo(3);
    assertThat(guests.credentialsFetched()).isEqualTo(contacted);
    assertThat(guests.unreadableUserData()).isZero();
    assertThat(guests.powerOffs()).as("guests stopped through os-stop").isPositive();
    assertThat(machines).filteredOn(OpenStackEndToEndTest::contactedBeforeTermination)
        .hasSizeGreaterThanOrEqualTo(3)
        .allSatisfy(m -> assertThat(m.statePath()).as(m.id()).contains(MachineState.RUNNING));
  }

  /**
   * Whether the guest fetched its credential before the manager began deleting the server.
   * Nova deletes a server a few seconds after it is asked, and a guest booting meanwhile
   * may still fetch its credential; such a machine never passes RUNNING.
   */
  private static boolean contactedBeforeTermination(MachineRecord machine) {
    if (machine.credentialIssuedAt() == null) {
      return false;
    }
    return machine.history().stream()
        .filter(transition -> transition.to() == MachineState.TERMINATING)
        .allMatch(transition -> machine.credentialIssuedAt().isBefore(transition.at()));
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
      assertThat(record.get("cloud").asText()).isEqualTo("box");
      assertThat(record.get("image_id").asText()).isEqualTo(imageId);
      assertThat(record.get("cloud_id").asText()).matches("[0-9a-f-]{36}");
    }
    assertThat(ids).hasSize(machines.size());
  }

  private static Path writeSite(Path disk) throws Exception {
    Path examples = Path.of("..", "examples").toAbsolutePath().normalize();
    exec(examples.resolve("pki/make-pki.sh").toString(), dir.resolve("pki").toString(),
        "atlas");
    Path list = dir.resolve("imagelist.json");
    int status = FlotillaCommand.commandLine().execute("imagelist", "new",
        "--endorser-dn", "/DC=XXX/DC=YYY/C=ZZ/O=Hosts/O=AA.net/CN=some.unknown.source",
        "--endorser-ca", "/DC=XXX/DC=YYY/CN=SOME TEST CA", "--title", "e2e list",
        "--uri", "http://127.0.0.1/e2e/imagelist.signed", "--identifier", LIST_ID,
        "--image-base-uri", "http://127.0.0.1:" + images.getAddress().getPort() + "/images",
        "-o", list.toString(), disk.toString());
    assertThat(status).isZero();
    imageId = new ObjectMapper().readTree(list.toFile()).at("/hv:imagelist/hv:images/0/hv:image"
        + "/dc:identifier").asText();
    exec(examples.resolve("pki/sign-imagelist.sh").toString(), dir.resolve("pki").toString(),
        list.toString(), dir.resolve("imagelist.signed").toString());
    Files.createDirectories(dir.resolve("openstack"));
    Files.writeString(dir.resolve("openstack/password"), box.get("OS_PASSWORD") + "\n");
    int port = freePort();
    String yaml = Files.readString(Path.of("src/test/resources/e2e/openstack-site.yaml"))
        .replace("SITE_NAME", site)
        .replace("GUEST_PORT", Integer.toString(port))
        .replace("CLUSTER_NAME", "e2e-openstack-" + UUID.randomUUID())
        .replace("KEYSTONE", box.keystone())
        .replace("REGION", box.get("OS_REGION_NAME"))
        .replace("USERNAME", box.get("OS_USERNAME"))
        .replace("USER_DOMAIN", box.get("OS_USER_DOMAIN_NAME"))
        .replace("PROJECT_DOMAIN", box.get("OS_PROJECT_DOMAIN_NAME"))
        .replace("PROJECT", box.get("OS_PROJECT_NAME"))
        .replace("IMAGE_ID", imageId)
        .replace("FLAVOUR", box.ensureFlavour("flotilla-e2e-flv"));
    Path siteFile = dir.resolve("site.yaml");
    Files.writeString(siteFile, yaml);
    return siteFile;
  }

  /** 2 MiB of random bytes as a qcow2 file made by qemu-img (skipped without it). */
  private static Path qcow2(Path target) throws Exception {
    Files.createDirectories(target.getParent());
    Path raw = dir.resolve("e2e-disk.raw");
    byte[] content = new byte[2 << 20];
    new Random(3).nextBytes(content);
    Files.write(raw, content);
    try {
      exec("qemu-img", "convert", "-q", "-f", "raw", "-O", "qcow2", raw.toString(),
          target.toString());
    } catch (IOException e) {
      String message = "qemu-img is not installed (apt-get install qemu-utils)";
      if ("true".equals(System.getenv("CI"))) {
        Assertions.fail("CI=true but " + message, e);
      }
      Assumptions.abort(message);
    }
    return target;
  }

  /** Serves the disk at /images/NAME on a free 127.0.0.1 port, counting downloads. */
  private static HttpServer serve(Path disk) throws IOException {
    HttpServer server = HttpServer.create(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    byte[] bytes = Files.readAllBytes(disk);
    server.createContext("/images/" + disk.getFileName(), exchange -> {
      downloads.incrementAndGet();
      exchange.sendResponseHeaders(200, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    });
    server.start();
    return server;
  }

  private static void exec(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(String.join(" ", command) + "\n" + output).isZero();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
