package io.flotilla.context;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills {@code ##user_data_NAME##} placeholders as Vac and Vcycle do, but strictly: where Vac
 * silently deletes a placeholder it has no value for, this refuses the template and names
 * every such placeholder. NAME starts with a letter or digit, so prose such as Vac's own
 * "all other ##user_data__## substitutions" is left alone.
 */
final class VacuumPlaceholders {
  private static final Pattern PLACEHOLDER =
      Pattern.compile("##user_data_([A-Za-z0-9][A-Za-z0-9_]*)##");
  private static final String OPTION = "option_";

  private VacuumPlaceholders() {}

  /**
   * {@code text} with every placeholder replaced by its value.
   *
   * @param templateName names the template in errors
   * @throws ContextException naming the template and each placeholder without a value
   */
  static String fill(String templateName, String text, Map<String, String> values) {
    Set<String> missing = new LinkedHashSet<>();
    Matcher match = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder(text.length());
    while (match.find()) {
      String value = values.get(match.group(1));
      if (value == null) {
        missing.add(match.group(1));
        value = match.group();
      }
      match.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    match.appendTail(out);
    if (!missing.isEmpty()) {
      throw new ContextException("template " + templateName + ": " + describe(missing));
    }
    return out.toString();
  }

  private static String describe(Set<String> missing) {
    StringBuilder text = new StringBuilder();
    for (String name : missing) {
      if (text.length() > 0) {
        text.append("; ");
      }
      text.append("placeholder ##user_data_").append(name).append("## ");
      if (name.equals("option_x509_proxy")) {
        text.append("is not provided: Flotilla never puts a credential in user-data (fetch"
            + " it once from ##user_data_credential_url##)");
      } else if (name.startsWith(OPTION) && name.length() > OPTION.length()) {
        text.append("has no value (set options.").append(name.substring(OPTION.length()))
            .append(" in the VO's context or the site's context)");
      } else {
        text.append("is unknown (Flotilla does not provide it)");
      }
    }
    return text.toString();
  }
}
