package io.flotilla.provider.openstack;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import io.flotilla.provider.CloudImage;
import io.flotilla.provider.CloudMachine;
import io.flotilla.provider.Flavour;
import io.flotilla.provider.MachineSpec;
import io.flotilla.provider.ProjectQuota;
import io.flotilla.provider.Tags;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Quota, flavours and images of the provider against the real OpenStack box, checked
 * against what the box's Nova and Glance say through their admin APIs.
 */
class NovaQuotaBoxTest {

  @RegisterExtension
  static final OpenStackBoxExtension box = new OpenStackBoxExtension();

  private static final String SECOND_IMAGE = "flotilla-quota-test-img";
  private static final Duration SETTLE = Duration.ofSeconds(30);

  private final String run = "fq-" + UUID.randomUUID().toString().substring(0, 8) + "-";
  private NovaCloud cloud;

  @BeforeEach
  void connect() {
    OpenStackOptions options = OpenStackOptions.fromMap(box.passwordOptions());
    cloud = new NovaCloud("box", options, options.auth().secret().read(System::getenv),
        Clock.systemUTC(), new Properties());
  }

  @AfterEach
  void cleanUp() throws Exception {
    cloud.close();
    for (String id : box.client().serverIdsNamed(run)) {
      box.client().deleteServer(id);
    }
  }

  @Test
  void quota_limitsEqualNovasQuotaSet() throws Exception {
    JsonObject quotaSet = box.client().quotaSet();

    ProjectQuota.Limits limits = cloud.quota().orElseThrow().limits();

    assertThat(limits).isEqualTo(new ProjectQuota.Limits(limit(quotaSet, "instances"),
        limit(quotaSet, "cores"), limit(quotaSet, "ram")));
  }

  @Test
  void quota_usageCountsANewServerWithItsFlavourSize_onceNovaPlacedIt()
      throws InterruptedException {
    cloud.create(new MachineSpec(run + "q", box.imageId(), box.flavourId(), new byte[0],
        Map.of(Tags.SITE, "box-site", Tags.VO, "vo1")));

    ProjectQuota.Usage usage = awaitCounted();

    // Other suites may share the box: at least our server is counted, at its size.
    assertThat(usage.instances()).isGreaterThanOrEqualTo(1L);
    assertThat(usage.cores()).isGreaterThanOrEqualTo(1L);
    assertThat(usage.ramMb()).isGreaterThanOrEqualTo(64L);
    assertThat(cloud.listTagged(Map.of())).hasSizeLessThanOrEqualTo(
        usage.instances().intValue() + 1);
    assertThat(cloud.listTagged(Map.of())).extracting(CloudMachine::machineId)
        .contains(run + "q");
  }

  @Test
  void flavours_includeTheBoxFlavourWithItsSize() {
    assertThat(cloud.flavours()).contains(new Flavour(box.flavourId(),
        OpenStackBoxExtension.FLAVOUR_NAME, 1, 64));
  }

  @Test
  void images_followGlancePages_andIncludeEveryActiveImage() throws Exception {
    String second = box.client().ensureImage(SECOND_IMAGE);

    assertThat(cloud.images(1)).contains(
        new CloudImage(box.imageId(), OpenStackBoxExtension.IMAGE_NAME, "active"),
        new CloudImage(second, SECOND_IMAGE, "active"));
    assertThat(cloud.images(1)).containsExactlyInAnyOrderElementsOf(cloud.images());
  }

  /**
   * Nova counts a server from its cell database, which it reaches only once scheduled: a
   * server still a build request is not in the usage yet.
   */
  private ProjectQuota.Usage awaitCounted() throws InterruptedException {
    Instant deadline = Instant.now().plus(SETTLE);
    ProjectQuota.Usage usage = cloud.quota().orElseThrow().usage();
    while (usage.instances() == 0 && Instant.now().isBefore(deadline)) {
      Thread.sleep(250);
      usage = cloud.quota().orElseThrow().usage();
    }
    return usage;
  }

  private static Long limit(JsonObject quotaSet, String resource) {
    long limit = quotaSet.getAsJsonObject(resource).get("limit").getAsLong();
    return limit < 0 ? null : limit;
  }
}
