package io.flotilla.provider.ec2;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.base.Supplier;
import io.flotilla.provider.CloudState;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.jclouds.Constants;
import org.jclouds.ContextBuilder;
import org.jclouds.aws.filters.FormSignerV4.ServiceAndRegion;
import org.jclouds.lifecycle.Closer;
import org.jclouds.location.Region;
import org.jclouds.logging.Logger;
import org.junit.jupiter.api.Test;

import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;

/** The jclouds wiring and the small pure pieces of the provider, without any server. */
class Ec2WiringTest {

  private static final URI ENDPOINT = URI.create("http://127.0.0.1:9/");

  @Test
  void pinnedModule_resolvesTheOneRegionToTheConfiguredEndpoint_andSignsForIt()
      throws IOException {
    Injector injector = injector();
    try {
      Map<String, Supplier<URI>> regions = injector.getInstance(Key.get(
          new TypeLiteral<com.google.common.base.Supplier<Map<String, Supplier<URI>>>>() {},
          Region.class)).get();
      ServiceAndRegion signing = injector.getInstance(ServiceAndRegion.class);

      assertThat(regions).containsOnlyKeys("us-east-1");
      assertThat(regions.get("us-east-1").get()).isEqualTo(ENDPOINT);
      assertThat(signing.service()).isEqualTo("ec2");
      assertThat(signing.region("127.0.0.1")).isEqualTo("us-east-1");
      assertThat(signing.region("ec2.eu-west-1.amazonaws.com")).isEqualTo("us-east-1");
    } finally {
      injector.getInstance(Closer.class).close();
    }
  }

  @Test
  void jcloudsProperties_retryLessThanJcloudsDefault_andPinTheRegion() {
    Properties properties = Ec2Cloud.jcloudsProperties(
        Ec2TestClouds.options(ENDPOINT), new Properties());

    assertThat(properties)
        .containsEntry(Constants.PROPERTY_MAX_RETRIES, "2")
        .containsEntry(Constants.PROPERTY_RETRY_DELAY_START, "500")
        .containsEntry("jclouds.regions", "us-east-1")
        .containsEntry(Constants.PROPERTY_API_VERSION, "2016-11-15")
        .containsEntry(Constants.PROPERTY_SO_TIMEOUT, "10000");
  }

  @Test
  void loggingModule_silencesWireHeaderAndSignatureLogs() {
    Logger.LoggerFactory factory = new QuietWireLoggingModule().createLoggerFactory();

    assertThat(factory.getLogger(Constants.LOGGER_HTTP_WIRE)).isSameAs(Logger.NULL);
    assertThat(factory.getLogger(Constants.LOGGER_HTTP_HEADERS)).isSameAs(Logger.NULL);
    assertThat(factory.getLogger(Constants.LOGGER_SIGNATURE)).isSameAs(Logger.NULL);
    assertThat(factory.getLogger("jclouds.compute")).isNotSameAs(Logger.NULL);
  }

  @Test
  void toCloudState_mapsEveryEc2State() {
    assertThat(Ec2Cloud.toCloudState("pending")).isEqualTo(CloudState.PENDING);
    assertThat(Ec2Cloud.toCloudState("running")).isEqualTo(CloudState.RUNNING);
    assertThat(Ec2Cloud.toCloudState("shutting-down")).isEqualTo(CloudState.STOPPING);
    assertThat(Ec2Cloud.toCloudState("stopping")).isEqualTo(CloudState.STOPPING);
    assertThat(Ec2Cloud.toCloudState("stopped")).isEqualTo(CloudState.STOPPED);
    assertThat(Ec2Cloud.toCloudState("terminated")).isEqualTo(CloudState.GONE);
    assertThat(Ec2Cloud.toCloudState("hibernating")).isEqualTo(CloudState.UNKNOWN);
    assertThat(Ec2Cloud.toCloudState(null)).isEqualTo(CloudState.UNKNOWN);
  }

  @Test
  void taggedRunOptions_addTagSpecificationFormParameters() {
    TaggedRunOptions options = new TaggedRunOptions()
        .withInstanceTags(new java.util.TreeMap<>(Map.of("a", "1", "b", "x y")));

    assertThat(options.buildFormParameters().entries()).extracting(Object::toString)
        .containsExactly("TagSpecification.1.ResourceType=instance",
            "TagSpecification.1.Tag.1.Key=a", "TagSpecification.1.Tag.1.Value=1",
            "TagSpecification.1.Tag.2.Key=b", "TagSpecification.1.Tag.2.Value=x y");
  }

  @Test
  void instancesXml_readsJcloudsFixture_withoutTokenOrTags() throws IOException {
    byte[] xml;
    try (InputStream in = getClass().getResourceAsStream("/ec2/describe_instances_running.xml")) {
      xml = in.readAllBytes();
    }

    assertThat(InstancesXml.parse(xml)).containsExactly(
        new InstancesXml.Instance("i-0799056f", "running", null, Map.of()));
  }

  @Test
  void instancesXml_readsTokenAndTags_andRefusesDoctype() {
    String answer = "<DescribeInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15\">"
        + "<reservationSet><item><instancesSet><item><instanceId>i-0123456789abcdef0</instanceId>"
        + "<instanceState><code>0</code><name>pending</name></instanceState>"
        + "<clientToken>m-1</clientToken><tagSet><item><key>k</key><value>v</value></item>"
        + "</tagSet></item></instancesSet></item></reservationSet></DescribeInstancesResponse>";

    assertThat(InstancesXml.parse(answer.getBytes())).containsExactly(
        new InstancesXml.Instance("i-0123456789abcdef0", "pending", "m-1", Map.of("k", "v")));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> InstancesXml.parse(
            "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>".getBytes()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("DescribeInstances answer is not well-formed XML");
  }

  private static Injector injector() {
    Ec2Options options = Ec2TestClouds.options(ENDPOINT);
    return ContextBuilder.newBuilder("aws-ec2")
        .endpoint(ENDPOINT.toString())
        .credentials("AKIDTEST", "secret")
        .overrides(Ec2Cloud.jcloudsProperties(options, new Properties()))
        .modules(Set.of(new PinnedEndpointModule(options.region(), ENDPOINT),
            new QuietWireLoggingModule()))
        .buildInjector();
  }
}
