package io.flotilla.provider.opennebula;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Writes OpenNebula template text ({@code NAME = "value"}, {@code NIC = [ K = "v", ... ]}).
 *
 * <p>Quoting follows oned's own parser ({@code src/parsers/template_parser.l} and
 * {@code template_syntax.y}): a quoted value is any run of characters other than {@code "},
 * where {@code \"} stands for a quote, and the parser's only unescape turns {@code \"} back
 * into {@code "}. A backslash is therefore not an escape character and is written as is;
 * values ending in a backslash (which would swallow the closing quote) and values holding
 * {@code ]]>} (which makes the parser abort) cannot be expressed and are refused.
 *
 * <p>CONTEXT values also go through oned's {@code $VARIABLE} substitution, which is one
 * reason user-data travels base64-encoded.
 */
final class OneTemplate {

  private static final Pattern NAME = Pattern.compile("[A-Z][A-Z0-9_]*");

  private final StringBuilder text = new StringBuilder(512);

  /** Adds {@code name = "value"}. */
  OneTemplate single(String name, String value) {
    text.append(checkName(name)).append(" = ").append(quote(name, value)).append('\n');
    return this;
  }

  /** Adds {@code name = [ k1 = "v1", k2 = "v2" ]}, keys in the map's order. */
  OneTemplate vector(String name, Map<String, String> values) {
    if (values.isEmpty()) {
      throw new IllegalArgumentException("template vector " + name + " must not be empty");
    }
    text.append(checkName(name)).append(" = [");
    String separator = "\n  ";
    for (Map.Entry<String, String> entry : values.entrySet()) {
      String field = name + "/" + entry.getKey();
      text.append(separator).append(checkName(entry.getKey())).append(" = ")
          .append(quote(field, entry.getValue()));
      separator = ",\n  ";
    }
    text.append(" ]\n");
    return this;
  }

  String render() {
    return text.toString();
  }

  /**
   * {@code value} in double quotes, quotes escaped.
   *
   * @param field names the attribute in the error
   * @throws IllegalArgumentException for a value oned's parser cannot read back unchanged
   */
  static String quote(String field, String value) {
    if (value.endsWith("\\")) {
      throw new IllegalArgumentException("template attribute " + field
          + ": value ends with a backslash, which OpenNebula's template syntax cannot carry");
    }
    if (value.contains("]]>")) {
      throw new IllegalArgumentException("template attribute " + field
          + ": value contains ]]>, which OpenNebula's template parser refuses");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 && c != '\n' && c != '\t' || c == 0x7F) {
        throw new IllegalArgumentException(String.format(
            "template attribute %s: control character U+%04X at index %d", field, (int) c, i));
      }
    }
    return "\"" + value.replace("\"", "\\\"") + "\"";
  }

  private static String checkName(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("template attribute name " + name
          + " must match " + NAME.pattern());
    }
    return name;
  }
}
