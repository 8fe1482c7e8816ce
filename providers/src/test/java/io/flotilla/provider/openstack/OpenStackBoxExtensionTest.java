package io.flotilla.provider.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class OpenStackBoxExtensionTest {

  @Test
  void openrcPath_defaultsToTmpOsbox() {
    assertThat(OpenStackBoxExtension.openrcPath(name -> null))
        .isEqualTo(Path.of("/tmp/osbox/state/openrc"));
    assertThat(OpenStackBoxExtension.openrcPath(Map.of("OSBOX_DIR", "/srv/box")::get))
        .isEqualTo(Path.of("/srv/box/state/openrc"));
  }

  @Test
  void requireBox_inCi_failsNamingTheReason() {
    assertThatThrownBy(() -> OpenStackBoxExtension.requireBox("no openrc", "true"))
        .isInstanceOf(AssertionFailedError.class)
        .hasMessageStartingWith("CI=true but the OpenStack box is not running: no openrc");
  }

  @Test
  void requireBox_outsideCi_skips() {
    assertThatThrownBy(() -> OpenStackBoxExtension.requireBox("no openrc", null))
        .isInstanceOf(TestAbortedException.class);
  }

  @Test
  void parseOpenrc_readsExportsWithAndWithoutQuotes() {
    Map<String, String> values = OpenStackBoxExtension.parseOpenrc(
        "# admin\nexport OS_AUTH_URL=http://127.0.0.1:15000/v3\nexport OS_PASSWORD='p w'\n"
            + "export OS_PROJECT_NAME=\"admin\"\nunset OS_TOKEN\n");

    assertThat(values).containsExactly(Map.entry("OS_AUTH_URL", "http://127.0.0.1:15000/v3"),
        Map.entry("OS_PASSWORD", "p w"), Map.entry("OS_PROJECT_NAME", "admin"));
  }
}
