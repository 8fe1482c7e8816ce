package io.flotilla.provider.ec2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flotilla.provider.CloudException;
import io.flotilla.provider.CloudException.Kind;
import io.flotilla.provider.CloudMachine;
import io.flotilla.provider.CloudState;
import io.flotilla.provider.MachineSpec;
import io.flotilla.provider.Tags;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The provider against the real EC2 simulator, moto_server. */
class Ec2CloudMotoTest {

  @RegisterExtension
  static final MotoServerExtension moto = new MotoServerExtension();

  private Ec2Cloud cloud;
  private MotoClient motoState;

  @BeforeEach
  void connect() {
    cloud = Ec2TestClouds.cloud(moto.endpoint());
    motoState = new MotoClient(moto.endpoint());
  }

  @AfterEach
  void disconnect() {
    cloud.close();
  }

  @Test
  void create_whenAccepted_returnsPendingInstanceTaggedAsOurs() {
    CloudMachine machine = cloud.create(spec("m-create-1", "#cloud-config\n".getBytes(
        StandardCharsets.UTF_8)));

    assertThat(machine.cloudId()).matches("i-[0-9a-f]{17}");
    assertThat(machine.state()).isIn(CloudState.PENDING, CloudState.RUNNING);
    assertThat(machine.rawState()).isIn("pending", "running");
    assertThat(machine.machineId()).isEqualTo("m-create-1");
    assertThat(machine.tags()).containsEntry(Tags.SITE, "test-site")
        .containsEntry(Tags.VO, "atlas");
  }

  @Test
  void create_tagsAreOnTheInstanceFromTheCreateCallItself() throws Exception {
    // Routed through a recording proxy: the only calls must be RunInstances, then our
    // DescribeInstances, with no CreateTags in between.
    try (LoopbackHttpProxy proxy = new LoopbackHttpProxy(moto.port());
        Ec2Cloud proxied = Ec2TestClouds.cloud(proxy.endpoint())) {
      CloudMachine machine = proxied.create(spec("m-tags-1", new byte[0]));

      Optional<CloudMachine> seen = proxied.describe(machine.cloudId());

      assertThat(seen).get().extracting(CloudMachine::tags).isEqualTo(Map.of(
          Tags.MACHINE_ID, "m-tags-1", Tags.SITE, "test-site", Tags.VO, "atlas"));
      assertThat(proxy.seen()).extracting(LoopbackHttpProxy.Seen::action)
          .containsExactly("RunInstances", "DescribeInstances");
      assertThat(proxy.seen("RunInstances").get(0).form())
          .containsEntry("ClientToken", "m-tags-1")
          .containsEntry("TagSpecification.1.ResourceType", "instance")
          .containsEntry("Version", Ec2Cloud.API_VERSION);
    }
  }

  @Test
  void create_userDataRoundTrip_motoHoldsExactlyOurBytes() throws Exception {
    byte[] userData = new byte[4096];
    for (int i = 0; i < userData.length; i++) {
      userData[i] = (byte) (i * 31 + 7); // every byte value, not valid UTF-8
    }

    CloudMachine machine = cloud.create(spec("m-userdata-1", userData));

    assertThat(motoState.userData(machine.cloudId())).isEqualTo(userData);
  }

  @Test
  void create_userDataOfExactlyTheLimit_isAccepted() throws Exception {
    byte[] userData = new byte[Ec2Cloud.MAX_USER_DATA_BYTES];
    java.util.Arrays.fill(userData, (byte) 'x');

    CloudMachine machine = cloud.create(spec("m-limit-ok", userData));

    assertThat(motoState.userData(machine.cloudId())).isEqualTo(userData);
  }

  @Test
  void create_whenUserDataAboveLimit_refusesBeforeAnyCall() throws Exception {
    byte[] userData = new byte[Ec2Cloud.MAX_USER_DATA_BYTES + 1];
    try (LoopbackHttpProxy proxy = new LoopbackHttpProxy(moto.port());
        Ec2Cloud proxied = Ec2TestClouds.cloud(proxy.endpoint())) {

      assertThatThrownBy(() -> proxied.create(spec("m-too-big", userData)))
          .isInstanceOfSatisfying(CloudException.class,
              e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_REQUEST))
          .hasMessage("ec2 cloud moto: create of machine m-too-big refused before any call: "
              + "user-data is 16385 bytes, EC2 allows at most 16384 bytes before base64");
      assertThat(proxy.seen()).isEmpty();
    }
    assertThat(motoState.allInstanceIds()).isEmpty();
  }

  @Test
  void create_whenTagContradictsMachineId_refusesBeforeAnyCall() throws Exception {
    MachineSpec spec = new MachineSpec("m-1", moto.linuxAmi(), "t3.micro",
        new byte[0], Map.of(Tags.MACHINE_ID, "m-2"));

    assertThatThrownBy(() -> cloud.create(spec))
        .isInstanceOfSatisfying(CloudException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_REQUEST))
        .hasMessageContaining("tag flotilla-machine-id is 'm-2' but the machine id is 'm-1'");
    assertThat(motoState.allInstanceIds()).isEmpty();
  }

  @Test
  void describe_whenCreated_seesSameInstance_andWhenUnknown_isEmpty() {
    CloudMachine machine = cloud.create(spec("m-describe-1", new byte[0]));

    assertThat(cloud.describe(machine.cloudId())).get()
        .satisfies(seen -> {
          assertThat(seen.cloudId()).isEqualTo(machine.cloudId());
          assertThat(seen.machineId()).isEqualTo("m-describe-1");
        });
    assertThat(cloud.describe("i-0123456789abcdef0")).isEmpty();
  }

  @Test
  void describe_whenIdMalformed_refusesAsInvalidRequest() {
    assertThatThrownBy(() -> cloud.describe("vm-1"))
        .isInstanceOfSatisfying(CloudException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_REQUEST))
        .hasMessageContaining("'vm-1' is not an EC2 instance id");
  }

  @Test
  void listTagged_findsOnlyInstancesCarryingAllTags() {
    CloudMachine atlas = cloud.create(spec("m-list-1", new byte[0]));
    CloudMachine cms = cloud.create(new MachineSpec("m-list-2", moto.linuxAmi(),
        "t3.micro", new byte[0], Map.of(Tags.SITE, "test-site", Tags.VO, "cms")));

    assertThat(cloud.listTagged(Map.of(Tags.SITE, "test-site")))
        .extracting(CloudMachine::cloudId)
        .containsExactlyInAnyOrder(atlas.cloudId(), cms.cloudId());
    assertThat(cloud.listTagged(Map.of(Tags.SITE, "test-site", Tags.VO, "cms")))
        .extracting(CloudMachine::cloudId)
        .containsExactly(cms.cloudId());
    assertThat(cloud.listTagged(Map.of(Tags.SITE, "other-site"))).isEmpty();
  }

  @Test
  void listTagged_whenValueHasWildcardCharacter_matchesExactlyOnly() {
    cloud.create(new MachineSpec("m-wild-1", moto.linuxAmi(), "t3.micro",
        new byte[0], Map.of(Tags.VO, "atlas-prod")));

    assertThat(cloud.listTagged(Map.of(Tags.VO, "atlas*"))).isEmpty();
    assertThat(cloud.listTagged(Map.of(Tags.VO, "atlas-prod"))).hasSize(1);
  }

  @Test
  void destroy_terminates_thenDescribeShowsGone_andListTaggedOmitsIt() {
    CloudMachine machine = cloud.create(spec("m-destroy-1", new byte[0]));

    cloud.destroy(machine.cloudId());

    Optional<CloudMachine> after = cloud.describe(machine.cloudId());
    assertThat(after).get().extracting(CloudMachine::state)
        .isIn(CloudState.STOPPING, CloudState.GONE);
    assertThat(after.get().rawState()).isIn("shutting-down", "terminated");
    assertThat(cloud.listTagged(Map.of(Tags.MACHINE_ID, "m-destroy-1"))).isEmpty();
  }

  @Test
  void destroy_whenAlreadyTerminatedOrUnknown_succeeds() {
    CloudMachine machine = cloud.create(spec("m-destroy-2", new byte[0]));
    cloud.destroy(machine.cloudId());

    cloud.destroy(machine.cloudId());
    cloud.destroy("i-0123456789abcdef0");

    assertThat(cloud.describe(machine.cloudId())).get().extracting(CloudMachine::state)
        .isIn(CloudState.STOPPING, CloudState.GONE);
  }

  @Test
  void findByClientToken_findsInstanceMadeWithoutAnyTags() throws Exception {
    // An instance made with the token but no tags, as a create that died half-way on a
    // cloud without TagSpecifications would leave it.
    String madeId = motoState.runUntagged("m-token-1", moto.linuxAmi());

    assertThat(cloud.findByClientToken("m-token-1")).get()
        .satisfies(found -> {
          assertThat(found.cloudId()).isEqualTo(madeId);
          assertThat(found.tags()).isEmpty();
          assertThat(found.machineId()).isNull();
        });
    assertThat(cloud.findByClientToken("m-token-2")).isEmpty();
    assertThat(cloud.listTagged(Map.of(Tags.MACHINE_ID, "m-token-1"))).isEmpty();
  }

  @Test
  void calls_afterClose_areRefused() {
    cloud.close();

    assertThatThrownBy(() -> cloud.describe("i-0123456789abcdef0"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("ec2 cloud moto is closed");
  }

  private static MachineSpec spec(String machineId, byte[] userData) {
    return Ec2TestClouds.spec(moto.linuxAmi(), machineId, userData);
  }
}
