package io.flotilla.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flotilla.config.CloudPolicy.OrphanPolicy;
import io.flotilla.config.CloudPolicy.RateLimit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The manager's own keys of a cloud entry: rate limit, timeouts, pauses, orphans. */
class CloudPolicyReaderTest {
  @TempDir Path dir;

  private static final String SITE = TestSites.HEAD + """
      image_lists:
        - name: list1
          url: file:list.signed
          endorsers: [e1]
      clouds:
        - name: sandbox
          type: sandbox
      POLICY
      vos:
        - name: atlas
          image: c0482bc2-bf41-5d49-aaaa-a750174a186b
          clouds: [sandbox]
          machines: 3
          flavour: small
          lifetime: 2h
          grace: 5m
          robot_certificate: robot.pem
          robot_key: robot.key
      """;

  private SiteConfig load(String policy) throws IOException {
    TestSites.writeRobotStubs(dir);
    Path file = dir.resolve("site.yaml");
    Files.writeString(file, SITE.replace("POLICY\n", policy.indent(4)));
    return SiteConfigLoader.load(file);
  }

  @Test
  void read_whenAbsent_givesTheDefaults() throws IOException {
    CloudPolicy policy = load("").clouds().get(0).policy();

    assertThat(policy).isEqualTo(CloudPolicy.defaults());
    assertThat(policy.orphans()).isEqualTo(OrphanPolicy.TERMINATE);
  }

  @Test
  void read_whenSet_takesEveryKey() throws IOException {
    CloudPolicy policy = load("""
        rate_limit: {calls_per_second: 5, burst: 10}
        call_timeout: 45s
        settle_time: 90s
        auth_pause: 10m
        quota_recheck: 1h
        orphans: adopt
        """).clouds().get(0).policy();

    assertThat(policy.rateLimit()).contains(new RateLimit(5, 10));
    assertThat(policy.callTimeout()).contains(Duration.ofSeconds(45));
    assertThat(policy.settleTime()).isEqualTo(Duration.ofSeconds(90));
    assertThat(policy.authPause()).isEqualTo(Duration.ofMinutes(10));
    assertThat(policy.quotaRecheck()).isEqualTo(Duration.ofHours(1));
    assertThat(policy.orphans()).isEqualTo(OrphanPolicy.ADOPT);
  }

  @Test
  void read_whenBurstOmitted_holdsOneSecondOfCalls() throws IOException {
    assertThat(load("rate_limit: {calls_per_second: 2.5}").clouds().get(0).policy()
        .rateLimit()).isEqualTo(Optional.of(new RateLimit(2.5, 3)));
  }

  @Test
  void read_whenInvalid_namesFileFieldAndReasonForEach() {
    String file = dir.resolve("site.yaml").toString();

    assertThatThrownBy(() -> load("""
        rate_limit: {calls_per_second: 0, burst: 0, per: minute}
        call_timeout: soon
        orphans: keep
        """)).isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactlyInAnyOrder(
            file + ": clouds[0].rate_limit.calls_per_second: must be between 0.001 and"
                + " 10000.0, got 0.0",
            file + ": clouds[0].rate_limit.burst: must be between 1 and 100000, got 0",
            file + ": clouds[0].rate_limit.per: unknown option (check its spelling against"
                + " examples/)",
            file + ": clouds[0].call_timeout: must be a duration such as 90s, 5m or 2h, got"
                + " 'soon'",
            file + ": clouds[0].orphans: must be terminate or adopt, got 'keep'"));
  }

  @Test
  void read_whenRateLimitHasNoRate_saysItIsRequired() {
    assertThatThrownBy(() -> load("rate_limit: {burst: 4}")).hasMessageContaining(
        "clouds[0].rate_limit.calls_per_second: is required: the calls a second the bucket"
            + " refills");
  }
}
