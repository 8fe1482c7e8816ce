package io.flotilla.provider.opennebula;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OneTemplateTest {

  @ParameterizedTest
  @ValueSource(strings = {"plain", "with \"quotes\"", "back\\slash", "\\\"mixed\\\\\"",
      "multi\nline", "a, b ] c = d # e", "$NAME stays", ""})
  void quote_whenParsedByOnedRules_readsBackUnchanged(String value) {
    String text = new OneTemplate().single("FLOTILLA_SITE", value)
        .vector("CONTEXT", Map.of("X", value)).render();

    Map<String, Object> parsed = OneTemplateText.parse(text);

    assertThat(parsed.get("FLOTILLA_SITE")).isEqualTo(value);
    assertThat(parsed.get("CONTEXT")).isEqualTo(Map.of("X", value));
  }

  @Test
  void render_whenSingleAndVector_writesOnedSyntax() {
    Map<String, String> nic = new LinkedHashMap<>();
    nic.put("NETWORK_ID", "3");
    nic.put("MODEL", "virtio");

    String text = new OneTemplate().single("NAME", "vm \"1\"").vector("NIC", nic).render();

    assertThat(text).isEqualTo("NAME = \"vm \\\"1\\\"\"\n"
        + "NIC = [\n  NETWORK_ID = \"3\",\n  MODEL = \"virtio\" ]\n");
  }

  @Test
  void quote_whenTrailingBackslash_refusesNamingAttribute() {
    assertThatThrownBy(() -> OneTemplate.quote("FLOTILLA_VO", "atlas\\"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("template attribute FLOTILLA_VO: value ends with a backslash, which "
            + "OpenNebula's template syntax cannot carry");
  }

  @Test
  void quote_whenCdataEnd_refuses() {
    assertThatThrownBy(() -> OneTemplate.quote("A", "x]]>y"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("]]>");
  }

  @Test
  void single_whenNameNotUpperIdentifier_refuses() {
    assertThatThrownBy(() -> new OneTemplate().single("flotilla-site", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("flotilla-site");
  }
}
