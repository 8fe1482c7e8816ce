package io.flotilla.context;

import io.flotilla.config.ContextConfig;
import io.flotilla.config.ContextConfig.Format;
import io.flotilla.config.SiteConfig;
import io.flotilla.config.SiteContextConfig;
import io.flotilla.config.VoConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders each machine's contextualisation in its VO's format. Every template (the VOs', the
 * site's and the built-in parts) is read and compiled when the renderer is built, so a broken
 * or missing one stops the manager before any machine is planned.
 *
 * <p>cloud-init VOs get, in this order, the site's logging part (syslog forwarding), the
 * site's own template, Flotilla's MJF local-copies part when the VO asks for it, and the VO's
 * part; more than one part makes a MIME {@code multipart/mixed} message whose parts append to
 * each other's lists. CernVM VOs get their user_data alone: amiconfig reads it as a whole.
 */
public final class ContextRenderer {
  private static final Logger LOG = LoggerFactory.getLogger(ContextRenderer.class);
  private static final String MJF_PART = "cloud-init/mjf-local-copies.yaml";

  private final SiteContextConfig site;
  private final Map<String, VoTemplate> voTemplates = new HashMap<>();
  private final Optional<UserDataTemplate> siteTemplate;
  private final UserDataTemplate mjfPart;

  /** A VO's compiled template: Mustache for cloud-init, raw text for CernVM. */
  private record VoTemplate(
      ContextConfig context, UserDataTemplate.Source source, UserDataTemplate mustache) {}

  /**
   * @throws ContextException naming the template that is missing or does not compile
   */
  public ContextRenderer(SiteConfig config) {
    this.site = config.context();
    Path baseDir = config.source().toAbsolutePath().getParent();
    for (VoConfig vo : config.vos()) {
      voTemplates.put(vo.name(), compile(vo.context(), baseDir));
      if (vo.context().format() == Format.CERNVM && hasSitePart()) {
        LOG.info("context site part not added vo={} format=cernvm reason={}", vo.name(),
            "amiconfig reads user_data as one document");
      }
    }
    this.siteTemplate = site.siteTemplate().map(file -> UserDataTemplate.load(file, baseDir));
    this.mjfPart = UserDataTemplate.load(MJF_PART, baseDir);
  }

  private static VoTemplate compile(ContextConfig context, Path baseDir) {
    UserDataTemplate.Source source = UserDataTemplate.source(context.template(), baseDir);
    UserDataTemplate mustache = context.format() == Format.CLOUD_INIT
        ? UserDataTemplate.load(context.template(), baseDir) : null;
    return new VoTemplate(context, source, mustache);
  }

  private boolean hasSitePart() {
    return site.syslogCollector().isPresent() || site.siteTemplate().isPresent();
  }

  /**
   * Renders the contextualisation of one machine of {@code vo} for a cloud of
   * {@code cloudType}.
   *
   * @throws ContextException naming the template and placeholder when a value is missing,
   *     the part cloud-init would not run, or the size and limit when the user-data is too
   *     large for the cloud type
   */
  public RenderedContext render(VoConfig vo, String cloudType, ContextValues values) {
    VoTemplate template = voTemplates.get(vo.name());
    if (template == null) {
      throw new ContextException("VO " + vo.name() + " has no compiled template");
    }
    Map<String, String> options = new LinkedHashMap<>(site.options());
    options.putAll(template.context().options());
    String text = template.context().format() == Format.CLOUD_INIT
        ? cloudInit(template, options, values) : cernVm(template, options, values);
    byte[] userData = text.getBytes(StandardCharsets.UTF_8);
    boolean gzip = template.context().gzip();
    if (gzip) {
      userData = Gzip.compress(userData);
    }
    CloudLimits.check("VO " + vo.name() + " on cloud " + values.cloud() + " (" + cloudType
        + ")", cloudType, userData, gzip);
    return new RenderedContext(cloudType, userData, gzip, metadata(values));
  }

  private String cloudInit(
      VoTemplate template, Map<String, String> options, ContextValues values) {
    String voPart = fill(template.mustache(), options, values);
    if (UserDataParts.typeOf(voPart).isEmpty()) {
      throw new ContextException("template " + template.source().name() + " renders"
          + " user-data cloud-init would not run: its first line must be #cloud-config, #!,"
          + " another cloud-init type line, or a MIME header");
    }
    List<UserDataParts.Part> parts = new ArrayList<>();
    site.syslogCollector().ifPresent(collector ->
        parts.add(new UserDataParts.Part("site-logging.cfg", syslogPart(values, collector))));
    siteTemplate.ifPresent(sitePart -> parts.add(
        new UserDataParts.Part("site.cfg", fill(sitePart, options, values))));
    if (template.context().mjfLocalCopies()) {
      parts.add(new UserDataParts.Part("flotilla-mjf.cfg", fill(mjfPart, options, values)));
    }
    if (parts.isEmpty()) {
      return voPart;
    }
    parts.add(new UserDataParts.Part("vo-" + values.vo() + ".cfg", voPart));
    return UserDataParts.multipart(parts);
  }

  private static String fill(
      UserDataTemplate template, Map<String, String> options, ContextValues values) {
    String text = new String(template.render(values.mustache(options)), StandardCharsets.UTF_8);
    return VacuumPlaceholders.fill(template.name(), text,
        values.vacuum(options, template.name()));
  }

  private String syslogPart(ContextValues values, String collector) {
    String protocol = site.syslogProtocol().equals("tcp") ? "@@" : "@";
    return "#cloud-config\n"
        + "# Site " + values.site() + ": forward this VM's syslog to the site's collector.\n"
        + "rsyslog:\n"
        + "  remotes:\n"
        + "    flotilla_site: \"*.* " + protocol + collector + "\"\n";
  }

  private static String cernVm(
      VoTemplate template, Map<String, String> options, ContextValues values) {
    String name = template.source().name();
    String text = VacuumPlaceholders.fill(name, template.source().text(),
        values.vacuum(options, template.context().template()));
    String first = text.lines().findFirst().orElse("");
    if (!first.startsWith("#!") && !first.startsWith("[")) {
      throw new ContextException("template " + name + ": CernVM user_data must start with a"
          + " shell script line (#!) or an INI section such as [amiconfig], got a line"
          + " starting '" + first.substring(0, Math.min(16, first.length())) + "'");
    }
    return text;
  }

  private static Map<String, String> metadata(ContextValues values) {
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put(RenderedContext.MACHINEFEATURES, values.urls().machineFeatures());
    metadata.put(RenderedContext.JOBFEATURES, values.urls().jobFeatures());
    metadata.put(RenderedContext.JOBOUTPUTS, values.urls().jobOutputs());
    return metadata;
  }
}
