package io.flotilla.trust;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses the two namespace formats of an IGTF CA directory, both with slash-form DNs.
 *
 * <p>EUGridPMA {@code <hash>.namespaces}: entries {@code TO Issuer "DN"|SELF PERMIT|DENY
 * Subject "pattern"}, keywords case-insensitive, {@code #} comments, a trailing backslash
 * continues an entry on the next line, {@code #NAMESPACES-VERSION: 1.0} header.
 *
 * <p>Globus {@code <hash>.signing_policy}: blocks of {@code access_id_CA X509 'DN'},
 * {@code pos_rights globus CA:sign}, {@code cond_subjects globus '"pattern" "pattern"'}.
 *
 * <p>A syntax error throws {@link IllegalArgumentException} naming the line; the caller turns
 * the whole file into a deny-all rule so a broken file never widens trust.
 */
final class NamespaceFileParser {

  private static final String VERSION_HEADER = "#NAMESPACES-VERSION:";

  private final String fileName;

  NamespaceFileParser(String fileName) {
    this.fileName = fileName;
  }

  /** Rules of a {@code .namespaces} file; {@code selfDn} resolves {@code SELF} (may be null). */
  List<NamespaceRule> parseNamespaces(String text, String selfDn) {
    List<NamespaceRule> rules = new ArrayList<>();
    StringBuilder entry = new StringBuilder();
    int entryLine = 0;
    String[] lines = text.split("\r?\n|\r", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = withoutComment(lines[i], i + 1);
      entryLine = entry.length() == 0 ? i + 1 : entryLine;
      if (line.stripTrailing().endsWith("\\")) {
        String kept = line.stripTrailing();
        entry.append(kept, 0, kept.length() - 1).append(' ');
        continue;
      }
      entry.append(line);
      if (!entry.toString().isBlank()) {
        rules.add(namespacesEntry(tokens(entry.toString(), '"', entryLine), selfDn, entryLine));
      }
      entry.setLength(0);
    }
    if (!entry.toString().isBlank()) {
      throw syntax(entryLine, "the last entry ends with a continuation backslash");
    }
    return rules;
  }

  /** Rules of a {@code .signing_policy} file: every listed pattern is a permit. */
  List<NamespaceRule> parseSigningPolicy(String text) {
    List<NamespaceRule> rules = new ArrayList<>();
    String issuer = null;
    boolean canSign = false;
    String[] lines = text.split("\r?\n|\r", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      List<String> words = tokens(line, '\'', i + 1);
      String keyword = words.get(0).toLowerCase(Locale.ROOT);
      switch (keyword) {
        case "access_id_ca" -> {
          expect(words, 3, "X509", i + 1);
          issuer = words.get(2);
          canSign = false;
        }
        case "pos_rights" -> {
          expect(words, 3, "globus", i + 1);
          canSign = words.get(2).equalsIgnoreCase("CA:sign");
        }
        case "cond_subjects" -> {
          expect(words, 3, "globus", i + 1);
          if (issuer == null || !canSign) {
            throw syntax(i + 1, "cond_subjects without a preceding access_id_CA X509 and"
                + " pos_rights globus CA:sign");
          }
          for (String pattern : tokens(words.get(2), '"', i + 1)) {
            rules.add(new NamespaceRule(issuer, NamespaceRule.compile(pattern, true), pattern,
                true, fileName + ":" + (i + 1)));
          }
        }
        default -> throw syntax(i + 1, "unknown keyword '" + words.get(0)
            + "', expected access_id_CA, pos_rights or cond_subjects");
      }
    }
    return rules;
  }

  private NamespaceRule namespacesEntry(List<String> words, String selfDn, int line) {
    boolean self = words.size() == 6 && words.get(2).equalsIgnoreCase("self");
    if (words.size() != 6 || !words.get(0).equalsIgnoreCase("to")
        || !words.get(1).equalsIgnoreCase("issuer")
        || !words.get(4).equalsIgnoreCase("subject")) {
      throw syntax(line, "expected TO Issuer \"DN\" PERMIT|DENY Subject \"pattern\", found "
          + words);
    }
    String action = words.get(3).toLowerCase(Locale.ROOT);
    if (!action.equals("permit") && !action.equals("deny")) {
      throw syntax(line, "expected PERMIT or DENY, found '" + words.get(3) + "'");
    }
    if (self && selfDn == null) {
      throw syntax(line, "Issuer SELF but no CA certificate with this file's hash");
    }
    String issuer = self ? selfDn : words.get(2);
    String pattern = words.get(5);
    return new NamespaceRule(issuer, NamespaceRule.compile(pattern, false), pattern,
        action.equals("permit"), fileName + ":" + line);
  }

  private String withoutComment(String line, int lineNumber) {
    if (line.strip().toUpperCase(Locale.ROOT).startsWith(VERSION_HEADER)) {
      String version = line.strip().substring(VERSION_HEADER.length()).strip();
      if (!version.equals("1.0")) {
        throw syntax(lineNumber, "namespaces version " + version + " is not supported (1.0)");
      }
      return "";
    }
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (c == '#' && !quoted) {
        return line.substring(0, i);
      }
    }
    return line;
  }

  /** Splits on blanks; text inside {@code quote} characters is one token, quotes removed. */
  private List<String> tokens(String text, char quote, int line) {
    List<String> words = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == ' ' || c == '\t') {
        i++;
      } else if (c == quote) {
        int end = text.indexOf(quote, i + 1);
        if (end < 0) {
          throw syntax(line, "unterminated " + quote + "-quoted string");
        }
        words.add(text.substring(i + 1, end));
        i = end + 1;
      } else {
        int end = i;
        while (end < text.length() && text.charAt(end) != ' ' && text.charAt(end) != '\t') {
          end++;
        }
        words.add(text.substring(i, end));
        i = end;
      }
    }
    return words;
  }

  private void expect(List<String> words, int count, String second, int line) {
    if (words.size() != count || !words.get(1).equalsIgnoreCase(second)) {
      throw syntax(line, "expected '" + words.get(0) + " " + second + " VALUE', found "
          + words);
    }
  }

  private IllegalArgumentException syntax(int line, String why) {
    return new IllegalArgumentException(fileName + ":" + line + ": " + why);
  }
}
