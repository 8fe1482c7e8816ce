package io.flotilla.provider.ec2;

import static org.assertj.core.api.Assertions.assertThat;

import io.flotilla.provider.CloudMachine;
import io.flotilla.provider.MachineSpec;
import io.flotilla.provider.Tags;
import java.util.Map;
import java.util.Properties;
import org.jclouds.Constants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every request goes to the configured endpoint. All of jclouds' traffic is routed through a
 * recording forward proxy on 127.0.0.1 (jclouds.proxy-host), which sees the absolute URL of
 * each request and passes only those for moto; anything else (a real AWS region endpoint
 * learnt from DescribeRegions, a CONNECT to port 443) is recorded and refused, never sent.
 */
class Ec2EndpointMotoTest {

  @RegisterExtension
  static final MotoServerExtension moto = new MotoServerExtension();

  @Test
  void everyCall_ofAFullLifecycle_goesToTheConfiguredEndpointOnly() throws Exception {
    try (LoopbackHttpProxy proxy = new LoopbackHttpProxy(moto.port());
        Ec2Cloud cloud = Ec2TestClouds.cloud(moto.endpoint(), viaProxy(proxy))) {

      CloudMachine machine = cloud.create(spec("m-route-1", new byte[0]));
      cloud.describe(machine.cloudId());
      cloud.listTagged(Map.of(Tags.MACHINE_ID, "m-route-1"));
      cloud.findByClientToken("m-route-1");
      cloud.destroy(machine.cloudId());

      String motoAuthority = "127.0.0.1:" + moto.port();
      assertThat(proxy.seen()).as("requests seen by the recording proxy").isNotEmpty()
          .allSatisfy(request -> {
            assertThat(request.method()).isEqualTo("POST");
            assertThat(request.authority()).isEqualTo(motoAuthority);
            assertThat(request.target()).isEqualTo("http://" + motoAuthority + "/");
          });
      assertThat(proxy.seen()).extracting(LoopbackHttpProxy.Seen::action)
          .doesNotContain("DescribeRegions", "DescribeAvailabilityZones",
              "DescribePlacementGroups", "CreateTags")
          .contains("RunInstances", "DescribeInstances", "TerminateInstances");
    }
  }

  @Test
  void recordingProxy_refusesAndRecordsAnyOtherHost() throws Exception {
    // The proof above is only as good as the proxy's view: show that it does see, and
    // stop, a request for a host that is not moto.
    try (LoopbackHttpProxy proxy = new LoopbackHttpProxy(moto.port());
        Ec2Cloud cloud = Ec2TestClouds.cloud(
            java.net.URI.create("http://ec2.us-east-1.amazonaws.com/"), viaProxy(proxy))) {

      org.assertj.core.api.Assertions.assertThatThrownBy(
          () -> cloud.describe("i-0123456789abcdef0"));

      assertThat(proxy.seen()).hasSize(1).allSatisfy(request -> {
        assertThat(request.authority()).isEqualTo("ec2.us-east-1.amazonaws.com:80");
        assertThat(request.forwarded()).isFalse();
      });
    }
  }

  private static Properties viaProxy(LoopbackHttpProxy proxy) {
    Properties properties = new Properties();
    properties.setProperty(Constants.PROPERTY_PROXY_HOST, "127.0.0.1");
    properties.setProperty(Constants.PROPERTY_PROXY_PORT, Integer.toString(proxy.port()));
    properties.setProperty(Constants.PROPERTY_PROXY_TYPE, "HTTP");
    return properties;
  }

  private static MachineSpec spec(String machineId, byte[] userData) {
    return Ec2TestClouds.spec(moto.linuxAmi(), machineId, userData);
  }
}
