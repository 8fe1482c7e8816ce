package io.flotilla.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flotilla.config.CredentialsConfig.TokenIssuerConfig;
import io.flotilla.state.MachineRecord;
import io.flotilla.state.MachineSpecs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenClientTest {
  private static final String SECRET = "s3cret-Of-The-Site-Client";
  private static final MachineSpecs SPEC = new MachineSpecs(4, 8192, 40.0, 3600, 600, 300);

  @TempDir Path dir;
  private final Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  private TestTokenIssuer tokenIssuer;
  private TraceabilityLog log;
  private Path secretFile;

  @BeforeEach
  void start() throws Exception {
    tokenIssuer = new TestTokenIssuer(SECRET);
    log = new TraceabilityLog(dir.resolve("credentials.jsonl"));
    secretFile = Files.writeString(dir.resolve("secret"), SECRET + "\n");
  }

  @AfterEach
  void stop() throws Exception {
    tokenIssuer.close();
    log.close();
  }

  @Test
  void request_sendsClientCredentialsGrantWithScopeAndAudience() {
    client(SECRET).request("m-1", now.plusSeconds(4200), now);

    assertThat(tokenIssuer.forms()).singleElement().isEqualTo(Map.of(
        "grant_type", "client_credentials", "scope", "compute.create compute.read",
        "audience", "https://wlcg.cern.ch/jwt/v1/any"));
  }

  @Test
  void issue_tracesTheJtiAndDeliversTheBareJwt() throws Exception {
    IssuedCredential token = issuer(SECRET).issue(machine("m-2"), "192.0.2.9");

    String text = new String(token.content(), StandardCharsets.US_ASCII);
    assertThat(text.split("\\.")).hasSize(3);
    assertThat(token.kind()).isEqualTo(IssuedCredential.Kind.TOKEN);
    assertThat(token.kind().contentType()).isEqualTo("text/plain; charset=us-ascii");
    assertThat(token.traceId()).isEqualTo(tokenIssuer.lastJti());
    assertThat(token.notAfter()).isEqualTo(now.plusSeconds(1200));
    JsonNode line = new ObjectMapper().readTree(Files.readAllLines(log.file()).get(0));
    assertThat(line.properties()).extracting(Map.Entry::getKey).containsExactly(
        "time", "machine", "vo", "type", "jti", "subject", "notAfter", "client");
    assertThat(line.get("type").asText()).isEqualTo("token");
    assertThat(line.get("jti").asText()).isEqualTo(tokenIssuer.lastJti());
    assertThat(line.get("subject").asText()).isEqualTo(TestTokenIssuer.CLIENT_ID);
    assertThat(Files.readString(log.file())).doesNotContain(text, SECRET);
    assertThat(token.toString()).doesNotContain(text);
  }

  @Test
  void issue_opaqueToken_isTracedByHashPrefix() throws Exception {
    tokenIssuer.opaque(true);

    IssuedCredential token = issuer(SECRET).issue(machine("m-3"), "192.0.2.9");

    String expected = JwtClaims.sha256Hex(token.content()).substring(0, 16);
    assertThat(token.traceId()).isEqualTo("sha256:" + expected);
    JsonNode line = new ObjectMapper().readTree(Files.readAllLines(log.file()).get(0));
    assertThat(line.get("token_sha256").asText()).isEqualTo(expected);
  }

  @Test
  void request_withWrongSecret_failsWithIssuerErrorButNeverTheSecret() {
    assertThatThrownBy(() -> client("wrong-secret-value").request("m-4", now.plusSeconds(4200),
        now))
        .isInstanceOf(CredentialException.class)
        .hasMessage("VO atlas: token issuer " + tokenIssuer.tokenEndpoint() + " gave no usable"
            + " token: HTTP 401, error invalid_client (bad client credentials for "
            + TestTokenIssuer.CLIENT_ID + ")")
        .message().doesNotContain("wrong-secret-value", SECRET);
  }

  @Test
  void request_tokenOutlivingTheMachine_isRefused() {
    tokenIssuer.lifetimeSeconds(7200);
    Instant limit = now.plusSeconds(4200);

    assertThatThrownBy(() -> client(SECRET).request("m-5", limit, now))
        .isInstanceOf(CredentialException.class)
        .hasMessageContaining("the token it granted for machine m-5 is valid until "
            + now.plusSeconds(7200) + ", beyond the machine's limit " + limit
            + " (lifetime plus grace); configure the client's access token lifetime at the"
            + " issuer to at most 4200s");
  }

  @Test
  void request_whenIssuerUnreachable_saysSo() throws Exception {
    TokenClient client = client(SECRET);
    tokenIssuer.close();

    assertThatThrownBy(() -> client.request("m-6", now.plusSeconds(4200), now))
        .isInstanceOf(CredentialException.class)
        .hasMessage("VO atlas: token issuer " + tokenIssuer.tokenEndpoint()
            + " gave no usable token: cannot reach it (ConnectException)");
  }

  @Test
  void constructor_withSecretFileMissing_refusesNamingTheFile() {
    Path missing = dir.resolve("absent");
    TokenIssuerConfig config = new TokenIssuerConfig(tokenIssuer.tokenEndpoint(),
        TestTokenIssuer.CLIENT_ID, Optional.of(missing), Optional.empty(), Optional.empty(),
        Optional.empty());

    assertThatThrownBy(() -> new TokenClient("atlas", config))
        .isInstanceOf(CredentialException.class)
        .hasMessage("VO atlas: client_secret_file " + missing
            + " cannot be read (NoSuchFileException)");
  }

  @Test
  void jwtClaims_ofPayload_readWithoutVerifying() {
    String payload = Base64.getUrlEncoder().withoutPadding().encodeToString(
        "{\"jti\":\"abc-1\",\"sub\":\"pilot\",\"exp\":1700000000}".getBytes());
    JwtClaims claims = JwtClaims.of(("e30." + payload + ".c2ln").getBytes());

    assertThat(claims.jti()).hasValue("abc-1");
    assertThat(claims.sub()).hasValue("pilot");
    assertThat(claims.exp()).hasValue(Instant.ofEpochSecond(1_700_000_000));
    assertThat(JwtClaims.of("not-a-jwt".getBytes()).jti()).isEmpty();
  }

  private TokenClient client(String secret) {
    Path file = secret.equals(SECRET) ? secretFile : writeSecret(secret);
    return new TokenClient("atlas", new TokenIssuerConfig(tokenIssuer.tokenEndpoint(),
        TestTokenIssuer.CLIENT_ID, Optional.of(file), Optional.empty(),
        Optional.of("compute.create compute.read"),
        Optional.of("https://wlcg.cern.ch/jwt/v1/any")));
  }

  private Path writeSecret(String secret) {
    try {
      return Files.writeString(dir.resolve("other-secret"), secret);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private CredentialIssuer issuer(String secret) {
    return CredentialIssuer.withSources(
        Map.of("atlas", new CredentialSource.Tokens(client(secret))), log,
        Clock.fixed(now, ZoneOffset.UTC));
  }

  private MachineRecord machine(String id) {
    return MachineRecord.requested(id, "atlas", "sandbox", "img-1", SPEC, "00",
        now.minusSeconds(60));
  }

  static List<String> lines(Path file) throws Exception {
    return Files.readAllLines(file);
  }
}
