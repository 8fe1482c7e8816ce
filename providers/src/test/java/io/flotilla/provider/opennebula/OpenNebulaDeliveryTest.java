package io.flotilla.provider.opennebula;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flotilla.provider.CloudException;
import io.flotilla.provider.CloudException.Kind;
import io.flotilla.provider.ImageFile;
import io.flotilla.provider.MachineSpec;
import io.flotilla.provider.Tags;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenNebulaDeliveryTest {

  private static final String USER = "flotilla";
  private static final String PASSWORD = "s3cret-Pw";
  private static final String BASE_URL = "https://manager.example:8397/images/";
  private static final Map<String, String> PROPERTIES = Map.of(
      "flotilla_image_id", "c0482bc2-bf41-5d49-aaaa-a750174a186b",
      "flotilla_endorsed_sha512", "ab12",
      "flotilla_image_title", "CernVM 4 \"prod\"");

  @TempDir
  Path dir;

  private OpenNebulaSimulator simulator;
  private OpenNebulaCloud cloud;

  @AfterEach
  void stop() {
    if (cloud != null) {
      cloud.close();
    }
    if (simulator != null) {
      simulator.close();
    }
  }

  private OpenNebulaCloud start(Map<String, Object> extra, Duration readyWait) {
    simulator = OpenNebulaSimulator.start("6.10.0", USER, PASSWORD);
    simulator.stepEvery(Duration.ofMillis(20));
    cloud = new OpenNebulaCloud("one-test", OpenNebulaOptions.fromMap(options(extra)),
        name -> name.equals("ONE_PW") ? PASSWORD : null, readyWait);
    return cloud;
  }

  private OpenNebulaCloud startWithBaseUrl() {
    return start(Map.of("image_datastore_id", 1, "image_base_url", BASE_URL),
        Duration.ofSeconds(3));
  }

  private Map<String, Object> options(Map<String, Object> extra) {
    Map<String, Object> options = new HashMap<>();
    options.put("endpoint", simulator == null ? "http://127.0.0.1:2633/RPC2"
        : simulator.endpoint().toString());
    options.put("username", USER);
    options.put("password_env", "ONE_PW");
    options.put("cpu", 0.5);
    options.put("memory_mb", 512);
    options.put("call_timeout_seconds", 2);
    options.putAll(extra);
    return options;
  }

  private ImageFile file(String name, String content) throws Exception {
    Path path = dir.resolve(name);
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    Files.write(path, bytes);
    String sha512 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512")
        .digest(bytes));
    return new ImageFile(path, "qcow2", bytes.length, sha512);
  }

  private long allocations() {
    return simulator.methods().stream().filter("one.image.allocate"::equals).count();
  }

  @Test
  void deliver_whenImageBecomesReady_returnsIdWithPathAndTagsInTemplate() throws Exception {
    startWithBaseUrl();
    ImageFile image = file("key 1.qcow2", "disk bytes");

    String id = cloud.deliver(image, "flotilla-key-1", PROPERTIES);

    OpenNebulaSimulator.SimImage stored = simulator.image(Integer.parseInt(id));
    assertThat(stored.state()).isEqualTo(OneImages.READY);
    assertThat(stored.name).isEqualTo("flotilla-key-1");
    assertThat(stored.datastore).isEqualTo(1);
    assertThat(stored.template)
        .containsEntry("PATH", BASE_URL + "key%201.qcow2")
        .containsEntry("TYPE", "OS")
        .containsEntry("PERSISTENT", "NO")
        .containsEntry("DRIVER", "qcow2")
        .containsEntry("FORMAT", "qcow2")
        .containsEntry("FLOTILLA_SHA512", image.sha512())
        .containsEntry("FLOTILLA_IMAGE_ID", "c0482bc2-bf41-5d49-aaaa-a750174a186b")
        .containsEntry("FLOTILLA_IMAGE_TITLE", "CernVM 4 \"prod\"")
        .containsKey("DESCRIPTION");
    assertThat(simulator.methods()).contains("one.image.info");
  }

  @Test
  void create_withDeliveredImageId_bootsFromItsDisk() throws Exception {
    startWithBaseUrl();
    String id = cloud.deliver(file("k.qcow2", "disk"), "flotilla-k", PROPERTIES);

    cloud.create(new MachineSpec("m-1", id, "ignored", new byte[0],
        Map.of(Tags.MACHINE_ID, "m-1")));

    assertThat(simulator.rawTemplates().get(0)).contains("IMAGE_ID = \"" + id + "\"");
  }

  @Test
  void create_withRemovedImage_isRefusedBySimulator() throws Exception {
    startWithBaseUrl();
    String id = cloud.deliver(file("k.qcow2", "disk"), "flotilla-k", PROPERTIES);
    cloud.remove(id);

    assertThatThrownBy(() -> cloud.create(new MachineSpec("m-1", id, "ignored", new byte[0],
        Map.of(Tags.MACHINE_ID, "m-1"))))
        .isInstanceOf(CloudException.class)
        .hasMessageContaining("Error getting image [" + id + "]");
  }

  @Test
  void deliver_withPathPrefix_pointsPathIntoTheSharedFolder() throws Exception {
    start(Map.of("image_datastore_id", 2, "image_path_prefix", "/var/lib/flotilla/ready/"),
        Duration.ofSeconds(3));

    String id = cloud.deliver(file("key2.raw", "raw disk"), "flotilla-key-2", Map.of());

    OpenNebulaSimulator.SimImage stored = simulator.image(Integer.parseInt(id));
    assertThat(stored.template).containsEntry("PATH", "/var/lib/flotilla/ready/key2.raw");
    assertThat(stored.datastore).isEqualTo(2);
  }

  @Test
  void deliver_whenImageEndsInError_deletesItAndFails() throws Exception {
    startWithBaseUrl();
    simulator.failNextImages(1, "Error copying image in the datastore: 404 Not Found");

    assertThatThrownBy(() -> cloud.deliver(file("k.qcow2", "disk"), "flotilla-k", PROPERTIES))
        .isInstanceOf(CloudException.class)
        .hasMessage("opennebula cloud one-test: image 100 did not become READY: state ERROR, "
            + "error: Error copying image in the datastore: 404 Not Found")
        .extracting(e -> ((CloudException) e).kind()).isEqualTo(Kind.TRANSIENT);
    assertThat(simulator.imageIds()).isEmpty();
    assertThat(simulator.methods()).contains("one.image.delete");
  }

  @Test
  void deliver_whenNeverReady_deletesItAfterTheWait() throws Exception {
    start(Map.of("image_datastore_id", 1, "image_base_url", BASE_URL),
        Duration.ofMillis(400));
    simulator.stickNextImages(1);
    long started = System.nanoTime();

    assertThatThrownBy(() -> cloud.deliver(file("k.qcow2", "disk"), "flotilla-k", PROPERTIES))
        .isInstanceOf(CloudException.class)
        .hasMessage("opennebula cloud one-test: image 100 not READY after 400 ms: "
            + "state LOCKED");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
    assertThat(simulator.imageIds()).isEmpty();
  }

  @Test
  void deliver_whenQuotaExhausted_failsWithImagesQuota() throws Exception {
    startWithBaseUrl();
    simulator.maxImages(0);

    assertThatThrownBy(() -> cloud.deliver(file("k.qcow2", "disk"), "flotilla-k", PROPERTIES))
        .isInstanceOfSatisfying(CloudException.class, e -> {
          assertThat(e.kind()).isEqualTo(Kind.QUOTA_EXCEEDED);
          assertThat(e.resource()).isEqualTo("images");
        });
    assertThat(simulator.imageIds()).isEmpty();
  }

  @Test
  void deliver_toUnknownDatastore_failsNotFound() throws Exception {
    start(Map.of("image_datastore_id", 77, "image_base_url", BASE_URL), Duration.ofSeconds(1));

    assertThatThrownBy(() -> cloud.deliver(file("k.qcow2", "disk"), "flotilla-k", PROPERTIES))
        .isInstanceOfSatisfying(CloudException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND))
        .hasMessageContaining("Error getting datastore [77]");
  }

  @Test
  void deliver_whenSameNameAndShaReady_reusesWithoutAllocating() throws Exception {
    startWithBaseUrl();
    ImageFile image = file("k.qcow2", "disk");
    String first = cloud.deliver(image, "flotilla-k", PROPERTIES);

    String second = cloud.deliver(image, "flotilla-k", PROPERTIES);

    assertThat(second).isEqualTo(first);
    assertThat(allocations()).isEqualTo(1);
  }

  @Test
  void deliver_whenEarlierDeliveryStillLocked_waitsForThatImage() throws Exception {
    startWithBaseUrl();
    simulator.imageReadySteps(10);
    ImageFile image = file("k.qcow2", "disk");
    // A manager that died right after its allocate call left this image copying.
    OneImages earlier = new OneImages("one-test", OpenNebulaOptions.fromMap(options(
        Map.of("image_datastore_id", 1, "image_base_url", BASE_URL))), (m, p) -> null,
        Duration.ZERO);
    Object left;
    try (XmlRpcClient client = new XmlRpcClient(simulator.endpoint(), Duration.ofSeconds(2),
        1 << 20)) {
      left = ((List<?>) client.call("one.image.allocate", List.of(USER + ":" + PASSWORD,
          earlier.template(image, "flotilla-k", PROPERTIES), 1))).get(1);
    }
    assertThat(simulator.image((Integer) left).state()).isEqualTo(OneImages.LOCKED);

    String id = cloud.deliver(image, "flotilla-k", PROPERTIES);

    assertThat(id).isEqualTo(left.toString());
    assertThat(simulator.image((Integer) left).state()).isEqualTo(OneImages.READY);
    assertThat(allocations()).isEqualTo(1);
  }

  @Test
  void deliver_whenSameNameHasOtherSha_replacesIt() throws Exception {
    startWithBaseUrl();
    String old = cloud.deliver(file("k.qcow2", "old disk"), "flotilla-k", PROPERTIES);

    String fresh = cloud.deliver(file("k.qcow2", "new disk"), "flotilla-k", PROPERTIES);

    assertThat(fresh).isNotEqualTo(old);
    assertThat(simulator.imageIds()).containsExactly(Integer.parseInt(fresh));
  }

  @Test
  void deliver_whenNameTakenByForeignImage_refusesAndKeepsIt() throws Exception {
    startWithBaseUrl();
    int foreign = simulator.addForeignImage("flotilla-k");

    assertThatThrownBy(() -> cloud.deliver(file("k.qcow2", "disk"), "flotilla-k", PROPERTIES))
        .isInstanceOfSatisfying(CloudException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_REQUEST))
        .hasMessageContaining("the name is taken by image " + foreign + " (state READY)");
    assertThat(simulator.imageIds()).containsExactly(foreign);
  }

  @Test
  void remove_twice_succeedsBothTimes() throws Exception {
    startWithBaseUrl();
    String id = cloud.deliver(file("k.qcow2", "disk"), "flotilla-k", PROPERTIES);

    cloud.remove(id);
    cloud.remove(id);

    assertThat(simulator.imageIds()).isEmpty();
    assertThat(simulator.methods().stream().filter("one.image.delete"::equals)).hasSize(2);
  }

  @Test
  void remove_ofNonNumericId_refusesBeforeAnyCall() {
    startWithBaseUrl();

    assertThatThrownBy(() -> cloud.remove("../7"))
        .isInstanceOf(CloudException.class)
        .hasMessage("opennebula cloud one-test: '../7' is not an OpenNebula image id (digits)");
    assertThat(simulator.methods()).isEmpty();
  }

  @Test
  void deliver_withoutDatastore_refusesNamingTheOption() throws Exception {
    start(Map.of(), Duration.ofSeconds(1));

    assertThatThrownBy(() -> cloud.deliver(file("k.qcow2", "disk"), "flotilla-k", PROPERTIES))
        .isInstanceOf(CloudException.class)
        .hasMessageContaining("set image_datastore_id and image_base_url or image_path_prefix");
    assertThat(simulator.methods()).isEmpty();
  }

  @Test
  void deliver_withReservedOrBadInput_refusesBeforeAnyCall() throws Exception {
    startWithBaseUrl();
    ImageFile image = file("k.qcow2", "disk");

    assertThatThrownBy(() -> cloud.deliver(image, "flotilla-k", Map.of("path", "/etc/shadow")))
        .hasMessageContaining("property key 'path' is the image attribute PATH");
    assertThatThrownBy(() -> cloud.deliver(image, "flotilla-k", Map.of("x", "ends in \\")))
        .hasMessageContaining("value ends with a backslash");
    assertThatThrownBy(() -> cloud.deliver(image, "bad\nname", Map.of()))
        .hasMessageContaining("the image name must be 1 to 128 characters");
    assertThatThrownBy(() -> cloud.deliver(new ImageFile(image.path(), "vmdk", image.size(),
        image.sha512()), "flotilla-k", Map.of()))
        .hasMessageContaining("disk format 'vmdk' is not one of");
    assertThatThrownBy(() -> cloud.deliver(new ImageFile(image.path(), "qcow2", 99,
        image.sha512()), "flotilla-k", Map.of()))
        .hasMessageContaining("has 4 bytes, expected 99");
    assertThat(simulator.methods()).isEmpty();
  }

  @Test
  void options_forDelivery_areValidatedNamingTheOption() {
    List<Map<String, Object>> refused = List.of(
        Map.of("image_datastore_id", 1),
        Map.of("image_datastore_id", 1, "image_base_url", BASE_URL,
            "image_path_prefix", "/srv/"),
        Map.of("image_base_url", BASE_URL),
        Map.of("image_path_prefix", "/srv/"),
        Map.of("image_datastore_id", -1, "image_base_url", BASE_URL),
        Map.of("image_datastore_id", 1, "image_base_url", "https://m.example/images"),
        Map.of("image_datastore_id", 1, "image_base_url", "ftp://m.example/images/"),
        Map.of("image_datastore_id", 1, "image_base_url", "https://u:p@m.example/images/"),
        Map.of("image_datastore_id", 1, "image_path_prefix", "srv/images/"),
        Map.of("image_datastore_id", 1, "image_path_prefix", "/srv/../etc/"));
    List<String> expected = List.of(
        "opennebula option image_base_url: with image_datastore_id, set exactly one of "
            + "image_base_url and image_path_prefix",
        "opennebula option image_base_url: with image_datastore_id, set exactly one of "
            + "image_base_url and image_path_prefix",
        "opennebula option image_datastore_id: is required with image_base_url or "
            + "image_path_prefix",
        "opennebula option image_datastore_id: is required with image_base_url or "
            + "image_path_prefix",
        "opennebula option image_datastore_id: must be between 0 and",
        "opennebula option image_base_url: must end in /",
        "opennebula option image_base_url: scheme must be http or https",
        "opennebula option image_base_url: must not carry credentials",
        "opennebula option image_path_prefix: must be an absolute path ending in /",
        "opennebula option image_path_prefix: must not contain quotes");
    for (int i = 0; i < refused.size(); i++) {
      Map<String, Object> extra = refused.get(i);
      assertThatThrownBy(() -> OpenNebulaOptions.fromMap(options(extra)))
          .as("options %s", extra)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith(expected.get(i));
    }
    OpenNebulaOptions accepted = OpenNebulaOptions.fromMap(options(
        Map.of("image_datastore_id", 1, "image_base_url", BASE_URL)));
    assertThat(accepted.imageDatastoreId()).hasValue(1);
    assertThat(accepted.toString()).contains("imageBaseUrl=" + BASE_URL);
  }
}
