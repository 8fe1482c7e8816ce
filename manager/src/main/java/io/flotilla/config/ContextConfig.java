package io.flotilla.config;

import java.util.Map;
import java.util.Objects;

/**
 * How one VO's machines are contextualised: the {@code context:} mapping of the VO, or the
 * older {@code template:} key alone.
 *
 * @param format the user-data format the VO's images understand
 * @param template the VO's template: a file relative to the site file, or a built-in name
 * @param gzip whether the whole user-data payload is gzip-compressed
 * @param mjfLocalCopies whether the VM keeps local, refreshed copies of its MJF keys
 * @param options values for {@code ##user_data_option_NAME##} ({@code {{option_NAME}}} in
 *     Mustache templates), by NAME; file-valued options already read
 */
public record ContextConfig(
    Format format, String template, boolean gzip, boolean mjfLocalCopies,
    Map<String, String> options) {

  /** The built-in template of each format, used when a VO names none. */
  public static final String CLOUD_INIT_DEFAULT = "cloud-init/pilot.yaml";
  public static final String CERNVM_DEFAULT = "cernvm/pilot.user_data";

  public ContextConfig {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(template, "template");
    options = Map.copyOf(options);
  }

  /** What a VO with only {@code template: NAME} (or nothing) gets. */
  public static ContextConfig cloudInit(String template) {
    return new ContextConfig(Format.CLOUD_INIT, template, false, false, Map.of());
  }

  /** User-data formats. */
  public enum Format {
    /** cloud-init user-data: {@code #cloud-config}, shell parts, MIME multipart. */
    CLOUD_INIT("cloud-init"),
    /** The CernVM / amiconfig user_data that Vac and Vcycle write. */
    CERNVM("cernvm");

    private final String configName;

    Format(String configName) {
      this.configName = configName;
    }

    /** The name used in site files. */
    public String configName() {
      return configName;
    }
  }
}
