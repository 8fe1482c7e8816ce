package io.flotilla.trust;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One namespace rule of a CA directory: certificates issued by {@code issuerDn} whose subject
 * matches {@code subject} are permitted (or denied). {@code origin} names the file and line.
 */
record NamespaceRule(String issuerDn, Pattern subject, String subjectText, boolean permit,
    String origin) {

  /** A rule from a file that could not be parsed: it denies every subject of the CA. */
  static NamespaceRule unparseable(String issuerDn, String origin) {
    return new NamespaceRule(issuerDn, Pattern.compile(".*", Pattern.DOTALL), "*", false,
        origin);
  }

  boolean matches(String subjectDn) {
    return subject.matcher(subjectDn).matches();
  }

  /** Issuer DNs compare case-insensitively, as grid tools do. */
  static String issuerKey(String dn) {
    return dn.strip().toLowerCase(Locale.ROOT);
  }

  /**
   * Compiles a slash-form subject pattern. {@code *} (and the regular-expression spelling
   * {@code .*} that EUGridPMA files use) matches any run of characters, {@code ?} one
   * character when {@code questionMarkIsWildcard}; everything else is literal. Matching is
   * case-insensitive, as in canl and Globus.
   */
  static Pattern compile(String wildcard, boolean questionMarkIsWildcard) {
    StringBuilder regex = new StringBuilder();
    StringBuilder literal = new StringBuilder();
    for (int i = 0; i < wildcard.length(); i++) {
      char c = wildcard.charAt(i);
      boolean dotStar = c == '.' && i + 1 < wildcard.length() && wildcard.charAt(i + 1) == '*';
      if (c == '*' || dotStar || (c == '?' && questionMarkIsWildcard)) {
        flush(regex, literal);
        regex.append(c == '?' ? "." : ".*");
        i += dotStar ? 1 : 0;
      } else {
        literal.append(c);
      }
    }
    flush(regex, literal);
    return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
  }

  private static void flush(StringBuilder regex, StringBuilder literal) {
    if (literal.length() > 0) {
      regex.append(Pattern.quote(literal.toString()));
      literal.setLength(0);
    }
  }
}
