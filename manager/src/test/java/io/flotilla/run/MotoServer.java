package io.flotilla.run;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * {@code moto_server}, the EC2 simulator, on a free 127.0.0.1 port for the manager's tests:
 * a minimal copy of the providers' test extension (test classes do not cross modules), plus
 * a backdoor listing of every instance moto holds. Without {@code moto_server} on PATH the
 * calling test is skipped, or fails when the environment variable CI is "true".
 */
final class MotoServer implements AutoCloseable {

  static final String REGION = "us-east-1";
  private static final String EXECUTABLE = "moto_server";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2))
      .proxy(HttpClient.Builder.NO_PROXY)
      .build();
  private final Process process;
  private final int port;
  private final Path log;

  private MotoServer(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Starts moto without its default images (they cost seconds) and waits until it answers. */
  static MotoServer start() throws Exception {
    Path executable = findOnPath(EXECUTABLE).orElse(null);
    if (executable == null) {
      String reason = EXECUTABLE + " is not on PATH; install moto[server] 5.x";
      if ("true".equals(System.getenv("CI"))) {
        Assertions.fail("CI=true but " + reason);
      }
      Assumptions.abort(reason);
    }
    Path log = Files.createTempFile("moto-server-", ".log");
    int port = freePort();
    ProcessBuilder builder = new ProcessBuilder(executable.toString(), "-H", "127.0.0.1",
        "-p", Integer.toString(port));
    builder.environment().put("MOTO_EC2_LOAD_DEFAULT_AMIS", "false");
    Process process = builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
    MotoServer moto = new MotoServer(process, port, log);
    moto.awaitReady();
    return moto;
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** Registers a Linux x86_64 image and returns its id. */
  String registerLinuxImage() throws Exception {
    Document answer = call(Map.of("Action", "RegisterImage", "Name", "flotilla-e2e-linux",
        "Architecture", "x86_64", "VirtualizationType", "hvm", "RootDeviceName", "/dev/xvda"));
    return answer.getElementsByTagName("imageId").item(0).getTextContent();
  }

  /** The state name of every instance moto holds, by instance id. */
  Map<String, String> instanceStates() throws Exception {
    Document answer = call(Map.of("Action", "DescribeInstances"));
    Map<String, String> states = new LinkedHashMap<>();
    NodeList sets = answer.getElementsByTagName("instancesSet");
    for (int i = 0; i < sets.getLength(); i++) {
      for (Element item : children((Element) sets.item(i), "item")) {
        Element state = children(item, "instanceState").get(0);
        states.put(children(item, "instanceId").get(0).getTextContent(),
            children(state, "name").get(0).getTextContent());
      }
    }
    return states;
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> found = new ArrayList<>();
    for (Node child = parent.getFirstChild(); child != null; child = child.getNextSibling()) {
      if (child instanceof Element element && element.getTagName().equals(name)) {
        found.add(element);
      }
    }
    return found;
  }

  @Override
  public void close() throws Exception {
    List<ProcessHandle> children = new ArrayList<>(process.descendants().toList());
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
    children.forEach(ProcessHandle::destroyForcibly);
    Files.deleteIfExists(log);
  }

  private void awaitReady() throws Exception {
    Instant deadline = Instant.now().plus(START_TIMEOUT);
    while (Instant.now().isBefore(deadline) && process.isAlive()) {
      try {
        http.send(HttpRequest.newBuilder(endpoint().resolve("/moto-api/"))
            .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding());
        return;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    String output = Files.readString(log);
    close();
    Assertions.fail(EXECUTABLE + " did not answer within " + START_TIMEOUT + ": " + output);
  }

  private Document call(Map<String, String> params) throws Exception {
    Map<String, String> form = new LinkedHashMap<>(params);
    form.put("Version", "2016-11-15");
    String body = form.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
            + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
    HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(endpoint())
            .header("Content-Type", "application/x-www-form-urlencoded")
            // moto checks no signature; it reads the region from the credential scope.
            .header("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/" + REGION
                + "/ec2/aws4_request, SignedHeaders=host, Signature=0")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != 200) {
      throw new IOException(params.get("Action") + " answered HTTP " + response.statusCode());
    }
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return factory.newDocumentBuilder().parse(new ByteArrayInputStream(response.body()));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static Optional<Path> findOnPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String directory : path.split(File.pathSeparator)) {
      Path candidate = directory.isEmpty() ? null : Path.of(directory, name);
      if (candidate != null && Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
