package io.flotilla.provider.opennebula;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OpenNebula release a cloud runs ({@code one.system.version}) and the API differences
 * this provider cares about, from the XML-RPC references of each release.
 *
 * @param major first number, e.g. 6 for "6.10.0"
 * @param minor second number, e.g. 10 for "6.10.0"
 * @param text the version exactly as the server sent it
 */
record OneVersion(int major, int minor, String text) {

  private static final Pattern NUMBERS = Pattern.compile("^\\s*(\\d{1,4})\\.(\\d{1,4})");

  /** The newest API shape, assumed when a server sends a version this class cannot read. */
  static final OneVersion MODERN = new OneVersion(6, 0, "unreadable");

  /** Parses "6.10.0", "5.12.0.4", "4.14.2"; null when the text has no major.minor. */
  static OneVersion parse(String text) {
    Matcher matcher = NUMBERS.matcher(text == null ? "" : text);
    if (!matcher.find()) {
      return null;
    }
    return new OneVersion(
        Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2)), text.strip());
  }

  /**
   * The {@code one.vm.action} that deletes a VM in any state without a guest shutdown:
   * {@code terminate-hard} since 5.0; 4.x called it {@code delete}; releases up to 3.x
   * called it {@code finalize}.
   */
  String terminateAction() {
    if (major >= 5) {
      return "terminate-hard";
    }
    return major == 4 ? "delete" : "finalize";
  }

  /**
   * Whether the pool listing with full USER_TEMPLATE is {@code one.vmpool.infoextended}:
   * from 5.8 on, {@code one.vmpool.info} returns short bodies whose USER_TEMPLATE keeps only
   * a few scheduler attributes, so our tags would be missing from it.
   */
  boolean hasExtendedPoolInfo() {
    return major > 5 || major == 5 && minor >= 8;
  }

  /** Whether {@code one.template.instantiate} takes the sixth "persistent copy" flag (5.0+). */
  boolean instantiateTakesPersistentFlag() {
    return major >= 5;
  }
}
