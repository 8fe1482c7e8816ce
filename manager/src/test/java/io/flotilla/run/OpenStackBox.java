package io.flotilla.run;

import com.google.gson.Gson;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The running OpenStack box of tools/openstack-box for the manager's end-to-end test, as
 * the provider tests' OpenStackBoxExtension finds it: {@code $OSBOX_DIR/state/openrc}
 * (default /tmp/osbox), Keystone answering, admin login. Without a box the test is skipped,
 * or fails when CI=true. Raw REST reads of what the manager left in Nova and Glance; every
 * URL is the box's own, on 127.0.0.1.
 */
final class OpenStackBox {

  private static final Pattern EXPORT =
      Pattern.compile("export\\s+([A-Z_][A-Z0-9_]*)=(?:'([^']*)'|\"([^\"]*)\"|(\\S*))");
  private static final Gson GSON = new Gson();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
      .proxy(HttpClient.Builder.NO_PROXY).build();
  private final Map<String, String> openrc;
  private String token;
  private URI nova;
  private URI glance;

  private OpenStackBox(Map<String, String> openrc) {
    this.openrc = openrc;
  }

  /** The running box, logged in; skips (or fails when CI=true) when there is none. */
  static OpenStackBox require() throws IOException, InterruptedException {
    String dir = System.getenv("OSBOX_DIR");
    Path openrcFile = Path.of(dir == null || dir.isBlank() ? "/tmp/osbox" : dir,
        "state", "openrc");
    if (!Files.isRegularFile(openrcFile)) {
      unavailable(openrcFile + " does not exist");
    }
    OpenStackBox box = new OpenStackBox(parseOpenrc(Files.readString(openrcFile)));
    try {
      box.login();
    } catch (IOException e) {
      unavailable("Keystone at " + box.keystone() + " does not answer: " + e.getMessage());
    }
    return box;
  }

  private static void unavailable(String reason) {
    String message = "the OpenStack box is not running: " + reason
        + "; start it with tools/openstack-box/start.sh (needs root, about 90 s)";
    if ("true".equals(System.getenv("CI"))) {
      Assertions.fail("CI=true but " + message);
    }
    Assumptions.abort(message);
  }

  String keystone() {
    return openrc.get("OS_AUTH_URL");
  }

  String get(String name) {
    return openrc.get(name);
  }

  /** The id of the flavour with this name (1 vCPU, 64 MiB, 1 GB), made if missing. */
  String ensureFlavour(String name) throws IOException, InterruptedException {
    for (JsonElement flavour : getJson(nova, "flavors").getAsJsonArray("flavors")) {
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

  /** Servers Nova lists now (not deleted) whose metadata carry this site tag. */
  List<String> liveServersOfSite(String site) throws IOException, InterruptedException {
    List<String> ids = new ArrayList<>();
    for (JsonElement server : getJson(nova, "servers/detail").getAsJsonArray("servers")) {
      JsonObject metadata = server.getAsJsonObject().getAsJsonObject("metadata");
      if (metadata != null && metadata.has("flotilla-site")
          && metadata.get("flotilla-site").getAsString().equals(site)) {
        ids.add(server.getAsJsonObject().get("id").getAsString());
      }
    }
    return ids;
  }

  /** Server id to image id for deleted servers (admin view; their metadata are purged). */
  Map<String, String> deletedServerImages() throws IOException, InterruptedException {
    Map<String, String> images = new LinkedHashMap<>();
    for (JsonElement server : getJson(nova, "servers/detail?deleted=true")
        .getAsJsonArray("servers")) {
      JsonObject object = server.getAsJsonObject();
      JsonElement image = object.get("image");
      if (image != null && image.isJsonObject()) {
        images.put(object.get("id").getAsString(),
            image.getAsJsonObject().get("id").getAsString());
      }
    }
    return images;
  }

  /** Glance images carrying {@code flotilla_image_id = imageId}. */
  List<JsonObject> imagesOf(String imageId) throws IOException, InterruptedException {
    List<JsonObject> found = new ArrayList<>();
    String query = "v2/images?flotilla_image_id=" + URLEncoder.encode(imageId,
        StandardCharsets.UTF_8);
    for (JsonElement image : getJson(glance, query).getAsJsonArray("images")) {
      found.add(image.getAsJsonObject());
    }
    return found;
  }

  void deleteImage(String id) throws IOException, InterruptedException {
    HttpResponse<String> answer = http.send(authorized(resolve(glance, "v2/images/" + id))
        .DELETE().build(), BodyHandlers.ofString());
    if (answer.statusCode() != 204 && answer.statusCode() != 404) {
      check(answer, 204);
    }
  }

  private void login() throws IOException, InterruptedException {
    Map<String, Object> user = Map.of("name", openrc.get("OS_USERNAME"),
        "domain", Map.of("name", openrc.get("OS_USER_DOMAIN_NAME")),
        "password", openrc.get("OS_PASSWORD"));
    Map<String, Object> auth = Map.of("auth", Map.of(
        "identity", Map.of("methods", List.of("password"), "password", Map.of("user", user)),
        "scope", Map.of("project", Map.of("name", openrc.get("OS_PROJECT_NAME"),
            "domain", Map.of("name", openrc.get("OS_PROJECT_DOMAIN_NAME"))))));
    HttpResponse<String> answer = send(HttpRequest.newBuilder(
        resolve(URI.create(keystone()), "auth/tokens"))
        .header("Content-Type", "application/json")
        .POST(BodyPublishers.ofString(GSON.toJson(auth))), 201);
    token = answer.headers().firstValue("X-Subject-Token").orElseThrow();
    JsonObject body = JsonParser.parseString(answer.body()).getAsJsonObject()
        .getAsJsonObject("token");
    nova = endpoint(body, "compute");
    glance = endpoint(body, "image");
  }

  private JsonObject getJson(URI base, String path) throws IOException, InterruptedException {
    return JsonParser.parseString(send(authorized(resolve(base, path)).GET(), 200).body())
        .getAsJsonObject();
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

  private URI endpoint(JsonObject body, String type) {
    String region = openrc.getOrDefault("OS_REGION_NAME", "RegionOne");
    for (JsonElement service : body.getAsJsonArray("catalog")) {
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

  private static Map<String, String> parseOpenrc(String text) {
    Map<String, String> values = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      Matcher matcher = EXPORT.matcher(line.strip());
      if (matcher.matches()) {
        String value = matcher.group(2) != null ? matcher.group(2)
            : matcher.group(3) != null ? matcher.group(3) : matcher.group(4);
        values.put(matcher.group(1), value);
      }
    }
    return values;
  }
}
