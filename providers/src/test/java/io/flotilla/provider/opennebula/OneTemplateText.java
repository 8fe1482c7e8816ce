package io.flotilla.provider.opennebula;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Test-side reader of OpenNebula template text, following oned's lexer rules
 * ({@code template_parser.l}): names are {@code [A-Za-z0-9_]+} (upper-cased), quoted values
 * run to the next {@code "} not written as {@code \"}, whose only unescape is {@code \"} to
 * {@code "}; unquoted values stop at blanks, {@code , ] # =}. Values are String, vectors are
 * Map of String to String.
 */
final class OneTemplateText {

  private final String text;
  private int at;

  private OneTemplateText(String text) {
    this.text = text;
  }

  static Map<String, Object> parse(String text) {
    return new OneTemplateText(text).attributes();
  }

  private Map<String, Object> attributes() {
    Map<String, Object> attributes = new LinkedHashMap<>();
    while (skipSpaceAndComments()) {
      String name = name();
      expect('=');
      skipBlanks();
      if (peek() == '[') {
        at++;
        attributes.put(name, vector(name));
      } else {
        attributes.put(name, value());
      }
    }
    return attributes;
  }

  private Map<String, String> vector(String owner) {
    Map<String, String> values = new LinkedHashMap<>();
    while (true) {
      skipSpace();
      if (peek() == ']') {
        at++;
        return values;
      }
      String name = name();
      expect('=');
      skipBlanks();
      values.put(name, value());
      skipSpace();
      char next = peek();
      if (next == ',') {
        at++;
      } else if (next != ']') {
        throw syntax("expected , or ] in vector " + owner);
      }
    }
  }

  private String value() {
    if (peek() != '"') {
      int start = at;
      while (at < text.length() && " \t\n,]#=[".indexOf(text.charAt(at)) < 0) {
        at++;
      }
      return text.substring(start, at);
    }
    at++;
    StringBuilder raw = new StringBuilder();
    while (true) {
      if (at >= text.length()) {
        throw syntax("unterminated quoted value");
      }
      char c = text.charAt(at);
      if (c == '\\' && at + 1 < text.length() && text.charAt(at + 1) == '"') {
        raw.append("\\\"");
        at += 2;
      } else if (c == '"') {
        at++;
        break;
      } else {
        raw.append(c);
        at++;
      }
    }
    if (raw.indexOf("]]>") >= 0) {
      throw syntax("value holds ]]>");
    }
    return raw.toString().replace("\\\"", "\"");
  }

  private String name() {
    int start = at;
    while (at < text.length()
        && (Character.isLetterOrDigit(text.charAt(at)) || text.charAt(at) == '_')) {
      at++;
    }
    if (start == at) {
      throw syntax("expected an attribute name");
    }
    return text.substring(start, at).toUpperCase(Locale.ROOT);
  }

  private void expect(char wanted) {
    skipBlanks();
    if (peek() != wanted) {
      throw syntax("expected " + wanted);
    }
    at++;
  }

  private boolean skipSpaceAndComments() {
    while (true) {
      skipSpace();
      if (peek() != '#') {
        return at < text.length();
      }
      while (at < text.length() && text.charAt(at) != '\n') {
        at++;
      }
    }
  }

  private void skipSpace() {
    while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
      at++;
    }
  }

  private void skipBlanks() {
    while (at < text.length() && (text.charAt(at) == ' ' || text.charAt(at) == '\t')) {
      at++;
    }
  }

  private char peek() {
    return at < text.length() ? text.charAt(at) : '\0';
  }

  private IllegalArgumentException syntax(String reason) {
    return new IllegalArgumentException("syntax error, " + reason + " at offset " + at);
  }
}
