package io.flotilla.provider.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import io.flotilla.provider.CloudException;
import io.flotilla.provider.CloudException.Kind;
import io.flotilla.provider.CloudMachine;
import io.flotilla.provider.CloudState;
import io.flotilla.provider.ImageFile;
import io.flotilla.provider.MachineSpec;
import io.flotilla.provider.Tags;
import io.flotilla.provider.testing.FaultInjectingProxy;
import io.flotilla.provider.testing.FaultInjectingProxy.Outcome;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Image delivery to the real Glance of the OpenStack box: small qcow2 and raw files made
 * by {@code qemu-img} (and plain bytes), uploaded, checked, booted from and removed; faults
 * (an upload broken off mid-stream, a lost answer, a record that does not match the file)
 * come from a loopback proxy in front of Keystone, Nova and Glance.
 */
class GlanceDeliveryBoxTest {

  @RegisterExtension
  static final OpenStackBoxExtension box = new OpenStackBoxExtension();

  private static final String IMAGE_FILE = "/v2/images/[0-9a-f-]{36}/file";
  private static final String IMAGE = "/v2/images/[0-9a-f-]{36}";
  private static final Duration SETTLE = Duration.ofSeconds(30);

  @TempDir
  static Path files;
  private static ImageFile qcow2;

  private final String run = "fg-" + UUID.randomUUID().toString().substring(0, 8) + "-";
  private NovaCloud cloud;
  private FaultInjectingProxy proxy;

  @BeforeAll
  static void makeImage() throws Exception {
    qcow2 = qemuImage("disk.qcow2", "qcow2", 3);
  }

  @AfterEach
  void cleanUp() throws Exception {
    if (cloud != null) {
      cloud.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    for (String suffix : new String[] {"img", "cut", "lost", "wrong", "raw", "twice"}) {
      for (String id : box.client().imageIdsNamed(run + suffix)) {
        box.client().deleteImage(id);
      }
    }
    for (String id : box.client().serverIdsNamed(run)) {
      box.client().deleteServer(id);
    }
  }

  @Test
  void deliver_qcow2_storesPrivateActiveImageThatNovaBootsAndRemoveDeletesIt()
      throws Exception {
    cloud = cloud(new Properties());
    Map<String, String> properties = Map.of("flotilla_image_id", "img-1",
        "flotilla_image_version", "1.0", "flotilla_file_sha512", qcow2.sha512());

    String id = cloud.deliver(qcow2, run + "img", properties);

    JsonObject image = box.client().image(id).orElseThrow();
    assertThat(image.get("status").getAsString()).isEqualTo("active");
    assertThat(image.get("visibility").getAsString()).isEqualTo("private");
    assertThat(image.get("disk_format").getAsString()).isEqualTo("qcow2");
    assertThat(image.get("container_format").getAsString()).isEqualTo("bare");
    assertThat(image.get("size").getAsLong()).isEqualTo(qcow2.size());
    assertThat(image.get("os_hash_value").getAsString()).isEqualTo(qcow2.sha512());
    assertThat(image.get("flotilla_image_id").getAsString()).isEqualTo("img-1");
    assertThat(image.get("flotilla_image_version").getAsString()).isEqualTo("1.0");
    CloudMachine server = cloud.create(new MachineSpec(run + "boot", id, box.flavourId(),
        new byte[] {1}, Map.of(Tags.SITE, "glance-site")));
    awaitRunning(server.cloudId());
    assertThat(box.client().server(server.cloudId(), "2.1").orElseThrow()
        .getAsJsonObject("image").get("id").getAsString()).isEqualTo(id);
    cloud.destroy(server.cloudId());

    cloud.remove(id);

    assertThat(box.client().image(id)).isEmpty();
    cloud.remove(id);
  }

  @Test
  void deliver_raw_isStoredAsRaw() throws Exception {
    cloud = cloud(new Properties());
    ImageFile raw = qemuImage("disk.raw", "raw", 2);

    String id = cloud.deliver(raw, run + "raw", Map.of());

    JsonObject image = box.client().image(id).orElseThrow();
    assertThat(image.get("disk_format").getAsString()).isEqualTo("raw");
    assertThat(image.get("size").getAsLong()).isEqualTo(2L << 20);
    cloud.remove(id);
  }

  @Test
  void deliver_sameNameAgain_reusesTheActiveImage() throws Exception {
    cloud = cloud(new Properties());
    String first = cloud.deliver(qcow2, run + "twice", Map.of());

    String second = cloud.deliver(qcow2, run + "twice", Map.of());

    assertThat(second).isEqualTo(first);
    assertThat(box.client().imageIdsNamed(run + "twice")).containsExactly(first);
  }

  @Test
  void deliver_whenUploadBreaksOffMidStream_failsTransientAndLeavesNoImage() throws Exception {
    proxy = proxy();
    proxy.cutBodies("PUT", IMAGE_FILE, 1, 256 * 1024);
    cloud = cloud(proxyProperties(proxy));

    assertThatThrownBy(() -> cloud.deliver(qcow2, run + "cut", Map.of()))
        .isInstanceOfSatisfying(CloudException.class, e -> {
          assertThat(e.kind()).isEqualTo(Kind.TRANSIENT);
          assertThat(e.getMessage()).startsWith("openstack cloud box: upload of "
              + qcow2.size() + " bytes to image ").contains("no answer from");
        });

    assertThat(proxy.seen("PUT", IMAGE_FILE)).extracting(FaultInjectingProxy.Seen::outcome)
        .containsExactly(Outcome.CUT);
    assertThat(proxy.seen("DELETE", IMAGE)).hasSize(1);
    assertThat(box.client().imageIdsNamed(run + "cut")).isEmpty();
  }

  @Test
  void deliver_whenUploadAnswerIsLost_deletesTheStoredImage() throws Exception {
    proxy = proxy();
    proxy.dropAnswers("PUT", IMAGE_FILE, 1);
    cloud = cloud(proxyProperties(proxy));

    assertThatThrownBy(() -> cloud.deliver(qcow2, run + "lost", Map.of()))
        .isInstanceOfSatisfying(CloudException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.TRANSIENT));

    assertThat(box.client().imageIdsNamed(run + "lost")).isEmpty();
  }

  @Test
  void deliver_whenGlanceReportsAnotherHash_failsAndDeletesTheImage() throws Exception {
    proxy = proxy();
    cloud = cloud(proxyProperties(proxy));
    proxy.replaceAnswers("GET", IMAGE, 1, 200, Map.of("Content-Type", "application/json"),
        "{\"status\": \"active\", \"size\": " + qcow2.size() + ", \"os_hash_algo\": "
            + "\"sha512\", \"os_hash_value\": \"" + "0".repeat(128) + "\"}");

    assertThatThrownBy(() -> cloud.deliver(qcow2, run + "wrong", Map.of()))
        .isInstanceOfSatisfying(CloudException.class, e -> assertThat(e.getMessage())
            .contains("is not the file uploaded: Glance reports SHA-512 " + "0".repeat(128)));

    assertThat(box.client().imageIdsNamed(run + "wrong")).isEmpty();
  }

  @Test
  void deliver_refusedInputs_failBeforeAnyCall() throws Exception {
    proxy = proxy();
    cloud = cloud(proxyProperties(proxy));
    ImageFile vmdk = new ImageFile(qcow2.path(), "vmdk", qcow2.size(), qcow2.sha512());
    ImageFile wrongSize = new ImageFile(qcow2.path(), "qcow2", 5, qcow2.sha512());

    assertThatThrownBy(() -> cloud.deliver(vmdk, run + "img", Map.of()))
        .hasMessageContaining("disk format 'vmdk' is not one of");
    assertThatThrownBy(() -> cloud.deliver(wrongSize, run + "img", Map.of()))
        .hasMessageContaining("has " + qcow2.size() + " bytes, expected 5");
    assertThatThrownBy(() -> cloud.deliver(qcow2, run + "img", Map.of("size", "1")))
        .hasMessageContaining("property key 'size' is one of Glance's own attributes");
    assertThatThrownBy(() -> cloud.deliver(qcow2, run + "img", Map.of("a b", "1")))
        .hasMessageContaining("property key 'a b' must be");
    assertThatThrownBy(() -> cloud.remove("../images"))
        .hasMessageContaining("is not a Glance image id");

    assertThat(proxy.seen()).isEmpty();
  }

  private void awaitRunning(String cloudId) throws InterruptedException {
    Instant deadline = Instant.now().plus(SETTLE);
    CloudMachine last = null;
    while (Instant.now().isBefore(deadline)) {
      last = cloud.describe(cloudId).orElse(null);
      if (last != null && last.state() == CloudState.RUNNING) {
        return;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("server " + cloudId + " not running after " + SETTLE + ": " + last);
  }

  /**
   * A disk image made by qemu-img from {@code mib} MiB of random bytes, so its file is about
   * that long in either format; skipped when qemu-img is missing (failed when CI=true).
   */
  static ImageFile qemuImage(String name, String format, int mib) throws Exception {
    Path raw = files.resolve(name + ".src");
    byte[] content = new byte[mib << 20];
    new Random(mib).nextBytes(content);
    Files.write(raw, content);
    Path file = files.resolve(name);
    qemuImg("convert", "-q", "-f", "raw", "-O", format, raw.toString(), file.toString());
    return new ImageFile(file, format, Files.size(file), sha512(file));
  }

  private static void qemuImg(String... arguments) throws Exception {
    List<String> command = new ArrayList<>(List.of("qemu-img"));
    command.addAll(List.of(arguments));
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      String message = "qemu-img is not installed (apt-get install qemu-utils)";
      if ("true".equals(System.getenv("CI"))) {
        Assertions.fail("CI=true but " + message, e);
      }
      Assumptions.abort(message);
      return;
    }
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
  }

  static String sha512(Path file) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-512");
    try (InputStream in = Files.newInputStream(file)) {
      digest.update(in.readAllBytes());
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static NovaCloud cloud(Properties jclouds) {
    OpenStackOptions options = OpenStackOptions.fromMap(box.passwordOptions());
    return new NovaCloud("box", options, box.password(), Clock.systemUTC(), jclouds);
  }

  private static FaultInjectingProxy proxy() throws IOException {
    return new FaultInjectingProxy(Set.of(box.keystone().getPort(),
        box.client().novaUrl().getPort(), box.client().glanceUrl().getPort()));
  }

  private static Properties proxyProperties(FaultInjectingProxy proxy) {
    Properties properties = new Properties();
    properties.setProperty("jclouds.proxy-host", "127.0.0.1");
    properties.setProperty("jclouds.proxy-port", Integer.toString(proxy.port()));
    return properties;
  }
}
