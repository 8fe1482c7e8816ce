package io.flotilla.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ShellAssignmentsTest {

  @Test
  void parse_readsQuotedAndBareValuesAsShellWould() {
    String script = "# profile\n"
        + "export A='http://h/x?a=1&b=2'\n"
        + "export B=\"say \\\"hi\\\" \\$HOME\"\n"
        + "C=plain\\ word\n"
        + "export D='it'\\''s'\"-\"joined\n"
        + "export E=7 F='' # trailing comment\n";

    Map<String, String> vars = ShellAssignments.parse(script, "test.sh");

    assertThat(vars).containsExactly(
        Map.entry("A", "http://h/x?a=1&b=2"),
        Map.entry("B", "say \"hi\" $HOME"),
        Map.entry("C", "plain word"),
        Map.entry("D", "it's-joined"),
        Map.entry("E", "7"),
        Map.entry("F", ""));
  }

  @Test
  void parse_skipsCommandsAndBareExports() {
    String script = "set -e\numask 022\nexport PATH\n  export G='g'\necho A=1\n";

    assertThat(ShellAssignments.parse(script, "test.sh")).containsExactly(Map.entry("G", "g"));
  }

  @Test
  void parse_whenLaterAssignment_replacesEarlier() {
    assertThat(ShellAssignments.parse("export A=1\nexport A=2\n", "test.sh"))
        .containsEntry("A", "2");
  }

  @Test
  void parse_whenExpansion_refusesNamingLineAndVariable() {
    assertThatThrownBy(() -> ShellAssignments.parse("export A=1\nexport B=\"$A/x\"\n", "p.sh"))
        .isInstanceOf(UserDataException.class)
        .hasMessage("p.sh line 2, variable B: expansion ($) is not supported");
  }

  @Test
  void parse_whenCommandSubstitution_refuses() {
    assertThatThrownBy(() -> ShellAssignments.parse("export B=`id -u`\n", "p.sh"))
        .isInstanceOf(UserDataException.class)
        .hasMessage("p.sh line 1, variable B: expansion (`) is not supported");
  }

  @Test
  void parse_whenSingleQuoteUnterminated_refuses() {
    assertThatThrownBy(() -> ShellAssignments.parse("export A='http://h\n", "p.sh"))
        .isInstanceOf(UserDataException.class)
        .hasMessage("p.sh line 1, variable A: unterminated single quote");
  }

  @Test
  void parse_whenDoubleQuoteUnterminated_refuses() {
    assertThatThrownBy(() -> ShellAssignments.parse("\nexport A=\"x\n", "p.sh"))
        .isInstanceOf(UserDataException.class)
        .hasMessage("p.sh line 2, variable A: unterminated double quote");
  }
}
