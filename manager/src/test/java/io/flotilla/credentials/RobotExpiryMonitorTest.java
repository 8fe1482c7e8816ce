package io.flotilla.credentials;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.flotilla.config.MetricsConfig;
import io.flotilla.metrics.Metrics;
import io.flotilla.metrics.MetricsServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class RobotExpiryMonitorTest {
  @TempDir static Path dir;
  static Path[] robot;

  private final ListAppender<ILoggingEvent> warnings = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(RobotExpiryMonitor.class);
  private final Metrics metrics = new Metrics();

  @BeforeAll
  static void makeRobot() {
    robot = OpenSslPki.create(dir).rsaRobot("robot", 10);
  }

  @BeforeEach
  void capture() {
    warnings.start();
    logger.addAppender(warnings);
  }

  @AfterEach
  void release() {
    logger.detachAppender(warnings);
    metrics.close();
  }

  @Test
  void check_withinWindow_warnsAndGaugeShowsSecondsLeft() {
    RenewableCredential credential =
        new RenewableCredential("atlas", robot[0], robot[1], Clock.systemUTC());
    Instant expiry = credential.get().robotNotAfter();
    Clock clock = Clock.fixed(expiry.minus(Duration.ofDays(3)), ZoneOffset.UTC);
    RobotExpiryMonitor monitor = new RobotExpiryMonitor(Map.of("atlas", credential),
        Duration.ofDays(14), clock, metrics.registry());

    int warned = monitor.check();

    assertThat(warned).isEqualTo(1);
    assertThat(warnings.list).singleElement().satisfies(event -> assertThat(
        event.getFormattedMessage()).isEqualTo("robot certificate expires soon vo=atlas file="
            + robot[0] + " subject=" + OpenSslPki.ROBOT_SUBJECT + " expires=" + expiry
            + " daysLeft=3"));
    assertThat(metrics.scrape()).contains(
        "flotilla_robot_certificate_seconds_to_expiry{vo=\"atlas\"} 259200.0");
  }

  @Test
  void check_outsideWindow_staysQuiet() {
    RenewableCredential credential =
        new RenewableCredential("atlas", robot[0], robot[1], Clock.systemUTC());
    RobotExpiryMonitor monitor = new RobotExpiryMonitor(Map.of("atlas", credential),
        Duration.ofDays(2), Clock.systemUTC(), metrics.registry());

    assertThat(monitor.check()).isZero();
    assertThat(warnings.list).isEmpty();
  }

  @Test
  void metricsServer_servesPrometheusTextAtMetricsOnly() throws Exception {
    RenewableCredential credential =
        new RenewableCredential("atlas", robot[0], robot[1], Clock.systemUTC());
    new RobotExpiryMonitor(Map.of("atlas", credential), Duration.ofDays(14),
        Clock.systemUTC(), metrics.registry());
    Vertx vertx = Vertx.vertx();
    try {
      HttpServer server = MetricsServer.start(vertx, new MetricsConfig(true, "127.0.0.1", 0),
          metrics).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + server.actualPort();

      HttpResponse<String> scrape = http.send(HttpRequest.newBuilder(
          URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> other = http.send(HttpRequest.newBuilder(
          URI.create(base + "/machines")).build(), HttpResponse.BodyHandlers.ofString());

      assertThat(scrape.statusCode()).isEqualTo(200);
      assertThat(scrape.headers().firstValue("Content-Type"))
          .hasValue("text/plain; version=0.0.4; charset=utf-8");
      assertThat(scrape.body()).contains("# TYPE flotilla_robot_certificate_seconds_to_expiry"
          + " gauge", "flotilla_credential_source_seconds_to_expiry{vo=\"atlas\"}");
      assertThat(other.statusCode()).isEqualTo(404);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void renewableCredential_whenFileReplaced_usesTheNewOne() throws Exception {
    OpenSslPki pki = OpenSslPki.create(Files.createDirectories(dir.resolve("renew")));
    Path source = SourceProxies.bouncyCastleProxy(pki, pki.rsaRobot("r", 5), "proxy.pem",
        SourceProxies.Spec.hours(2));
    RenewableCredential credential =
        new RenewableCredential("atlas", source, source, Clock.systemUTC());
    Instant first = credential.get().notAfter();

    Thread.sleep(20);
    SourceProxies.bouncyCastleProxy(pki, new Path[] {dir.resolve("renew/r.pem"),
        dir.resolve("renew/r.key")}, "proxy.pem", SourceProxies.Spec.hours(6));

    assertThat(credential.get().notAfter()).isAfter(first.plus(Duration.ofHours(3)));
  }
}
