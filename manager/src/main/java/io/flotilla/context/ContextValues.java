package io.flotilla.context;

import io.flotilla.guest.GuestUrls;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What one machine's contextualisation says about it. The guest URLs carry the machine's
 * token, so {@link #toString()} masks them (through {@link GuestUrls#toString()}).
 *
 * @param machineId the manager's id for the machine (MJF {@code job_id})
 * @param vo the VO's name
 * @param site the site's name
 * @param cloud the cloud's name in the site file
 * @param urls the machine's MJF, job-output and credential URLs
 * @param heartbeatSeconds how often the VM must send its heartbeat
 * @param imageRef the image as the cloud names it
 * @param managerHostname the host the manager runs on
 * @param managerVersion the manager's version text
 */
public record ContextValues(
    String machineId, String vo, String site, String cloud, GuestUrls urls,
    long heartbeatSeconds, String imageRef, String managerHostname, String managerVersion) {

  public ContextValues {
    Objects.requireNonNull(machineId, "machineId");
    Objects.requireNonNull(vo, "vo");
    Objects.requireNonNull(site, "site");
    Objects.requireNonNull(cloud, "cloud");
    Objects.requireNonNull(urls, "urls");
    Objects.requireNonNull(imageRef, "imageRef");
    Objects.requireNonNull(managerHostname, "managerHostname");
    Objects.requireNonNull(managerVersion, "managerVersion");
  }

  /**
   * The values of Mustache templates: the names in contextualisation-templates/README.md plus
   * {@code option_NAME} for each option.
   */
  public Map<String, Object> mustache(Map<String, String> options) {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("machine_id", machineId);
    values.put("vo", vo);
    values.put("site", site);
    values.put("cloud", cloud);
    values.put("machinefeatures_url", urls.machineFeatures());
    values.put("jobfeatures_url", urls.jobFeatures());
    values.put("joboutputs_url", urls.jobOutputs());
    values.put("credential_url", urls.credential());
    values.put("heartbeat_seconds", heartbeatSeconds);
    values.put("image", imageRef);
    values.put("manager_hostname", managerHostname);
    values.put("manager_version", managerVersion);
    options.forEach((name, value) -> values.put("option_" + name, value));
    return values;
  }

  /**
   * The values of {@code ##user_data_NAME##} placeholders by NAME: Vac's and Vcycle's names,
   * the HSF-TN-2016-04 spellings, the deprecated aliases, Flotilla's additions and
   * {@code option_NAME} for each option.
   *
   * @param templateReference what {@code ##user_data_url##} names: the template's file or
   *     built-in name
   */
  public Map<String, String> vacuum(Map<String, String> options, String templateReference) {
    Map<String, String> values = new LinkedHashMap<>();
    values.put("space", site);
    values.put("machinetype", vo);
    values.put("vmtype", vo);
    values.put("machine_hostname", machineId);
    values.put("vm_hostname", machineId);
    values.put("manager_version", managerVersion);
    values.put("vmlm_version", managerVersion);
    values.put("manager_hostname", managerHostname);
    values.put("vmlm_hostname", managerHostname);
    values.put("uuid", machineId);
    values.put("url", templateReference);
    values.put("root_image_url", imageRef);
    for (String prefix : new String[] {"", "manager_"}) {
      values.put(prefix + "machinefeatures_url", urls.machineFeatures());
      values.put(prefix + "jobfeatures_url", urls.jobFeatures());
      values.put(prefix + "joboutputs_url", urls.jobOutputs());
    }
    values.put("credential_url", urls.credential());
    values.put("heartbeat_seconds", Long.toString(heartbeatSeconds));
    values.put("cloud", cloud);
    options.forEach((name, value) -> values.put("option_" + name, value));
    return values;
  }
}
