package io.flotilla.provider.openstack;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Raw Keystone, Glance and Nova REST calls the tests need and the provider does not make:
 * set-up (an image, a flavour, an application credential) and independent reads of what
 * the provider did (a server at a chosen microversion). Admin credentials from the box's
 * openrc; every URL is the box's own, on 127.0.0.1.
 */
final class OpenStackBoxClient {

  /** An application credential as Keystone made it. */
  record ApplicationCredential(String id, String secret) {
    @Override
    public String toString() {
      return "ApplicationCredential[id=" + id + ", secret=<redacted>]";
    }
  }

  private static final Gson GSON = new Gson();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5))
      .proxy(HttpClient.Builder.NO_PROXY)
      .build();
  private final URI keystone;
  private final Map<String, String> openrc;
  private String token;
  private String userId;
  private String projectId;
  private URI nova;
  private URI glance;

  OpenStackBoxClient(URI keystone, Map<String, String> openrc) {
    this.keystone = keystone;
    this.openrc = Map.copyOf(openrc);
  }

  /** Logs in as the openrc's user (password, project scope) and reads the catalog. */
  synchronized void login() throws IOException, InterruptedException {
    Map<String, Object> user = Map.of("name", openrc.get("OS_USERNAME"),
        "domain", Map.of("name", openrc.get("OS_USER_DOMAIN_NAME")),
        "password", openrc.get("OS_PASSWORD"));
    Map<String, Object> auth = Map.of("auth", Map.of(
        "identity", Map.of("methods", List.of("password"), "password", Map.of("user", user)),
        "scope", Map.of("project", Map.of("name", openrc.get("OS_PROJECT_NAME"),
            "domain", Map.of("name", openrc.get("OS_PROJECT_DOMAIN_NAME"))))));
    HttpResponse<String> answer = send(HttpRequest.newBuilder(resolve(keystone, "auth/tokens"))
        .header("Content-Type", "application/json")
        .POST(BodyPublishers.ofString(GSON.toJson(auth))), 201);
    token = answer.headers().firstValue("X-Subject-Token").orElseThrow();
    JsonObject body = JsonParser.parseString(answer.body()).getAsJsonObject()
        .getAsJsonObject("token");
    userId = body.getAsJsonObject("user").get("id").getAsString();
    projectId = body.getAsJsonObject("project").get("id").getAsString();
    nova = endpoint(body, "compute");
    glance = endpoint(body, "image");
  }

  URI novaUrl() {
    return nova;
  }

  URI glanceUrl() {
    return glance;
  }

  /** GET /v2/images/{id} from Glance; empty on 404. */
  Optional<JsonObject> image(String id) throws IOException, InterruptedException {
    HttpResponse<String> answer = http.send(authorized(resolve(glance, "v2/images/" + id))
        .GET().build(), BodyHandlers.ofString());
    if (answer.statusCode() == 404) {
      return Optional.empty();
    }
    check(answer, 200);
    return Optional.of(JsonParser.parseString(answer.body()).getAsJsonObject());
  }

  /** Ids of the images with exactly this name, whatever their status. */
  List<String> imageIdsNamed(String name) throws IOException, InterruptedException {
    List<String> ids = new ArrayList<>();
    for (JsonElement image : getJson(glance, "v2/images?name=" + encode(name), null)
        .getAsJsonArray("images")) {
      ids.add(image.getAsJsonObject().get("id").getAsString());
    }
    return ids;
  }

  void deleteImage(String id) throws IOException, InterruptedException {
    HttpResponse<String> answer = http.send(authorized(resolve(glance, "v2/images/" + id))
        .DELETE().build(), BodyHandlers.ofString());
    if (answer.statusCode() != 204 && answer.statusCode() != 404) {
      check(answer, 204);
    }
  }

  /** The id of the public raw image with this name, uploading a 1 MiB one if missing. */
  String ensureImage(String name) throws IOException, InterruptedException {
    JsonArray images = getJson(glance, "v2/images?name=" + encode(name), null)
        .getAsJsonArray("images");
    if (!images.isEmpty()) {
      return images.get(0).getAsJsonObject().get("id").getAsString();
    }
    Map<String, Object> image = Map.of("name", name, "disk_format", "raw",
        "container_format", "bare", "visibility", "public");
    String id = JsonParser.parseString(send(authorized(resolve(glance, "v2/images"))
        .header("Content-Type", "application/json")
        .POST(BodyPublishers.ofString(GSON.toJson(image))), 201).body())
        .getAsJsonObject().get("id").getAsString();
    send(authorized(resolve(glance, "v2/images/" + id + "/file"))
        .header("Content-Type", "application/octet-stream")
        .PUT(BodyPublishers.ofByteArray(new byte[1024 * 1024])), 204);
    return id;
  }

  /** The id of the flavour with this name (1 vCPU, 64 MiB, 1 GB), made if missing. */
  String ensureFlavour(String name) throws IOException, InterruptedException {
    for (JsonElement flavour : getJson(nova, "flavors", null).getAsJsonArray("flavors")) {
      if (flavour.getAsJsonObject().get("name").getAsString().equals(name)) {
        return flavour.getAsJsonObject().get("id").getAsString();
      }
    }
    Map<String, Object> flavour = Map.of("flavor",
        Map.of("name", name, "vcpus", 1, "ram", 64, "disk", 1));
    return JsonParser.parseString(send(authorized(resolve(nova, "flavors"))
        .header("Content-Type", "application/json")
        .POST(BodyPublishers.ofString(GSON.toJson(flavour))), 200).body())
        .getAsJsonObject().getAsJsonObject("flavor").get("id").getAsString();
  }

  /** A new application credential of the logged-in user for its project. */
  ApplicationCredential createApplicationCredential(String name)
      throws IOException, InterruptedException {
    Map<String, Object> request = Map.of("application_credential", Map.of("name", name));
    JsonObject made = JsonParser.parseString(send(
        authorized(resolve(keystone, "users/" + userId + "/application_credentials"))
            .header("Content-Type", "application/json")
            .POST(BodyPublishers.ofString(GSON.toJson(request))), 201).body())
        .getAsJsonObject().getAsJsonObject("application_credential");
    return new ApplicationCredential(made.get("id").getAsString(),
        made.get("secret").getAsString());
  }

  void deleteApplicationCredential(String id) throws IOException, InterruptedException {
    send(authorized(resolve(keystone, "users/" + userId + "/application_credentials/" + id))
        .DELETE(), 204);
  }

  /** GET /servers/{id} at this compute microversion; empty on 404. */
  Optional<JsonObject> server(String id, String microversion)
      throws IOException, InterruptedException {
    HttpResponse<String> answer = http.send(authorized(resolve(nova, "servers/" + id))
        .header("OpenStack-API-Version", "compute " + microversion).GET().build(),
        BodyHandlers.ofString());
    if (answer.statusCode() == 404) {
      return Optional.empty();
    }
    check(answer, 200);
    return Optional.of(JsonParser.parseString(answer.body()).getAsJsonObject()
        .getAsJsonObject("server"));
  }

  /** Nova's quota set of the logged-in project with usage ({@code os-quota-sets/../detail}). */
  JsonObject quotaSet() throws IOException, InterruptedException {
    return getJson(nova, "os-quota-sets/" + projectId + "/detail", null)
        .getAsJsonObject("quota_set");
  }

  /** Ids of the servers whose name starts with this prefix (Nova's regex name filter). */
  List<String> serverIdsNamed(String prefix) throws IOException, InterruptedException {
    List<String> ids = new ArrayList<>();
    for (JsonElement server : getJson(nova, "servers?name=" + encode("^" + prefix), null)
        .getAsJsonArray("servers")) {
      ids.add(server.getAsJsonObject().get("id").getAsString());
    }
    return ids;
  }

  void deleteServer(String id) throws IOException, InterruptedException {
    HttpResponse<String> answer = http.send(authorized(resolve(nova, "servers/" + id))
        .DELETE().build(), BodyHandlers.ofString());
    if (answer.statusCode() != 204 && answer.statusCode() != 404) {
      check(answer, 204);
    }
  }

  private JsonObject getJson(URI base, String path, String microversion)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = authorized(resolve(base, path)).GET();
    if (microversion != null) {
      request.header("OpenStack-API-Version", "compute " + microversion);
    }
    return JsonParser.parseString(send(request, 200).body()).getAsJsonObject();
  }

  private HttpRequest.Builder authorized(URI uri) {
    return HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("X-Auth-Token", token);
  }

  private HttpResponse<String> send(HttpRequest.Builder request, int expected)
      throws IOException, InterruptedException {
    HttpResponse<String> answer = http.send(request.timeout(TIMEOUT).build(),
        BodyHandlers.ofString());
    check(answer, expected);
    return answer;
  }

  private static void check(HttpResponse<String> answer, int expected) throws IOException {
    if (answer.statusCode() != expected) {
      throw new IOException(answer.request().method() + " " + answer.request().uri()
          + " answered HTTP " + answer.statusCode() + " (expected " + expected + "): "
          + answer.body());
    }
  }

  private URI endpoint(JsonObject token, String type) {
    String region = openrc.getOrDefault("OS_REGION_NAME", "RegionOne");
    for (JsonElement service : token.getAsJsonArray("catalog")) {
      if (!service.getAsJsonObject().get("type").getAsString().equals(type)) {
        continue;
      }
      for (JsonElement endpoint : service.getAsJsonObject().getAsJsonArray("endpoints")) {
        JsonObject e = endpoint.getAsJsonObject();
        if (e.get("interface").getAsString().equals("public")
            && e.get("region").getAsString().equals(region)) {
          return URI.create(e.get("url").getAsString());
        }
      }
    }
    throw new IllegalStateException("no public " + type + " endpoint in region " + region);
  }

  private static URI resolve(URI base, String path) {
    String text = base.toString();
    return URI.create((text.endsWith("/") ? text : text + "/") + path);
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
