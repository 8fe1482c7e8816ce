package io.flotilla.provider.ec2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flotilla.provider.CloudException;
import io.flotilla.provider.CloudException.Kind;
import io.flotilla.provider.CloudMachine;
import io.flotilla.provider.MachineSpec;
import io.flotilla.provider.Tags;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A create whose RunInstances answer is lost must not make a second instance. moto stores
 * the ClientToken but does not deduplicate on it (real EC2 does), so these tests show that
 * the provider's own recovery, a lookup by client token, is what prevents the duplicate.
 */
class Ec2IdempotencyMotoTest {

  @RegisterExtension
  static final MotoServerExtension moto = new MotoServerExtension();

  @Test
  void create_whenFirstRunInstancesAnswerIsLost_findsInstanceByTokenAndMakesNoSecond()
      throws Exception {
    MotoClient motoState = new MotoClient(moto.endpoint());
    try (LoopbackHttpProxy proxy = new LoopbackHttpProxy(moto.port());
        Ec2Cloud cloud = Ec2TestClouds.cloud(proxy.endpoint())) {
      proxy.dropResponses("RunInstances", 1);

      CloudMachine machine = cloud.create(spec("m-lost-1", new byte[0]));

      assertThat(motoState.allInstanceIds()).containsExactly(machine.cloudId());
      assertThat(proxy.seen("RunInstances")).hasSize(1);
      assertThat(machine.machineId()).isEqualTo("m-lost-1");
      assertThat(cloud.listTagged(Map.of(Tags.MACHINE_ID, "m-lost-1")))
          .extracting(CloudMachine::cloudId).containsExactly(machine.cloudId());
    }
  }

  @Test
  void create_whenAnswerLostAndTokenLookupFails_failsWithoutSecondRunInstances()
      throws Exception {
    MotoClient motoState = new MotoClient(moto.endpoint());
    try (LoopbackHttpProxy proxy = new LoopbackHttpProxy(moto.port());
        Ec2Cloud cloud = Ec2TestClouds.cloud(proxy.endpoint())) {
      proxy.dropResponses("RunInstances", 1);
      // jclouds itself retries a DescribeInstances whose answer is lost: lose them all.
      proxy.dropResponses("DescribeInstances", Integer.MAX_VALUE);

      assertThatThrownBy(() -> cloud.create(spec("m-lost-2", new byte[0])))
          .isInstanceOfSatisfying(CloudException.class, e -> {
            assertThat(e.kind()).isEqualTo(Kind.TRANSIENT);
            assertThat(e.getSuppressed()).hasSize(1);
          })
          .hasMessageStartingWith("ec2 cloud moto: RunInstances failed: no answer");

      assertThat(proxy.seen("RunInstances")).hasSize(1);
      assertThat(proxy.seen("DescribeInstances")).hasSize(1 + Ec2Cloud.JCLOUDS_MAX_RETRIES);
    }
    assertThat(motoState.allInstanceIds()).hasSize(1);
  }

  @Test
  void create_whenEndpointDown_failsTransientAndMakesNothing()
      throws Exception {
    MotoClient motoState = new MotoClient(moto.endpoint());
    try (LoopbackHttpProxy proxy = new LoopbackHttpProxy(moto.port());
        Ec2Cloud cloud = Ec2TestClouds.cloud(proxy.endpoint())) {
      proxy.close();

      assertThatThrownBy(() -> cloud.create(spec("m-down-1", new byte[0])))
          .isInstanceOfSatisfying(CloudException.class,
              e -> assertThat(e.kind()).isEqualTo(Kind.TRANSIENT))
          .hasMessageStartingWith("ec2 cloud moto: RunInstances failed: no answer");
    }
    assertThat(motoState.allInstanceIds()).isEmpty();
  }

  private static MachineSpec spec(String machineId, byte[] userData) {
    return Ec2TestClouds.spec(moto.linuxAmi(), machineId, userData);
  }
}
