package io.flotilla.trust;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;

/**
 * Distinguished names in the OpenSSL "slash" form ({@code /DC=ch/DC=cern/CN=foo}) used by
 * HEPiX image lists, IGTF {@code .signing_policy} files and grid tools.
 *
 * <p>{@link #format} reproduces what {@code openssl x509 -noout -subject -nameopt compat}
 * (OpenSSL 3 {@code X509_NAME_oneline}) prints: RDNs in encoded order, the attributes of a
 * multi-valued RDN joined with {@code +} in encoded order, OpenSSL short names, {@code /} and
 * {@code +} inside values escaped with a backslash, and every value byte outside printable
 * ASCII (including each byte of multi-byte UTF-8) written as {@code \xHH}.
 */
public final class OpenSslDn {

  private static final Map<String, String> SHORT_NAMES = Map.ofEntries(
      Map.entry("2.5.4.3", "CN"), Map.entry("2.5.4.4", "SN"),
      Map.entry("2.5.4.5", "serialNumber"), Map.entry("2.5.4.6", "C"),
      Map.entry("2.5.4.7", "L"), Map.entry("2.5.4.8", "ST"), Map.entry("2.5.4.9", "street"),
      Map.entry("2.5.4.10", "O"), Map.entry("2.5.4.11", "OU"), Map.entry("2.5.4.12", "title"),
      Map.entry("2.5.4.13", "description"), Map.entry("2.5.4.15", "businessCategory"),
      Map.entry("2.5.4.16", "postalAddress"), Map.entry("2.5.4.17", "postalCode"),
      Map.entry("2.5.4.18", "postOfficeBox"), Map.entry("2.5.4.20", "telephoneNumber"),
      Map.entry("2.5.4.41", "name"), Map.entry("2.5.4.42", "GN"),
      Map.entry("2.5.4.43", "initials"), Map.entry("2.5.4.44", "generationQualifier"),
      Map.entry("2.5.4.45", "x500UniqueIdentifier"), Map.entry("2.5.4.46", "dnQualifier"),
      Map.entry("2.5.4.65", "pseudonym"), Map.entry("2.5.4.72", "role"),
      Map.entry("2.5.4.97", "organizationIdentifier"),
      Map.entry("0.9.2342.19200300.100.1.25", "DC"),
      Map.entry("0.9.2342.19200300.100.1.1", "UID"),
      Map.entry("0.9.2342.19200300.100.1.3", "mail"),
      Map.entry("1.2.840.113549.1.9.1", "emailAddress"),
      Map.entry("1.2.840.113549.1.9.2", "unstructuredName"),
      Map.entry("1.2.840.113549.1.9.8", "unstructuredAddress"),
      Map.entry("1.3.6.1.4.1.311.60.2.1.1", "jurisdictionL"),
      Map.entry("1.3.6.1.4.1.311.60.2.1.2", "jurisdictionST"),
      Map.entry("1.3.6.1.4.1.311.60.2.1.3", "jurisdictionC"));

  /** Attribute-name spellings other tools print, mapped to the OpenSSL short name. */
  private static final Map<String, String> NAME_ALIASES = Map.of(
      "e", "emailaddress", "email", "emailaddress", "userid", "uid");

  private static final int GENERAL_STRING_TAG = 27;

  private OpenSslDn() {}

  /** Formats {@code principal} the way {@code openssl ... -nameopt compat} prints it. */
  public static String format(X500Principal principal) {
    X500Name name = X500Name.getInstance(principal.getEncoded());
    StringBuilder out = new StringBuilder();
    for (RDN rdn : name.getRDNs()) {
      char separator = '/';
      for (AttributeTypeAndValue ava : rdn.getTypesAndValues()) {
        out.append(separator).append(shortName(ava)).append('=');
        appendValue(out, ava);
        separator = '+';
      }
    }
    return out.toString();
  }

  /**
   * Whether two slash-form DNs name the same subject. The comparison is exact except for
   * trivial normalisation: surrounding whitespace of the whole string is ignored, attribute
   * names compare case-insensitively, and the legacy names {@code E}/{@code Email} and
   * {@code USERID} count as {@code emailAddress} and {@code UID}. Values, their order and the
   * separators ({@code /} vs {@code +}) must match exactly.
   */
  public static boolean sameDn(String first, String second) {
    if (first == null || second == null) {
      return false;
    }
    return normalise(first).equals(normalise(second));
  }

  private static String shortName(AttributeTypeAndValue ava) {
    String oid = ava.getType().getId();
    return SHORT_NAMES.getOrDefault(oid, oid);
  }

  private static void appendValue(StringBuilder out, AttributeTypeAndValue ava) {
    byte[] der = derOf(ava);
    int start = contentStart(der);
    boolean lowBytesOnly = (der[0] & 0x1f) == GENERAL_STRING_TAG
        && isPaddedUniversal(der, start);
    for (int i = start; i < der.length; i++) {
      if (lowBytesOnly && (i - start) % 4 != 3) {
        continue;
      }
      appendByte(out, der[i] & 0xff);
    }
  }

  private static void appendByte(StringBuilder out, int b) {
    if (b < ' ' || b > '~') {
      out.append(String.format(Locale.ROOT, "\\x%02X", b));
      return;
    }
    if (b == '/' || b == '+') {
      out.append('\\');
    }
    out.append((char) b);
  }

  /** OpenSSL prints only every fourth byte of a GeneralString whose other bytes are zero. */
  private static boolean isPaddedUniversal(byte[] der, int start) {
    int length = der.length - start;
    if (length % 4 != 0) {
      return false;
    }
    for (int i = start; i < der.length; i++) {
      if ((i - start) % 4 != 3 && der[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private static byte[] derOf(AttributeTypeAndValue ava) {
    try {
      return ava.getValue().toASN1Primitive().getEncoded(ASN1Encoding.DER);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot re-encode DN attribute " + ava.getType(), e);
    }
  }

  /** Offset of the content octets in a DER TLV with a one-byte tag. */
  private static int contentStart(byte[] der) {
    int lengthByte = der[1] & 0xff;
    return lengthByte < 0x80 ? 2 : 2 + (lengthByte & 0x7f);
  }

  private static List<String> normalise(String dn) {
    List<String> parts = new ArrayList<>();
    String trimmed = dn.strip();
    int partStart = 0;
    for (int i = 0; i <= trimmed.length(); i++) {
      if (i == trimmed.length() || isSeparator(trimmed, i)) {
        if (i > partStart || i == trimmed.length()) {
          parts.add(normaliseAva(trimmed.substring(partStart, i)));
        }
        if (i < trimmed.length()) {
          parts.add(String.valueOf(trimmed.charAt(i)));
        }
        partStart = i + 1;
      }
    }
    return parts;
  }

  private static boolean isSeparator(String dn, int index) {
    char c = dn.charAt(index);
    return (c == '/' || c == '+') && (index == 0 || dn.charAt(index - 1) != '\\');
  }

  private static String normaliseAva(String ava) {
    int equals = ava.indexOf('=');
    if (equals < 0) {
      return ava;
    }
    String attribute = ava.substring(0, equals).strip().toLowerCase(Locale.ROOT);
    return NAME_ALIASES.getOrDefault(attribute, attribute) + ava.substring(equals);
  }
}
