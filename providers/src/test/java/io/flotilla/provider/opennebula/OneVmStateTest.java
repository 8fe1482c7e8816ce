package io.flotilla.provider.opennebula;

import static org.assertj.core.api.Assertions.assertThat;

import io.flotilla.provider.CloudState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OneVmStateTest {

  @ParameterizedTest
  @CsvSource({
      "0, 0, PENDING, INIT", "1, 0, PENDING, PENDING", "2, 0, PENDING, HOLD",
      "3, 1, PENDING, ACTIVE/PROLOG", "3, 2, PENDING, ACTIVE/BOOT",
      "3, 3, RUNNING, ACTIVE/RUNNING", "3, 11, STOPPING, ACTIVE/EPILOG",
      "3, 16, UNKNOWN, ACTIVE/UNKNOWN", "3, 36, ERROR, ACTIVE/BOOT_FAILURE",
      "3, 39, ERROR, ACTIVE/PROLOG_FAILURE", "3, 14, ERROR, ACTIVE/FAILURE",
      "4, 0, STOPPED, STOPPED", "5, 0, STOPPED, SUSPENDED", "6, 0, GONE, DONE",
      "7, 0, ERROR, FAILED", "8, 0, STOPPED, POWEROFF", "9, 0, STOPPED, UNDEPLOYED",
      "10, 0, PENDING, CLONING", "11, 0, ERROR, CLONING_FAILURE"})
  void portable_whenDocumentedNumbers_mapsStateAndKeepsText(
      int state, int lcm, CloudState portable, String raw) {
    assertThat(OneVmState.portable(state, lcm)).isEqualTo(portable);
    assertThat(OneVmState.raw(state, lcm)).isEqualTo(raw);
  }

  @ParameterizedTest
  @CsvSource({"42, 0, STATE_42", "3, 99, ACTIVE/LCM_99", "-1, -1, STATE_-1"})
  void portable_whenUnknownNumbers_isUnknownNotFatal(int state, int lcm, String raw) {
    assertThat(OneVmState.portable(state, lcm)).isEqualTo(CloudState.UNKNOWN);
    assertThat(OneVmState.raw(state, lcm)).isEqualTo(raw);
  }
}
