package io.flotilla.provider.ec2;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.flotilla.provider.CloudMachine;
import io.flotilla.provider.CloudException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * With every logger at DEBUG (jclouds' wire, header and signature logs included), neither the
 * secret key nor the user-data shows up in any log event or logged stack trace, on success
 * paths and on the lost-answer recovery path.
 */
class Ec2LoggingMotoTest {

  @RegisterExtension
  static final MotoServerExtension moto = new MotoServerExtension();

  private static final String SECRET = "SECRETMARKER0123456789abcdefSECRETMARKER";
  private static final String USER_DATA = "#cloud-config\n# USERDATAMARKER token=abc123\n";

  private final ListAppender<ILoggingEvent> events = new ListAppender<>();
  private ch.qos.logback.classic.Logger root;
  private Level rootLevel;

  @BeforeEach
  void captureEverything() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    rootLevel = root.getLevel();
    root.setLevel(Level.ALL);
    events.setContext(context);
    events.start();
    root.addAppender(events);
  }

  @AfterEach
  void restore() {
    root.detachAppender(events);
    root.setLevel(rootLevel);
  }

  @Test
  void lifecycle_withLostAnswer_logsNoSecretAndNoUserData() throws Exception {
    byte[] userData = USER_DATA.getBytes(StandardCharsets.UTF_8);
    Ec2Credentials key = new Ec2Credentials("AKIDLOGTEST", SECRET);
    try (LoopbackHttpProxy proxy = new LoopbackHttpProxy(moto.port());
        Ec2Cloud cloud = new Ec2Cloud("moto", Ec2TestClouds.options(proxy.endpoint()), key,
            Clock.systemUTC(), new Properties())) {
      proxy.dropResponses("RunInstances", 1);

      CloudMachine machine = cloud.create(
          Ec2TestClouds.spec(moto.linuxAmi(), "m-log-1", userData));
      cloud.describe(machine.cloudId());
      cloud.destroy(machine.cloudId());
      proxy.close();
      try {
        cloud.create(Ec2TestClouds.spec(moto.linuxAmi(), "m-log-2", userData));
      } catch (CloudException expected) {
        LoggerFactory.getLogger(getClass()).warn("create failed as expected", expected);
      }
    }

    List<String> logged = events.list.stream()
        .map(event -> event.getFormattedMessage() + "\n" + (event.getThrowableProxy() == null
            ? "" : ThrowableProxyUtil.asString(event.getThrowableProxy())))
        .toList();
    String base64 = Base64.getEncoder().encodeToString(USER_DATA.getBytes(StandardCharsets.UTF_8));
    assertThat(logged).as("log events").hasSizeGreaterThan(10)
        .anySatisfy(line -> assertThat(line).contains("ec2 create answer lost"))
        .allSatisfy(line -> assertThat(line)
            .doesNotContain(SECRET)
            .doesNotContain("USERDATAMARKER")
            .doesNotContain(base64.substring(0, 24)));
  }
}
