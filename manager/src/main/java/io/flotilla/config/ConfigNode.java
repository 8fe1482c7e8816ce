package io.flotilla.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One YAML mapping of the site file, read field by field. Each problem is recorded with the
 * file and the field's full path instead of thrown, so a user sees every mistake at once.
 * Keys that no reader asked for are reported as unknown, which catches misspelt options.
 */
final class ConfigNode {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Pattern DURATION = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h|d)?");
  /** No setting of a site needs longer; it keeps every time sum far from overflow. */
  static final Duration LONGEST = Duration.ofDays(3650);

  private final JsonNode node;
  private final String path;
  private final Problems problems;
  private final Set<String> read = new HashSet<>();

  ConfigNode(JsonNode node, String path, Problems problems) {
    this.node = node;
    this.path = path;
    this.problems = problems;
  }

  /** Collects problems for one file and resolves relative paths against its folder. */
  static final class Problems {
    final String file;
    final Path baseDir;
    final List<String> list = new ArrayList<>();
    /** Full paths of every field any reader asked for, so two readers may share a mapping. */
    final Set<String> readFields = new HashSet<>();

    Problems(Path file) {
      this.file = file.toString();
      Path parent = file.toAbsolutePath().getParent();
      this.baseDir = parent == null ? Path.of(".") : parent;
    }

    void add(String field, String reason) {
      list.add(file + ": " + field + ": " + reason);
    }
  }

  String path() {
    return path;
  }

  String field(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  void problem(String key, String reason) {
    problems.add(field(key), reason);
  }

  boolean has(String key) {
    return node.hasNonNull(key);
  }

  private JsonNode raw(String key) {
    read.add(key);
    problems.readFields.add(field(key));
    return node.get(key);
  }

  String string(String key) {
    JsonNode value = raw(key);
    if (value == null || value.isNull()) {
      problem(key, "is required");
      return null;
    }
    return text(key, value);
  }

  String string(String key, String fallback) {
    JsonNode value = raw(key);
    return value == null || value.isNull() ? fallback : text(key, value);
  }

  private String text(String key, JsonNode value) {
    if (!value.isValueNode()) {
      problem(key, "must be a single value, not " + kind(value));
      return null;
    }
    String text = value.asText().strip();
    if (text.isEmpty()) {
      problem(key, "must not be empty");
      return null;
    }
    return text;
  }

  long integer(String key, long fallback, long min, long max) {
    JsonNode value = raw(key);
    if (value == null || value.isNull()) {
      return fallback;
    }
    if (!value.canConvertToLong() || !value.isIntegralNumber() && !isIntegerText(value)) {
      problem(key, "must be a whole number, got '" + value.asText() + "'");
      return fallback;
    }
    long number = value.isTextual() ? Long.parseLong(value.asText().strip()) : value.asLong();
    return inRange(key, number, min, max) ? number : fallback;
  }

  private static boolean isIntegerText(JsonNode value) {
    return value.isTextual() && value.asText().strip().matches("-?\\d{1,18}");
  }

  double number(String key, double fallback, double min, double max) {
    JsonNode value = raw(key);
    if (value == null || value.isNull()) {
      return fallback;
    }
    if (!value.isNumber()) {
      problem(key, "must be a number, got '" + value.asText() + "'");
      return fallback;
    }
    double number = value.asDouble();
    if (number < min || number > max) {
      problem(key, "must be between " + min + " and " + max + ", got " + number);
      return fallback;
    }
    return number;
  }

  private boolean inRange(String key, long number, long min, long max) {
    if (number < min || number > max) {
      problem(key, "must be between " + min + " and " + max + ", got " + number);
      return false;
    }
    return true;
  }

  boolean bool(String key, boolean fallback) {
    JsonNode value = raw(key);
    if (value == null || value.isNull()) {
      return fallback;
    }
    if (!value.isBoolean()) {
      problem(key, "must be true or false, got '" + value.asText() + "'");
      return fallback;
    }
    return value.asBoolean();
  }

  /**
   * A duration written as {@code 90s}, {@code 5m}, {@code 2h}, {@code 1d}, {@code 500ms}, or a
   * bare number of seconds.
   */
  Duration duration(String key, Duration fallback, Duration min) {
    return duration(key, fallback, min, LONGEST);
  }

  /** As {@link #duration(String, Duration, Duration)}, with an upper bound. */
  Duration duration(String key, Duration fallback, Duration min, Duration max) {
    JsonNode value = raw(key);
    if (value == null || value.isNull()) {
      return fallback;
    }
    Matcher match = DURATION.matcher(value.asText().strip());
    if (!value.isValueNode() || !match.matches()) {
      problem(key, "must be a duration such as 90s, 5m or 2h, got '" + value.asText() + "'");
      return fallback;
    }
    Duration parsed = toDuration(Long.parseLong(match.group(1)), match.group(2));
    if (parsed.compareTo(min) < 0 || parsed.compareTo(max) > 0) {
      problem(key, "must be between " + Durations.format(min) + " and "
          + Durations.format(max) + ", got " + match.group(1)
          + (match.group(2) == null ? "s" : match.group(2)));
      return fallback;
    }
    return parsed;
  }

  /** {@link Duration#ofDays} and friends; twelve digits of days cannot overflow them. */
  private static Duration toDuration(long amount, String unit) {
    return switch (unit == null ? "s" : unit) {
      case "ms" -> Duration.ofMillis(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      case "d" -> Duration.ofDays(amount);
      default -> Duration.ofSeconds(amount);
    };
  }

  /** A file or folder path, relative ones taken from the configuration file's folder. */
  Path file(String key, boolean required) {
    String text = required ? string(key) : string(key, null);
    return text == null ? null : problems.baseDir.resolve(text).normalize();
  }

  Path baseDir() {
    return problems.baseDir;
  }

  ConfigNode object(String key, boolean required) {
    JsonNode value = raw(key);
    if (value == null || value.isNull()) {
      if (required) {
        problem(key, "is required");
      }
      return empty(field(key), problems);
    }
    if (!value.isObject()) {
      problem(key, "must be a mapping of keys to values, not " + kind(value));
      return empty(field(key), problems);
    }
    return new ConfigNode(value, field(key), problems);
  }

  List<ConfigNode> objects(String key, boolean required) {
    List<ConfigNode> result = new ArrayList<>();
    JsonNode value = list(key, required);
    for (int i = 0; value != null && i < value.size(); i++) {
      JsonNode item = value.get(i);
      String itemPath = field(key) + "[" + i + "]";
      if (!item.isObject()) {
        problems.add(itemPath, "must be a mapping, not " + kind(item));
      } else {
        result.add(new ConfigNode(item, itemPath, problems));
      }
    }
    return result;
  }

  List<String> strings(String key, boolean required) {
    List<String> result = new ArrayList<>();
    JsonNode value = list(key, required);
    for (int i = 0; value != null && i < value.size(); i++) {
      JsonNode item = value.get(i);
      if (!item.isValueNode() || item.asText().isBlank()) {
        problems.add(field(key) + "[" + i + "]", "must be a non-empty string");
      } else {
        result.add(item.asText().strip());
      }
    }
    return result;
  }

  /** The list under {@code key}, or null (with a problem recorded if it was wrong). */
  private JsonNode list(String key, boolean required) {
    JsonNode value = raw(key);
    if (value == null || value.isNull()) {
      if (required) {
        problem(key, "is required (a list)");
      }
      return null;
    }
    if (!value.isArray()) {
      problem(key, "must be a list, not " + kind(value));
      return null;
    }
    return value;
  }

  /** The mapping under {@code key} as plain Java values, for options a provider checks. */
  Map<String, Object> options(String key) {
    JsonNode value = raw(key);
    Map<String, Object> result = new LinkedHashMap<>();
    if (value == null || value.isNull()) {
      return result;
    }
    if (!value.isObject()) {
      problem(key, "must be a mapping of option names to values, not " + kind(value));
      return result;
    }
    Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> entry = fields.next();
      result.put(entry.getKey(), plain(entry.getValue()));
    }
    return result;
  }

  private static Object plain(JsonNode value) {
    if (value.isArray()) {
      List<Object> list = new ArrayList<>();
      value.forEach(item -> list.add(plain(item)));
      return list;
    }
    if (value.isIntegralNumber()) {
      return value.asLong();
    }
    if (value.isNumber()) {
      return value.asDouble();
    }
    if (value.isBoolean()) {
      return value.asBoolean();
    }
    if (value.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      value.fields().forEachRemaining(e -> map.put(e.getKey(), plain(e.getValue())));
      return map;
    }
    return value.isNull() ? null : value.asText();
  }

  /** Checks a value read earlier; records the problem if {@code check} returns a reason. */
  <T> void check(String key, T value, Function<T, String> check) {
    if (value == null) {
      return;
    }
    String reason = check.apply(value);
    if (reason != null) {
      problem(key, reason);
    }
  }

  /** Reports every key of this mapping that no reader asked for. Call after reading it. */
  void rejectUnknownKeys() {
    node.fieldNames().forEachRemaining(name -> {
      if (!read.contains(name) && !problems.readFields.contains(field(name))) {
        problem(name, "unknown option (check its spelling against examples/)");
      }
    });
  }

  private static String kind(JsonNode value) {
    if (value.isArray()) {
      return "a list";
    }
    if (value.isObject()) {
      return "a mapping";
    }
    return "'" + value.asText() + "'";
  }

  static ConfigNode empty(String path, Problems problems) {
    return new ConfigNode(NODES.objectNode(), path, problems);
  }
}
