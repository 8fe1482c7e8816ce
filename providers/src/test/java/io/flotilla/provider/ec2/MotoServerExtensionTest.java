package io.flotilla.provider.ec2;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class MotoServerExtensionTest {

  @Test
  void requireSimulator_whenMissingOnCi_fails() {
    assertThatThrownBy(() -> MotoServerExtension.requireSimulator(
            Optional.empty(), "/usr/bin", "true"))
        .isInstanceOf(AssertionFailedError.class)
        .hasMessage("CI=true but moto_server is not on PATH (/usr/bin); install moto[server] 5.x "
            + "to run the EC2 simulator tests");
  }

  @Test
  void requireSimulator_whenMissingOutsideCi_skips() {
    assertThatThrownBy(() -> MotoServerExtension.requireSimulator(
            Optional.empty(), "/usr/bin", null))
        .isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("moto_server is not on PATH");
    assertThatThrownBy(() -> MotoServerExtension.requireSimulator(
            Optional.empty(), "/usr/bin", "false"))
        .isInstanceOf(TestAbortedException.class);
  }

  @Test
  void requireSimulator_whenPresent_letsTestsRun() {
    assertThatCode(() -> MotoServerExtension.requireSimulator(
            Optional.of(Path.of("/usr/local/bin/moto_server")), "/usr/local/bin", "true"))
        .doesNotThrowAnyException();
  }
}
