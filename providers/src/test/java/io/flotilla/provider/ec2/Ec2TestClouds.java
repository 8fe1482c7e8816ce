package io.flotilla.provider.ec2;

import io.flotilla.provider.MachineSpec;
import io.flotilla.provider.Tags;
import java.net.URI;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** Builds providers for tests, with a fixed dummy key (moto accepts any). */
final class Ec2TestClouds {

  static final Ec2Credentials DUMMY_KEY = new Ec2Credentials("AKIDFLOTILLATEST", "test-secret");

  private Ec2TestClouds() {}

  static Ec2Options options(URI endpoint) {
    Map<String, Object> options = new HashMap<>();
    options.put("endpoint", endpoint.toString());
    options.put("region", MotoServerExtension.REGION);
    options.put("access_key_id_env", "FLOTILLA_TEST_UNUSED_KEY_ID");
    options.put("secret_access_key_env", "FLOTILLA_TEST_UNUSED_SECRET");
    options.put("call_timeout_seconds", 10);
    options.put("max_concurrency", 4);
    options.put("security_group_ids", List.of());
    return Ec2Options.fromMap(options);
  }

  /** A t3.micro of the given image with site and VO tags. */
  static MachineSpec spec(String imageId, String machineId, byte[] userData) {
    return new MachineSpec(machineId, imageId, "t3.micro", userData,
        Map.of(Tags.SITE, "test-site", Tags.VO, "atlas"));
  }

  static Ec2Cloud cloud(URI endpoint) {
    return cloud(endpoint, new Properties());
  }

  static Ec2Cloud cloud(URI endpoint, Properties jcloudsOverrides) {
    return new Ec2Cloud("moto", options(endpoint), DUMMY_KEY, Clock.systemUTC(),
        jcloudsOverrides);
  }
}
