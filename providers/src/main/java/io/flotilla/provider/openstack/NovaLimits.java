package io.flotilla.provider.openstack;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.flotilla.provider.CloudException;
import io.flotilla.provider.CloudException.Kind;
import io.flotilla.provider.ProjectQuota;

/**
 * Reads Nova's {@code GET /limits} answer: the project's absolute limits and what it uses,
 * which any member of the project may read (the os-quota-sets API needs more rights on some
 * clouds). Nova writes -1 for an unlimited amount; its RAM is in MiB already.
 */
final class NovaLimits {
  private NovaLimits() {}

  /**
   * The quota in {@code body}; an absent limit is unlimited and an absent usage unknown.
   *
   * @throws CloudException TRANSIENT when the answer is not JSON with a
   *     {@code limits.absolute} object, or an amount is not a whole number
   */
  static ProjectQuota parse(String cloud, String body) {
    JsonObject absolute = absolute(cloud, body);
    ProjectQuota.Limits limits = new ProjectQuota.Limits(
        ProjectQuota.ceiling(amount(cloud, absolute, "maxTotalInstances")),
        ProjectQuota.ceiling(amount(cloud, absolute, "maxTotalCores")),
        ProjectQuota.ceiling(amount(cloud, absolute, "maxTotalRAMSize")));
    ProjectQuota.Usage usage = new ProjectQuota.Usage(
        used(cloud, absolute, "totalInstancesUsed"),
        used(cloud, absolute, "totalCoresUsed"),
        used(cloud, absolute, "totalRAMUsed"));
    return new ProjectQuota(limits, usage);
  }

  private static JsonObject absolute(String cloud, String body) {
    try {
      JsonElement root = JsonParser.parseString(body);
      JsonElement limits = root.isJsonObject() ? root.getAsJsonObject().get("limits") : null;
      JsonElement absolute = limits != null && limits.isJsonObject()
          ? limits.getAsJsonObject().get("absolute") : null;
      if (absolute != null && absolute.isJsonObject()) {
        return absolute.getAsJsonObject();
      }
    } catch (JsonParseException e) {
      // Reported below, without the body: it is the cloud's, not ours to log.
    }
    throw unreadable(cloud, "limits.absolute", "expected a JSON object");
  }

  private static Long used(String cloud, JsonObject absolute, String field) {
    Long amount = amount(cloud, absolute, field);
    if (amount != null && amount < 0) {
      throw unreadable(cloud, "limits.absolute." + field, "expected 0 or more, got " + amount);
    }
    return amount;
  }

  private static Long amount(String cloud, JsonObject absolute, String field) {
    JsonElement value = absolute.get(field);
    if (value == null || value.isJsonNull()) {
      return null;
    }
    try {
      if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isNumber()) {
        return value.getAsBigDecimal().longValueExact();
      }
    } catch (ArithmeticException e) {
      // Reported below.
    }
    throw unreadable(cloud, "limits.absolute." + field,
        "expected a whole number, got " + shortText(value));
  }

  private static String shortText(JsonElement value) {
    String text = value.toString();
    return text.length() <= 40 ? text : text.substring(0, 40) + "...";
  }

  private static CloudException unreadable(String cloud, String path, String reason) {
    return new CloudException(Kind.TRANSIENT, "openstack cloud " + cloud
        + ": read limits failed: Nova's answer is unusable at " + path + ": " + reason);
  }
}
