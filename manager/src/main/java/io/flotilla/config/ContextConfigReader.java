package io.flotilla.config;

import io.flotilla.config.ContextConfig.Format;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the {@code context:} mappings of a site file: the site's (top level) and each VO's.
 * A VO may still give only the older {@code template:} key.
 */
final class ContextConfigReader {
  private static final Pattern OPTION_NAME = Pattern.compile("[a-z0-9_]{1,64}");
  private static final Pattern HOST_PORT =
      Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9][A-Za-z0-9.-]{0,252}):(\\d{1,5})");
  private static final int MAX_OPTION_FILE_BYTES = 64 * 1024;

  private ContextConfigReader() {}

  /** The site's part, from the optional top-level {@code context:} mapping. */
  static SiteContextConfig readSite(ConfigNode root) {
    if (!root.has("context")) {
      root.object("context", false);
      return SiteContextConfig.none();
    }
    ConfigNode node = root.object("context", false);
    ConfigNode syslog = node.object("syslog", false);
    String collector = syslog.string("collector", null);
    syslog.check("collector", collector, ContextConfigReader::checkHostPort);
    String protocol = syslog.string("protocol", "udp");
    syslog.check("protocol", protocol, p -> p.equals("udp") || p.equals("tcp") ? null
        : "must be udp or tcp, got '" + p + "'");
    syslog.rejectUnknownKeys();
    Path template = node.file("template", false);
    if (template != null && !Files.isReadable(template)) {
      node.problem("template", "file " + template + " does not exist or cannot be read");
    }
    Map<String, String> options = options(node);
    node.rejectUnknownKeys();
    return new SiteContextConfig(Optional.ofNullable(collector), protocol,
        Optional.ofNullable(template).map(Path::toString), options);
  }

  /**
   * A VO's contextualisation from its {@code context:} mapping and/or {@code template:} key.
   * Call before the VO node's {@code rejectUnknownKeys()}.
   */
  static ContextConfig readVo(ConfigNode vo) {
    String legacyTemplate = vo.string("template", null);
    if (!vo.has("context")) {
      vo.object("context", false);
      return ContextConfig.cloudInit(
          legacyTemplate != null ? legacyTemplate : ContextConfig.CLOUD_INIT_DEFAULT);
    }
    ConfigNode node = vo.object("context", false);
    Format format = format(node);
    String template = node.string("template", null);
    if (template != null && legacyTemplate != null) {
      vo.problem("template", "is given twice, here and as context.template; keep one");
    }
    template = template != null ? template : legacyTemplate;
    if (template == null) {
      template = format == Format.CERNVM ? ContextConfig.CERNVM_DEFAULT
          : ContextConfig.CLOUD_INIT_DEFAULT;
    }
    boolean gzip = node.bool("gzip", false);
    boolean localCopies = node.bool("mjf_local_copies", false);
    if (localCopies && format != Format.CLOUD_INIT) {
      node.problem("mjf_local_copies", "needs format cloud-init (it writes files and a timer"
          + " through write_files), got format " + format.configName());
    }
    Map<String, String> options = options(node);
    node.rejectUnknownKeys();
    return new ContextConfig(format, template, gzip, localCopies, options);
  }

  private static Format format(ConfigNode node) {
    String name = node.string("format", Format.CLOUD_INIT.configName());
    for (Format format : Format.values()) {
      if (format.configName().equals(name)) {
        return format;
      }
    }
    if (name != null) {
      node.problem("format", "must be one of " + Arrays.stream(Format.values())
          .map(Format::configName).toList() + ", got '" + name + "'");
    }
    return Format.CLOUD_INIT;
  }

  /** {@code options:} (text) and {@code option_files:} (file contents), by option name. */
  private static Map<String, String> options(ConfigNode node) {
    Map<String, String> result = new LinkedHashMap<>();
    node.options("options").forEach((name, value) -> {
      String field = "options." + name;
      if (checkName(node, field, name)) {
        if (value instanceof Map || value instanceof java.util.List || value == null) {
          node.problem(field, "must be a single value (text, number or boolean)");
        } else {
          result.put(name, value.toString());
        }
      }
    });
    node.options("option_files").forEach((name, value) -> {
      String field = "option_files." + name;
      if (!checkName(node, field, name)) {
        return;
      }
      if (result.containsKey(name)) {
        node.problem(field, "option '" + name + "' is also given under options; keep one");
      } else if (value instanceof String path && !path.isBlank()) {
        readOptionFile(node, field, node.baseDir().resolve(path).normalize())
            .ifPresent(text -> result.put(name, text));
      } else {
        node.problem(field, "must be a file path");
      }
    });
    return result;
  }

  private static boolean checkName(ConfigNode node, String field, String name) {
    if (OPTION_NAME.matcher(name).matches()) {
      return true;
    }
    node.problem(field, "option names are lower-case letters, digits and '_' (at most 64),"
        + " got '" + name + "'");
    return false;
  }

  private static Optional<String> readOptionFile(ConfigNode node, String field, Path file) {
    try {
      if (Files.size(file) > MAX_OPTION_FILE_BYTES) {
        node.problem(field, "file " + file + " is larger than " + MAX_OPTION_FILE_BYTES
            + " bytes");
        return Optional.empty();
      }
      return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      node.problem(field, "file " + file + " cannot be read as UTF-8 text ("
          + e.getClass().getSimpleName() + ")");
      return Optional.empty();
    }
  }

  private static String checkHostPort(String value) {
    Matcher match = HOST_PORT.matcher(value);
    if (!match.matches()) {
      return "must be HOST:PORT (a name or address, IPv6 in brackets), got '" + value + "'";
    }
    int port = Integer.parseInt(match.group(2));
    return port >= 1 && port <= 65535 ? null
        : "port must be between 1 and 65535, got " + port;
  }
}
