package io.flotilla.trust;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VersionOrderTest {

  @ParameterizedTest(name = "{0} < {1}")
  @CsvSource({
      "1.9, 1.10",
      "2015061821140, 20150618211400",
      "3.3.0-1, 3.3.0-2",
      "1.0, 1.0.1",
      "1.0a, 1.0b",
      "9, 10",
      "v2, v10",
      "007, 8",
      "99999999999999999999, 100000000000000000000"})
  void compare_ordersDigitRunsNumerically(String lower, String higher) {
    assertThat(VersionOrder.INSTANCE.compare(lower, higher)).isNegative();
    assertThat(VersionOrder.INSTANCE.compare(higher, lower)).isPositive();
  }

  @ParameterizedTest
  @CsvSource({"1.2.3, 1.2.3", "01, 1", "'', ''"})
  void compare_whenEquivalent_isZero(String first, String second) {
    assertThat(VersionOrder.INSTANCE.compare(first, second)).isZero();
  }
}
