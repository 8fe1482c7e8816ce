package io.flotilla.credentials;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small OAuth2 issuer on 127.0.0.1 for tests: its token endpoint checks HTTP Basic client
 * credentials and the client-credentials grant, and answers a JWT signed RS256 with a test
 * key (or an opaque token, or an error, as a test sets it).
 */
public final class TestTokenIssuer implements AutoCloseable {
  public static final String CLIENT_ID = "flotilla-site";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final String secret;
  /** One signing key for every test issuer: RSA key generation is slow. */
  private static final KeyPair KEY = newKey();

  private final List<Map<String, String>> forms = new CopyOnWriteArrayList<>();
  private final AtomicInteger failuresLeft = new AtomicInteger();
  private volatile long lifetimeSeconds = 1200;
  private volatile boolean opaque;
  private volatile String lastJti;

  public TestTokenIssuer(String secret) throws Exception {
    this.secret = secret;
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/token", this::token);
    server.start();
  }

  public URI tokenEndpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/token");
  }

  /** Tokens granted from now on live this long. */
  public void lifetimeSeconds(long seconds) {
    lifetimeSeconds = seconds;
  }

  /** From now on, grant opaque tokens instead of JWTs. */
  public void opaque(boolean value) {
    opaque = value;
  }

  /** The next {@code count} requests get a 503. */
  public void failNext(int count) {
    failuresLeft.set(count);
  }

  public List<Map<String, String>> forms() {
    return forms;
  }

  public String lastJti() {
    return lastJti;
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private void token(HttpExchange exchange) throws IOException {
    try (exchange) {
      Map<String, String> form = form(exchange);
      forms.add(form);
      if (failuresLeft.getAndDecrement() > 0) {
        answer(exchange, 503, Map.of("error", "temporarily_unavailable"));
      } else if (!authorised(exchange)) {
        answer(exchange, 401, Map.of("error", "invalid_client",
            "error_description", "bad client credentials for " + CLIENT_ID));
      } else if (!"client_credentials".equals(form.get("grant_type"))) {
        answer(exchange, 400, Map.of("error", "unsupported_grant_type"));
      } else {
        String token = opaque ? UUID.randomUUID().toString() : jwt(form);
        answer(exchange, 200, Map.of("access_token", token, "token_type", "Bearer",
            "expires_in", lifetimeSeconds));
      }
    }
  }

  private boolean authorised(HttpExchange exchange) {
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    String expected = "Basic " + Base64.getEncoder().encodeToString(
        (CLIENT_ID + ":" + secret).getBytes(StandardCharsets.UTF_8));
    return expected.equals(header);
  }

  private String jwt(Map<String, String> form) throws IOException {
    long now = Instant.now().getEpochSecond();
    lastJti = UUID.randomUUID().toString();
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("iss", "http://127.0.0.1/");
    claims.put("sub", CLIENT_ID);
    claims.put("aud", form.getOrDefault("audience", "any"));
    claims.put("scope", form.getOrDefault("scope", ""));
    claims.put("iat", now);
    claims.put("exp", now + lifetimeSeconds);
    claims.put("jti", lastJti);
    String header = base64Url(JSON.writeValueAsBytes(Map.of("alg", "RS256", "typ", "JWT")));
    String payload = base64Url(JSON.writeValueAsBytes(claims));
    String signingInput = header + "." + payload;
    try {
      Signature signature = Signature.getInstance("SHA256withRSA");
      signature.initSign(KEY.getPrivate());
      signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + base64Url(signature.sign());
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException(e);
    }
  }

  private static Map<String, String> form(HttpExchange exchange) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    Map<String, String> form = new LinkedHashMap<>();
    for (String pair : body.split("&")) {
      int equals = pair.indexOf('=');
      if (equals > 0) {
        form.put(pair.substring(0, equals),
            URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
      }
    }
    return form;
  }

  private static void answer(HttpExchange exchange, int status, Map<String, ?> body)
      throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  private static KeyPair newKey() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String base64Url(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
