package io.flotilla.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flotilla.config.CredentialsConfig.ProxyType;
import io.flotilla.config.CredentialsConfig.TokenIssuerConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsConfigReaderTest {
  private static final String HEAD = """
      site: TEST-SITE
      trust:
        ca_dir: certificates
      endorsers:
        - name: e1
          dn: /DC=org/DC=example/CN=endorser
          ca: /DC=org/DC=example/CN=CA
      image_lists:
        - name: list1
          url: file:list.signed
          endorsers: [e1]
      clouds:
        - name: sandbox
          type: sandbox
      """;
  private static final String GUEST = """
      guest_api:
        advertised_url: http://127.0.0.1:8390/
      """;
  private static final String ATLAS = """
        - name: atlas
          image: c0482bc2-bf41-5d49-aaaa-a750174a186b
          clouds: [sandbox]
          flavour: small
          robot_certificate: robot.pem
          robot_key: robot.key
      """;

  @TempDir Path dir;

  @BeforeEach
  void files() throws IOException {
    Files.writeString(dir.resolve("robot.pem"), "not read by the loader");
    Files.writeString(dir.resolve("robot.key"), "not read by the loader");
    Files.writeString(dir.resolve("client.secret"), "secret\n");
    Files.writeString(dir.resolve("server.pem"), "not read by the loader");
    Files.writeString(dir.resolve("server.key"), "not read by the loader");
  }

  @Test
  void load_withoutCredentialOptions_givesImpersonationProxiesAndDefaults() throws Exception {
    SiteConfig config = load(HEAD + GUEST + "vos:\n" + ATLAS);

    assertThat(config.credentials().expiryWarning()).isEqualTo(Duration.ofDays(14));
    assertThat(config.credentials().forVo("atlas").proxyType())
        .isEqualTo(ProxyType.IMPERSONATION);
    assertThat(config.credentials().forVo("atlas").usesTokens()).isFalse();
    assertThat(config.guestApi().tls()).isEmpty();
    assertThat(config.guestApi().jobOutputs()).isEqualTo(JobOutputsConfig.defaults());
    assertThat(config.metrics().enabled()).isFalse();
  }

  @Test
  void load_withEveryOption_readsThemAll() throws Exception {
    SiteConfig config = load(HEAD + """
        guest_api:
          advertised_url: https://127.0.0.1:8390/
          tls: {certificate: server.pem, key: server.key}
          joboutputs: {allowed: ['*.log', pilot.status], max_bytes: 1024, max_files: 8}
        credentials:
          expiry_warning: 30d
        metrics:
          bind: 127.0.0.1
          port: 9400
        vos:
        """ + ATLAS + """
            proxy_type: limited
          - name: cms
            image: c0482bc2-bf41-5d49-aaaa-a750174a186b
            clouds: [sandbox]
            flavour: small
            token_issuer:
              token_endpoint: https://iam.example.org/token
              client_id: site-client
              client_secret_file: client.secret
              scope: compute.create compute.read
              audience: https://wlcg.cern.ch/jwt/v1/any
        """);

    assertThat(config.credentials().expiryWarning()).isEqualTo(Duration.ofDays(30));
    assertThat(config.credentials().forVo("atlas").proxyType()).isEqualTo(ProxyType.LIMITED);
    assertThat(config.credentials().forVo("cms").tokenIssuer()).hasValue(new TokenIssuerConfig(
        URI.create("https://iam.example.org/token"), "site-client",
        Optional.of(dir.resolve("client.secret")), Optional.empty(),
        Optional.of("compute.create compute.read"),
        Optional.of("https://wlcg.cern.ch/jwt/v1/any")));
    assertThat(config.vo("cms").orElseThrow().robotCertificate()).isNull();
    assertThat(config.guestApi().tls()).hasValue(
        new GuestTlsConfig(dir.resolve("server.pem"), dir.resolve("server.key")));
    assertThat(config.guestApi().jobOutputs())
        .isEqualTo(new JobOutputsConfig(List.of("*.log", "pilot.status"), 1024, 8));
    assertThat(config.metrics()).isEqualTo(new MetricsConfig(true, "127.0.0.1", 9400));
  }

  @Test
  void load_withInvalidCredentialOptions_namesEachFieldAndReason() {
    String file = dir.resolve("site.yaml").toString();

    assertThatThrownBy(() -> load(HEAD + """
        guest_api:
          advertised_url: http://127.0.0.1:8390/
          tls: {certificate: absent.pem, key: server.key}
          joboutputs: {allowed: [../x]}
        vos:
        """ + ATLAS + """
            proxy_type: full
          - name: cms
            image: c0482bc2-bf41-5d49-aaaa-a750174a186b
            clouds: [sandbox]
            flavour: small
            robot_certificate: robot.pem
            token_issuer:
              token_endpoint: http://iam.example.org/token
              client_id: site-client
              client_secret_env: FLOTILLA_TEST_UNSET_SECRET
        """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(file + ": guest_api.tls.certificate: file "
            + dir.resolve("absent.pem") + " does not exist or cannot be read")
        .hasMessageContaining(file + ": guest_api.joboutputs.allowed[0]: must be a file name"
            + " or glob")
        .hasMessageContaining(file + ": vos[0].proxy_type: must be impersonation or limited,"
            + " got 'full'")
        .hasMessageContaining(file + ": vos[1].robot_certificate: a VO with token_issuer gets"
            + " tokens, not proxies; remove robot_certificate or token_issuer")
        .hasMessageContaining(file + ": vos[1].token_issuer.token_endpoint: must be https://"
            + " (the client secret is sent to it); plain http:// is accepted only on a"
            + " loopback address, got 'http://iam.example.org/token'")
        .hasMessageContaining(file + ": vos[1].token_issuer.client_secret_env: environment"
            + " variable FLOTILLA_TEST_UNSET_SECRET is not set");
  }

  @Test
  void load_tokenIssuerWithBothSecretSources_refuses() {
    assertThatThrownBy(() -> load(HEAD + GUEST + """
        vos:
          - name: cms
            image: c0482bc2-bf41-5d49-aaaa-a750174a186b
            clouds: [sandbox]
            flavour: small
            token_issuer:
              token_endpoint: https://iam.example.org/token
              client_id: site-client
              client_secret_file: client.secret
              client_secret_env: HOME
        """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("vos[0].token_issuer.client_secret_file: give exactly one of"
            + " client_secret_file and client_secret_env");
  }

  private SiteConfig load(String yaml) throws IOException {
    Path file = dir.resolve("site.yaml");
    Files.writeString(file, yaml);
    return SiteConfigLoader.load(file);
  }
}
