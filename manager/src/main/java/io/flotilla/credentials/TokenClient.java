package io.flotilla.credentials;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flotilla.config.CredentialsConfig.TokenIssuerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Obtains one access token per machine from a VO's OAuth2 issuer with the client
 * credentials grant (RFC 6749 section 4.4): a form POST to the token endpoint, the client
 * authenticated with HTTP Basic (section 2.3.1).
 *
 * <p>OAuth2 has no standard request parameter for a token's lifetime, so the lifetime rule
 * is enforced on the answer: a token whose {@code expires_in} or JWT {@code exp} lies beyond
 * the machine's limit (lifetime plus grace) is refused, and so is one that states neither.
 * The issuer's client must be configured with a token lifetime no longer than that.
 *
 * <p>The client secret is read from its file or environment variable at each request, so a
 * rotated secret needs no restart. Neither the secret nor a token ever appears in a log line
 * or an exception message. Thread-safe; blocks on the network, so call it off the event loop.
 */
public final class TokenClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  private static final int MAX_ANSWER_BYTES = 64 * 1024;
  private static final int MAX_REASON_CHARS = 200;
  private static final int HASH_PREFIX_HEX = 16;

  private final String vo;
  private final TokenIssuerConfig config;
  private final HttpClient http;

  /**
   * @param vo the VO the tokens are for, for messages
   * @param config the issuer; its secret source is checked now
   * @throws CredentialException if the client secret cannot be read
   */
  public TokenClient(String vo, TokenIssuerConfig config) {
    this.vo = vo;
    this.config = config;
    // Never follow a redirect: the client secret would travel to wherever it points.
    this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
        .followRedirects(HttpClient.Redirect.NEVER).build();
    Arrays.fill(secret(), (byte) 0);
  }

  /**
   * Asks the issuer for a token valid no later than {@code notAfter}.
   *
   * @throws CredentialException naming the VO, the endpoint and the reason (HTTP status,
   *     the issuer's {@code error} code, a lifetime beyond the limit); never the secret
   */
  public IssuedCredential request(String machineId, Instant notAfter, Instant now) {
    HttpResponse<InputStream> response = send();
    byte[] answer = read(response);
    try {
      if (response.statusCode() != 200) {
        throw refused("HTTP " + response.statusCode() + errorReason(answer));
      }
      return token(machineId, parse(answer), notAfter, now);
    } finally {
      Arrays.fill(answer, (byte) 0);
    }
  }

  private HttpResponse<InputStream> send() {
    HttpRequest request = HttpRequest.newBuilder(config.tokenEndpoint())
        .timeout(REQUEST_TIMEOUT)
        .header("Authorization", basicAuthorization())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(form())).build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw refused("cannot reach it (" + e.getClass().getSimpleName() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw refused("interrupted while waiting for its answer");
    }
  }

  private String form() {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("grant_type", "client_credentials");
    config.scope().ifPresent(scope -> fields.put("scope", scope));
    config.audience().ifPresent(audience -> fields.put("audience", audience));
    return fields.entrySet().stream().map(e -> e.getKey() + "=" + urlEncode(e.getValue()))
        .collect(Collectors.joining("&"));
  }

  /** RFC 6749 section 2.3.1: both parts form-encoded, then joined and base64-encoded. */
  private String basicAuthorization() {
    byte[] secret = secret();
    try {
      String pair = urlEncode(config.clientId()) + ":"
          + urlEncode(new String(secret, StandardCharsets.UTF_8));
      return "Basic " + Base64.getEncoder().encodeToString(
          pair.getBytes(StandardCharsets.UTF_8));
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }

  /** The client secret without trailing line ends; the caller clears the array. */
  private byte[] secret() {
    byte[] raw = config.clientSecretFile().map(this::readSecretFile)
        .orElseGet(this::readSecretEnv);
    int end = raw.length;
    while (end > 0 && (raw[end - 1] == '\n' || raw[end - 1] == '\r')) {
      end--;
    }
    byte[] secret = Arrays.copyOf(raw, end);
    Arrays.fill(raw, (byte) 0);
    if (secret.length == 0) {
      throw new CredentialException("VO " + vo + ": the client secret of token issuer "
          + config.tokenEndpoint() + " is empty");
    }
    return secret;
  }

  private byte[] readSecretFile(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new CredentialException("VO " + vo + ": client_secret_file " + file
          + " cannot be read (" + e.getClass().getSimpleName() + ")");
    }
  }

  private byte[] readSecretEnv() {
    String name = config.clientSecretEnv().orElseThrow();
    String value = System.getenv(name);
    if (value == null) {
      throw new CredentialException("VO " + vo + ": client_secret_env " + name + " is not set");
    }
    return value.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] read(HttpResponse<InputStream> response) {
    try (InputStream body = response.body()) {
      return body.readNBytes(MAX_ANSWER_BYTES);
    } catch (IOException e) {
      return new byte[0];
    }
  }

  private JsonNode parse(byte[] answer) {
    try {
      JsonNode json = JSON.readTree(answer);
      if (json == null || !json.isObject()) {
        throw refused("the answer is not a JSON object");
      }
      return json;
    } catch (IOException e) {
      throw refused("the answer is not JSON (" + e.getClass().getSimpleName() + ")");
    }
  }

  private IssuedCredential token(
      String machineId, JsonNode answer, Instant notAfter, Instant now) {
    JsonNode accessToken = answer.get("access_token");
    if (accessToken == null || !accessToken.isTextual() || accessToken.asText().isBlank()) {
      throw refused("the answer has no access_token");
    }
    JsonNode type = answer.get("token_type");
    if (type == null || !"bearer".equalsIgnoreCase(type.asText())) {
      throw refused("token_type is " + (type == null ? "missing" : "'" + printable(
          type.asText()) + "'") + ", expected Bearer");
    }
    byte[] token = accessToken.asText().getBytes(StandardCharsets.US_ASCII);
    JwtClaims claims = JwtClaims.of(token);
    Instant expiry = expiry(answer, claims, now);
    checkLifetime(machineId, expiry, notAfter, now, token);
    String traceId = claims.jti().orElseGet(() -> TraceabilityLog.SHA256_PREFIX
        + JwtClaims.sha256Hex(token).substring(0, HASH_PREFIX_HEX));
    return IssuedCredential.token(token, traceId, claims.sub().orElse(""), expiry);
  }

  /** The earlier of now + expires_in and the JWT's exp. */
  private Instant expiry(JsonNode answer, JwtClaims claims, Instant now) {
    JsonNode expiresIn = answer.get("expires_in");
    Instant byAnswer = expiresIn != null && expiresIn.canConvertToLong()
        ? now.plusSeconds(expiresIn.asLong()) : null;
    Instant byClaim = claims.exp().orElse(null);
    if (byAnswer == null && byClaim == null) {
      throw refused("the token states no lifetime (no expires_in, no JWT exp), so its"
          + " lifetime cannot be checked against the machine's");
    }
    if (byAnswer == null || byClaim == null) {
      return byAnswer == null ? byClaim : byAnswer;
    }
    return byAnswer.isBefore(byClaim) ? byAnswer : byClaim;
  }

  private void checkLifetime(
      String machineId, Instant expiry, Instant notAfter, Instant now, byte[] token) {
    String problem = null;
    if (!expiry.isAfter(now)) {
      problem = "the token it granted has already expired (" + expiry + ", now " + now + ")";
    } else if (expiry.isAfter(notAfter)) {
      problem = "the token it granted for machine " + machineId + " is valid until " + expiry
          + ", beyond the machine's limit " + notAfter + " (lifetime plus grace); configure"
          + " the client's access token lifetime at the issuer to at most "
          + Duration.between(now, notAfter).toSeconds() + "s";
    }
    if (problem != null) {
      Arrays.fill(token, (byte) 0);
      throw refused(problem);
    }
  }

  /** The issuer's {@code error} and {@code error_description}, cleaned, if it sent JSON. */
  private String errorReason(byte[] answer) {
    try {
      JsonNode json = JSON.readTree(answer);
      if (json == null || !json.has("error")) {
        return "";
      }
      String description = json.has("error_description")
          ? " (" + printable(json.get("error_description").asText()) + ")" : "";
      return ", error " + printable(json.get("error").asText()) + description;
    } catch (IOException e) {
      return "";
    }
  }

  /** Printable ASCII only, shortened, and never the client secret even if echoed. */
  private String printable(String text) {
    String clean = text.chars().filter(c -> c >= 32 && c < 127)
        .limit(MAX_REASON_CHARS).collect(StringBuilder::new, StringBuilder::appendCodePoint,
            StringBuilder::append).toString();
    byte[] secret = secret();
    try {
      String plain = new String(secret, StandardCharsets.UTF_8);
      return plain.length() >= 4 && clean.contains(plain) ? clean.replace(plain, "***") : clean;
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }

  private CredentialException refused(String reason) {
    return new CredentialException("VO " + vo + ": token issuer " + config.tokenEndpoint()
        + " gave no usable token: " + reason);
  }

  private static String urlEncode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }
}
