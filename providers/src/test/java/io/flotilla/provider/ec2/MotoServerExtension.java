package io.flotilla.provider.ec2;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs the real EC2 simulator {@code moto_server} on a free 127.0.0.1 port, once per test
 * class, with a state reset before each test. Register as a static field with
 * {@code @RegisterExtension}.
 *
 * <p>moto's ~1,200 default images are not loaded (they cost seconds after every reset); each
 * test gets one Linux image registered after the reset instead, {@link #linuxAmi()}.
 *
 * <p>Without {@code moto_server} on PATH the tests are skipped, except when the environment
 * variable CI is "true": then they fail, so a CI image that lost the simulator is noticed.
 */
final class MotoServerExtension implements BeforeAllCallback, BeforeEachCallback,
    AfterAllCallback {

  static final String REGION = "us-east-1";

  private static final String EXECUTABLE = "moto_server";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
  private static final int START_ATTEMPTS = 3;

  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2))
      .proxy(HttpClient.Builder.NO_PROXY)
      .build();
  private Process process;
  private Thread reaper;
  private int port;
  private Path log;
  private String linuxAmi;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    Optional<Path> executable = findOnPath(EXECUTABLE);
    requireSimulator(executable, System.getenv("PATH"), System.getenv("CI"));
    log = Files.createTempFile("moto-server-", ".log");
    start(executable.orElseThrow());
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    HttpResponse<String> answer = http.send(
        HttpRequest.newBuilder(endpoint().resolve("/moto-api/reset"))
            .POST(HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    if (answer.statusCode() != 200) {
      Assertions.fail("moto reset answered HTTP " + answer.statusCode() + ": " + answer.body());
    }
    linuxAmi = new MotoClient(endpoint()).registerLinuxImage();
  }

  /** The id of a Linux (never Windows) image registered for the current test. */
  String linuxAmi() {
    return linuxAmi;
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    stop();
    if (reaper != null) {
      Runtime.getRuntime().removeShutdownHook(reaper);
    }
    if (log != null) {
      Files.deleteIfExists(log);
    }
  }

  /**
   * Fails (CI is "true") or skips the test class (otherwise) when the simulator is missing.
   */
  static void requireSimulator(Optional<Path> executable, String path, String ci) {
    if (executable.isPresent()) {
      return;
    }
    String reason = EXECUTABLE + " is not on PATH (" + path
        + "); install moto[server] 5.x to run the EC2 simulator tests";
    if ("true".equals(ci)) {
      Assertions.fail("CI=true but " + reason);
    }
    Assumptions.abort(reason);
  }

  /** The simulator's base URL, http://127.0.0.1:PORT/. */
  URI endpoint() {
    return URI.create("http://127.0.0.1:" + port + "/");
  }

  int port() {
    return port;
  }

  private void start(Path executable) throws Exception {
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      port = freePort();
      ProcessBuilder builder = new ProcessBuilder(executable.toString(), "-H", "127.0.0.1",
          "-p", Integer.toString(port));
      builder.environment().put("MOTO_EC2_LOAD_DEFAULT_AMIS", "false");
      process = builder
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
      reaper = new Thread(this::stopQuietly, "moto-server-reaper");
      Runtime.getRuntime().addShutdownHook(reaper);
      if (awaitReady()) {
        return;
      }
      stop();
      Runtime.getRuntime().removeShutdownHook(reaper);
    }
    Assertions.fail(EXECUTABLE + " did not answer on 127.0.0.1 within " + START_TIMEOUT
        + " after " + START_ATTEMPTS + " attempts; its output: " + Files.readString(log));
  }

  /** True once moto answers; false if it died (e.g. the port was taken meanwhile). */
  private boolean awaitReady() throws InterruptedException {
    Instant deadline = Instant.now().plus(START_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        return false;
      }
      try {
        http.send(HttpRequest.newBuilder(endpoint().resolve("/moto-api/"))
                .timeout(Duration.ofSeconds(2)).GET().build(),
            HttpResponse.BodyHandlers.discarding());
        return true;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    return false;
  }

  private synchronized void stop() throws InterruptedException {
    if (process == null) {
      return;
    }
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }
    children.forEach(ProcessHandle::destroyForcibly);
    process = null;
  }

  private void stopQuietly() {
    try {
      stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
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
      if (directory.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(directory, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
