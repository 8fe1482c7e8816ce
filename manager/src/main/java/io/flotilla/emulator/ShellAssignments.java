package io.flotilla.emulator;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the variable assignments of a POSIX shell profile script ({@code export NAME=value},
 * {@code NAME=value}) the way {@code sh} would: single quotes keep everything literally,
 * double quotes honour backslash before {@code $ ` " \}, and quoted pieces join into one word
 * ({@code 'it'\''s'}). Lines that run commands are skipped. Expansions ({@code $VAR},
 * {@code $(...)}, backquotes) are refused: a profile that needs them cannot be read without
 * running it.
 */
final class ShellAssignments {

  private static final Pattern ASSIGNMENT = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=");
  private static final Pattern BARE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final String source;
  private final Map<String, String> values = new LinkedHashMap<>();
  private int lineNumber;
  private String line;
  private int pos;

  private ShellAssignments(String source) {
    this.source = source;
  }

  /**
   * The variables the script sets, in order; a later assignment replaces an earlier one.
   *
   * @param source names the script in error messages
   * @throws UserDataException naming the line and variable of a quoting error or expansion
   */
  static Map<String, String> parse(String script, String source) {
    ShellAssignments parser = new ShellAssignments(source);
    String[] lines = script.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      parser.readLine(i + 1, lines[i]);
    }
    return parser.values;
  }

  private void readLine(int number, String text) {
    lineNumber = number;
    line = text;
    pos = 0;
    skipBlanks();
    if (atWordStart("export")) {
      pos += "export".length();
      readExportWords();
    } else if (assignmentAhead() != null) {
      readAssignment();
    }
  }

  private void readExportWords() {
    while (true) {
      skipBlanks();
      if (pos >= line.length() || line.charAt(pos) == '#' || line.charAt(pos) == ';') {
        return;
      }
      if (assignmentAhead() != null) {
        readAssignment();
      } else {
        Matcher bare = BARE_NAME.matcher(line).region(pos, line.length());
        if (!bare.lookingAt()) {
          throw error("export", "expected a variable name after export");
        }
        pos = bare.end();
      }
    }
  }

  private void readAssignment() {
    String name = assignmentAhead();
    pos += name.length() + 1;
    values.put(name, readWord(name));
  }

  private String assignmentAhead() {
    Matcher matcher = ASSIGNMENT.matcher(line).region(pos, line.length());
    return matcher.lookingAt() ? matcher.group(1) : null;
  }

  private String readWord(String name) {
    StringBuilder word = new StringBuilder();
    while (pos < line.length() && !isBlank(line.charAt(pos)) && line.charAt(pos) != ';') {
      char c = line.charAt(pos);
      if (c == '\'') {
        readSingleQuoted(word, name);
      } else if (c == '"') {
        readDoubleQuoted(word, name);
      } else if (c == '\\') {
        pos++;
        if (pos < line.length()) {
          word.append(line.charAt(pos++));
        }
      } else if (c == '$' || c == '`') {
        throw error(name, "expansion (" + c + ") is not supported");
      } else {
        word.append(c);
        pos++;
      }
    }
    return word.toString();
  }

  private void readSingleQuoted(StringBuilder word, String name) {
    int end = line.indexOf('\'', pos + 1);
    if (end < 0) {
      throw error(name, "unterminated single quote");
    }
    word.append(line, pos + 1, end);
    pos = end + 1;
  }

  private void readDoubleQuoted(StringBuilder word, String name) {
    pos++;
    while (pos < line.length() && line.charAt(pos) != '"') {
      char c = line.charAt(pos);
      if (c == '\\' && pos + 1 < line.length() && "$`\"\\".indexOf(line.charAt(pos + 1)) >= 0) {
        word.append(line.charAt(pos + 1));
        pos += 2;
      } else if (c == '$' || c == '`') {
        throw error(name, "expansion (" + c + ") is not supported");
      } else {
        word.append(c);
        pos++;
      }
    }
    if (pos >= line.length()) {
      throw error(name, "unterminated double quote");
    }
    pos++;
  }

  private boolean atWordStart(String keyword) {
    int end = pos + keyword.length();
    return line.startsWith(keyword, pos) && (end == line.length() || isBlank(line.charAt(end)));
  }

  private void skipBlanks() {
    while (pos < line.length() && isBlank(line.charAt(pos))) {
      pos++;
    }
  }

  private static boolean isBlank(char c) {
    return c == ' ' || c == '\t';
  }

  private UserDataException error(String name, String reason) {
    return new UserDataException(source + " line " + lineNumber + ", variable " + name + ": "
        + reason);
  }
}
